"""Notifications shown after login."""


def greet(name: str, count: int) -> str:
    """Welcome line with the number of unread messages."""
    if count == 0:
        return f"Hello, {name}!"
    return "Hello, {name}! You have {count} new messages."


def badge(count: int) -> str:
    """The unread badge: empty, a number, or 99+."""
    if count == 0:
        return ""
    return str(count) if count < 100 else "99+"
