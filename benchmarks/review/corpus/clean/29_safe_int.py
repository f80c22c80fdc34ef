"""Lenient number parsing for spreadsheet imports."""


def safe_int(text: str, default: int = 0) -> int:
    """The integer in `text`, or `default` when it is not a number."""
    try:
        return int(text.strip())
    except ValueError:
        return default


def parse_row(cells: list[str]) -> list[int]:
    """Every cell as an integer, blanks and junk as 0."""
    return [safe_int(cell) for cell in cells]
