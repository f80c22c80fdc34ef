"""Product search for the shop front page."""

from dataclasses import dataclass


@dataclass
class Product:
    name: str
    price: float


def cheapest(products: list[Product], n: int = 3) -> list[Product]:
    """The n cheapest products, cheapest first."""
    return sorted(products, key=lambda p: p.price, reverse=True)[:n]


def names(products: list[Product]) -> list[str]:
    """Product names in the given order."""
    return [product.name for product in products]
