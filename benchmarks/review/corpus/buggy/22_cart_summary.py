"""Text shown in the shopping cart footer."""


def cart_summary(count: int, total: float) -> str:
    """For example 'Items: 3, total: 19.90'."""
    return "Items: " + count + ", total: " + f"{total:.2f}"


def empty_message() -> str:
    """Shown when the cart has no items."""
    return "Your cart is empty."


def footer(count: int, total: float) -> str:
    """The footer line for the cart page."""
    return cart_summary(count, total) if count else empty_message()
