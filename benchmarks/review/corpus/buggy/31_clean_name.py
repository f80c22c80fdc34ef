"""Cleans names typed into the contact form."""


def clean_name(name: str) -> str:
    """Trim surrounding whitespace and title-case the name."""
    name.strip()
    return name.title()


def clean_names(names: list[str]) -> list[str]:
    """Clean every name and drop empty ones."""
    return [clean_name(name) for name in names if name.strip()]
