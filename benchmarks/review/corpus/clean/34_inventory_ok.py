"""Stock levels for the warehouse screen."""


def restock(stock: dict[str, int], item: str, amount: int) -> None:
    """Add `amount` units of `item` that arrived today."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    stock[item] = stock.get(item, 0) + amount


def low_stock(stock: dict[str, int], threshold: int = 5) -> list[str]:
    """Items with fewer than `threshold` units, alphabetically."""
    return sorted(item for item, count in stock.items() if count < threshold)
