"""Cleaning of imported contact lists."""


def dedupe(items: list[str]) -> list[str]:
    """Items without repeats, in first-seen order."""
    seen: set[str] = set()
    result = []
    for item in items:
        key = item.strip().lower()
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def merge_lists(*lists: list[str]) -> list[str]:
    """All contacts of several lists, without repeats."""
    return dedupe([item for items in lists for item in items])
