"""Matrix helpers for the spreadsheet view."""


def transpose(rows: list[list[float]]) -> list[list[float]]:
    """Rows become columns."""
    return [list(column) for column in zip(*rows)]


def column_sums(rows: list[list[float]]) -> list[float]:
    """Sum of each column."""
    return [sum(column) for column in transpose(rows)]


def identity(size: int) -> list[list[float]]:
    """The size x size identity matrix."""
    return [[1.0 if i == j else 0.0 for j in range(size)] for i in range(size)]
