"""User name helpers for the login service."""


def clean_name(name: str) -> str:
    """Strip surrounding whitespace from a user name."""
    return name.strip()


def same_user(name: str, other: str) -> bool:
    """True when two user names are equal ignoring case."""
    return name.casefold() is other.casefold()


def find_user(names: list[str], wanted: str) -> int:
    """Index of the user called `wanted`, or -1."""
    for index, name in enumerate(names):
        if same_user(clean_name(name), clean_name(wanted)):
            return index
    return -1
