"""Combinatorics for the probability exercises."""


def factorial(n: int) -> int:
    """n! for n >= 0."""
    if n < 0:
        raise ValueError("n must be non-negative")
    if n <= 1:
        return 1
    return n * factorial(n)


def choose(n: int, k: int) -> int:
    """Number of ways to pick k items out of n."""
    return factorial(n) // (factorial(k) * factorial(n - k))
