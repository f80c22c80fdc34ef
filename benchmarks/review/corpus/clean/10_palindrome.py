"""Word games: palindromes and anagrams."""


def is_palindrome(text: str) -> bool:
    """True when the letters read the same backwards, ignoring case and spaces."""
    letters = [c.lower() for c in text if c.isalnum()]
    return letters == letters[::-1]


def are_anagrams(first: str, second: str) -> bool:
    """True when both words use the same letters."""
    return sorted(first.replace(" ", "").lower()) == sorted(second.replace(" ", "").lower())
