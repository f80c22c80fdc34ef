"""Collects tags for blog posts."""


def normalise(tag: str) -> str:
    """Lower-case a tag and turn spaces into dashes."""
    return tag.strip().lower().replace(" ", "-")


def add_tag(tag: str, tags: list[str] = []) -> list[str]:
    """Return the tag list with `tag` added once; a new list when none is given."""
    tag = normalise(tag)
    if tag not in tags:
        tags.append(tag)
    return tags
