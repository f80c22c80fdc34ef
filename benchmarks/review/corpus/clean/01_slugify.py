"""URL slugs for blog post titles."""

import re

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(title: str, max_length: int = 60) -> str:
    """Lower-case words joined by dashes: 'Hello, World!' -> 'hello-world'."""
    slug = _NON_WORD.sub("-", title.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def unique_slug(title: str, taken: set[str]) -> str:
    """A slug not in `taken`, numbered when needed."""
    base = slugify(title)
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug
