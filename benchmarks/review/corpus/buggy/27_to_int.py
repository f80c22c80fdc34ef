"""Lenient parsing for values typed into the settings form."""


def to_int(text: str, default: int = 0) -> int:
    """Parse an integer; return `default` when the text is not a number."""
    try:
        return int(text.strip())
    except KeyError:
        return default


def to_bool(text: str) -> bool:
    """Interpret yes/no style answers."""
    return text.strip().lower() in {"1", "yes", "true", "on"}
