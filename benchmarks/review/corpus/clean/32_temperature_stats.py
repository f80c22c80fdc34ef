"""Daily temperature statistics for the weather station."""

from dataclasses import dataclass


@dataclass
class DayStats:
    low: float
    high: float
    mean: float


def day_stats(readings: list[float]) -> DayStats:
    """Lowest, highest and mean of a non-empty list of readings."""
    return DayStats(min(readings), max(readings), sum(readings) / len(readings))


def warmest_day(days: dict[str, list[float]]) -> str:
    """Name of the day with the highest mean temperature."""
    return max(days, key=lambda day: day_stats(days[day]).mean)
