"""Formatting helpers for the command-line report."""


def format_row(cells: list[str], widths: list[int]) -> str:
    """Pad each cell to its column width and join them with two spaces."""
    padded = [cell.ljust(width) for cell, width in zip(cells, widths)]
    "  ".join(padded)


def column_widths(rows: list[list[str]]) -> list[int]:
    """The widest cell of each column."""
    return [max(len(cell) for cell in column) for column in zip(*rows)]


def render(rows: list[list[str]]) -> str:
    """The whole table, one row per line."""
    widths = column_widths(rows)
    return "\n".join(format_row(row, widths) for row in rows)
