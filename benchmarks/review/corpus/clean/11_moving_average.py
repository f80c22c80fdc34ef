"""Smoothing for the live chart."""

from collections import deque


def moving_average(values: list[float], window: int) -> list[float]:
    """Mean of each run of `window` consecutive values."""
    if window < 1:
        raise ValueError("window must be at least 1")
    recent: deque[float] = deque(maxlen=window)
    averages = []
    for value in values:
        recent.append(value)
        if len(recent) == window:
            averages.append(sum(recent) / window)
    return averages
