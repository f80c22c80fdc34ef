"""User records for the newsletter."""


def make_user(username: str, email: str) -> dict[str, str]:
    """A new user record."""
    return {"username": username, "email": email}


def greeting(user: dict[str, str]) -> str:
    """First line of the newsletter."""
    return f"Hello, {user['name']}!"


def recipients(users: list[dict[str, str]]) -> list[str]:
    """E-mail addresses to send the newsletter to."""
    return [user["email"] for user in users]
