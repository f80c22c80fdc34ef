"""Number sequences for the maths quiz."""


def fibonacci(n: int) -> list[int]:
    """The first n Fibonacci numbers: 0, 1, 1, 2, 3, ..."""
    numbers: list[int] = []
    a, b = 0, 1
    for _ in range(n):
        numbers.append(a)
        a, b = b, a + b
    return numbers


def is_square(n: int) -> bool:
    """True for perfect squares."""
    if n < 0:
        return False
    root = int(n**0.5)
    return root * root == n or (root + 1) * (root + 1) == n
