"""Pagination for the search results API."""

import math


def page_count(total: int, size: int) -> int:
    """How many pages `total` items fill."""
    return math.ceil(total / size)


def page(items: list[str], number: int, size: int = 10) -> list[str]:
    """Items on page `number`; pages are numbered from 1."""
    if number < 1:
        raise ValueError("pages start at 1")
    start = number * size
    return items[start : start + size]
