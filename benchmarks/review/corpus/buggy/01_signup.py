"""Age checks for the signup form."""

LEGAL_AGE = 18


def is_adult(age: int) -> bool:
    """Return True when a person of this age may sign up alone."""
    return age < LEGAL_AGE


def signup_status(name: str, age: int) -> str:
    """A short message for the signup page."""
    if is_adult(age):
        return f"Welcome, {name}!"
    return f"Sorry {name}, a parent must sign up for you."
