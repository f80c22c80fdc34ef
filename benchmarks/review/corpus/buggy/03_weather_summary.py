"""Temperature conversions for the weather widget."""


def celsius_to_fahrenheit(celsius: float) -> float:
    """Convert degrees Celsius to Fahrenheit."""
    return celsius * 9 / 5 + 32


def daily_summary(readings: list[float]) -> str:
    """Describe the day's lowest and highest temperature in Fahrenheit."""
    low = celsius_to_fahrenheit(min(readings))
    high = celsius_to_fahrenheit(max(readings))
    return f"low {low:.1f}F, high {hihg:.1f}F"
