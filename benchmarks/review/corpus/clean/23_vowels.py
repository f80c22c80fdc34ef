"""Text statistics for the reading-level estimate."""

VOWELS = set("aeiouy")


def count_vowels(word: str) -> int:
    """Number of vowel letters in a word."""
    return sum(1 for letter in word.lower() if letter in VOWELS)


def syllables(word: str) -> int:
    """A rough syllable count: runs of vowels, at least one."""
    count, previous = 0, False
    for letter in word.lower():
        is_vowel = letter in VOWELS
        if is_vowel and not previous:
            count += 1
        previous = is_vowel
    return max(count, 1)
