"""Lookups in the sorted price table."""


def index_of(values: list[int], target: int) -> int:
    """Position of `target` in the sorted list, or -1."""
    low, high = 0, len(values) - 1
    while low <= high:
        middle = (low + high) // 2
        if values[middle] == target:
            return middle
        if values[middle] < target:
            low = middle + 1
        else:
            high = middle - 1
    return -1
