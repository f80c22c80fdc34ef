"""Roman numerals for the chapter headings."""

VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_to_int(numeral: str) -> int:
    """Value of a Roman numeral such as 'XIV'."""
    total = 0
    for i, letter in enumerate(numeral):
        value = VALUES[letter]
        if i + 1 < len(numeral) and VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total
