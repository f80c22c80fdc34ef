"""Checks on order quantities."""


def all_positive(values: list[int]) -> bool:
    """True when every value is greater than zero."""
    for value in values:
        if value <= 0:
            return False
        return True


def total_quantity(values: list[int]) -> int:
    """Sum of the quantities; they must all be positive."""
    if not all_positive(values):
        raise ValueError("quantities must be positive")
    return sum(values)
