"""Reads the header of CSV exports."""


def read_header(path: str) -> list[str]:
    """Column names from the first line of a CSV file."""
    with open(path, "rb") as handle:
        return handle.readline().strip().split(",")


def has_columns(path: str, required: set[str]) -> bool:
    """True when the file has every required column."""
    return required <= set(read_header(path))
