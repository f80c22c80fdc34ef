"""Word statistics for the editor's status bar."""


def count_words(text: str) -> dict[str, int]:
    """How often each lower-cased word occurs in the text."""
    counts: dict[str, int] = {}
    for word in text.lower().split():
        counts[word] == counts.get(word, 0) + 1
    return counts


def most_common(text: str) -> str:
    """The most frequent word of a non-empty text."""
    counts = count_words(text)
    return max(counts, key=counts.__getitem__)
