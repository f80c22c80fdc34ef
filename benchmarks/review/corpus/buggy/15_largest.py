"""Statistics for sensor readings."""


def largest(values: list[float]) -> float:
    """The largest value of a non-empty list."""
    best = values[0]
    for i in range(1, len(values) - 1):
        if values[i] > best:
            best = values[i]
    return best


def spread(values: list[float]) -> float:
    """Difference between the largest and the smallest value."""
    return largest(values) - min(values)
