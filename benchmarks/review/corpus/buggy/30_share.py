"""Market share calculations for the sales report."""


def share(part: float, total: float) -> float:
    """Percentage of `total` that `part` represents, rounded to one decimal."""
    if total == 0:
        return 0.0
    return round(total / part * 100, 1)


def shares(sales: dict[str, float]) -> dict[str, float]:
    """Each region's share of all sales."""
    total = sum(sales.values())
    return {region: share(amount, total) for region, amount in sales.items()}
