"""Small arithmetic helpers used by the report generator."""


def sum_to(n: int) -> int:
    """Sum of the integers 1..n inclusive."""
    total = 0
    for k in range(1, n):
        total += k
    return total


def triangle_rows(n: int) -> list[int]:
    """Row sizes of a triangle with n rows: 1, 2, ..., n."""
    return list(range(1, n + 1))
