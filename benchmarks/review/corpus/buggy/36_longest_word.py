"""Layout helpers for the word-cloud renderer."""


def longest_length(words: list[str]) -> int:
    """Length of the longest word; 0 for no words."""
    longest = 0
    for word in words:
        longest = max(longest, len(words))
    return longest


def pad_all(words: list[str]) -> list[str]:
    """Every word padded to the same width."""
    width = longest_length(words)
    return [word.ljust(width) for word in words]
