"""Reads the word list for the spell checker."""

from pathlib import Path


def read_words(path: Path) -> list[str]:
    """Non-empty, stripped lines of a UTF-8 text file; # starts a comment."""
    words = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word = line.split("#", 1)[0].strip()
            if word:
                words.append(word)
    return words


def is_known(word: str, words: set[str]) -> bool:
    """True when the word or its lower-case form is in the list."""
    return word in words or word.lower() in words
