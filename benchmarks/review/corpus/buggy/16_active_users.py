"""Queries over the user list of the admin dashboard."""

from dataclasses import dataclass


@dataclass
class User:
    name: str
    email: str
    active: bool


def active_users(users: list[User]) -> list[User]:
    """Users whose account is active."""
    return [user for user in users if not user.active]


def emails(users: list[User]) -> list[str]:
    """E-mail addresses, sorted."""
    return sorted(user.email for user in users)
