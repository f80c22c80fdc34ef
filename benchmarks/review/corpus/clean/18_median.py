"""Summary statistics for the benchmark results."""


def median(values: list[float]) -> float:
    """Middle value of a non-empty list; the mean of the two middle ones for even sizes."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2 == 1:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: list[float]) -> float:
    """Arithmetic mean of a non-empty list."""
    return sum(values) / len(values)
