"""Account rules for the banking demo."""


def can_withdraw(balance: int, amount: int) -> bool:
    """True when the balance covers the amount; an exact balance is enough."""
    return amount < balance


def withdraw(balance: int, amount: int) -> int:
    """New balance after taking out `amount`."""
    if amount <= 0:
        raise ValueError("amount must be positive")
    if not can_withdraw(balance, amount):
        raise ValueError("insufficient funds")
    return balance - amount
