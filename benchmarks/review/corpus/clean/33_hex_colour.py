"""Colour conversions for the theme editor."""


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """'#ff8000' -> (255, 128, 0)."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected six hex digits, got {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgb_to_hex(red: int, green: int, blue: int) -> str:
    """(255, 128, 0) -> '#ff8000'."""
    return f"#{red:02x}{green:02x}{blue:02x}"
