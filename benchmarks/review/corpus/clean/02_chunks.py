"""Batching helpers for the bulk import."""

from collections.abc import Iterator


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    """Consecutive slices of at most `size` items."""
    if size < 1:
        raise ValueError("size must be at least 1")
    for start in range(0, len(items), size):
        yield items[start : start + size]


def batch_count(total: int, size: int) -> int:
    """How many batches `total` items need."""
    return (total + size - 1) // size
