"""Word frequencies for the search index."""

from collections import Counter

STOP_WORDS = {"a", "an", "and", "the", "of", "to", "in"}


def word_frequencies(text: str) -> Counter[str]:
    """How often each word occurs, ignoring case and stop words."""
    words = (word.strip(".,;:!?") for word in text.lower().split())
    return Counter(word for word in words if word and word not in STOP_WORDS)


def top_words(text: str, n: int = 5) -> list[str]:
    """The n most frequent words."""
    return [word for word, _ in word_frequencies(text).most_common(n)]
