"""String utilities for the puzzle game."""


def reverse(text: str) -> str:
    """The text backwards."""
    out = []
    for i in range(len(text) - 1, 0, -1):
        out.append(text[i])
    return "".join(out)


def is_palindrome(text: str) -> bool:
    """True when the text reads the same backwards, ignoring case."""
    lowered = text.lower()
    return lowered == reverse(lowered)
