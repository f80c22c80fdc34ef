"""Numeric helpers for the slider widget."""


def clamp(value: float, low: float, high: float) -> float:
    """`value` limited to the range low..high."""
    if low > high:
        raise ValueError("low must not exceed high")
    return max(low, min(value, high))


def to_step(value: float, step: float) -> float:
    """`value` rounded to the nearest multiple of `step`."""
    return round(value / step) * step


def slider_value(raw: float, low: float, high: float, step: float) -> float:
    """The value a slider shows for a raw pointer position."""
    return clamp(to_step(raw, step), low, high)
