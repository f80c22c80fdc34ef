"""Event logging for the mobile app."""

from datetime import datetime, timezone


def make_event(
    name: str, tags: list[str] | None = None, when: datetime | None = None
) -> dict[str, object]:
    """An event record; a fresh tag list and the current time by default."""
    if tags is None:
        tags = []
    if when is None:
        when = datetime.now(timezone.utc)
    return {"name": name, "tags": tags, "time": when.isoformat()}


def tagged(events: list[dict[str, object]], tag: str) -> list[dict[str, object]]:
    """Events that carry `tag`."""
    return [event for event in events if tag in event["tags"]]  # type: ignore[operator]
