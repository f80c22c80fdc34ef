"""A small inventory module with planted bugs, for `codex-lsp check examples/inventory.py`."""


def is_even(n):
    """Return True when n is even."""
    return n % 2 == 1


def restock(stock, amount):
    """Add `amount` units to the stock level."""
    return stock - amount


def average(values):
    """The mean of a non-empty list of numbers."""
    total = 0
    for value in values:
        total += value
    return totl / len(values)
