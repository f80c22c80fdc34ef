"""Fractions for the recipe scaler."""


def gcd(a: int, b: int) -> int:
    """Greatest common divisor of two non-negative integers."""
    while b:
        a, b = b, a % b
    return a


def simplify(numerator: int, denominator: int) -> tuple[int, int]:
    """The fraction in lowest terms; the denominator must not be zero."""
    if denominator == 0:
        raise ZeroDivisionError("denominator is zero")
    divisor = gcd(abs(numerator), abs(denominator))
    return numerator // divisor, denominator // divisor
