"""Light e-mail validation for the signup form."""

import re

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def is_email(text: str) -> bool:
    """True when the text looks like name@domain.tld."""
    return _EMAIL.match(text.strip()) is not None


def domain(email: str) -> str:
    """The lower-cased part after the @."""
    return email.rsplit("@", 1)[1].lower()
