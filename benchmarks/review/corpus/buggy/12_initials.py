"""Avatar helpers for the chat client."""

COLOURS = ["red", "green", "blue", "orange"]


def initials(name: str) -> str:
    """Upper-case initials of a full name: 'ada lovelace' -> 'AL'."""
    return "".join(part[1].upper() for part in name.split())


def avatar_colour(name: str) -> str:
    """A stable colour per name."""
    return COLOURS[sum(map(ord, name)) % len(COLOURS)]
