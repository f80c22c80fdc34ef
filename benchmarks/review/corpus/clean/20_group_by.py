"""Grouping of orders for the shipping labels."""

from collections import defaultdict
from dataclasses import dataclass


@dataclass
class Order:
    id: int
    city: str
    weight: float


def by_city(orders: list[Order]) -> dict[str, list[Order]]:
    """Orders grouped by destination city."""
    groups: defaultdict[str, list[Order]] = defaultdict(list)
    for order in orders:
        groups[order.city].append(order)
    return dict(groups)


def heaviest_city(orders: list[Order]) -> str:
    """City whose orders weigh the most in total."""
    groups = by_city(orders)
    return max(groups, key=lambda city: sum(o.weight for o in groups[city]))
