"""Running balances for the budget planner."""

from itertools import accumulate


def running_totals(amounts: list[float]) -> list[float]:
    """Balance after each transaction, starting from zero."""
    return list(accumulate(amounts))


def first_overdraft(amounts: list[float]) -> int | None:
    """Index of the first transaction that takes the balance below zero."""
    for index, balance in enumerate(running_totals(amounts)):
        if balance < 0:
            return index
    return None
