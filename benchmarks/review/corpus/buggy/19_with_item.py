"""Immutable-style list helpers for the playlist editor."""


def with_item(items: list[str], item: str) -> list[str]:
    """A copy of `items` with `item` added at the end."""
    copy = list(items)
    return copy.append(item)


def without_item(items: list[str], item: str) -> list[str]:
    """A copy of `items` without any occurrence of `item`."""
    return [existing for existing in items if existing != item]
