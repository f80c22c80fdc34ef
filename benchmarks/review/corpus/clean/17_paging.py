"""Pagination for the admin audit log."""


def page_slice(number: int, size: int) -> slice:
    """Slice of the log for page `number`, numbered from 1."""
    if number < 1 or size < 1:
        raise ValueError("page number and size start at 1")
    start = (number - 1) * size
    return slice(start, start + size)


def pages(total: int, size: int) -> int:
    """Pages needed for `total` entries; at least one."""
    return max(1, -(-total // size))
