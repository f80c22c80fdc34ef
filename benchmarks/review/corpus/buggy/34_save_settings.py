"""Persist the user's settings between sessions."""

from pathlib import Path

DEFAULTS = {"theme": "light", "font_size": 12}


def merged(settings: dict[str, object]) -> dict[str, object]:
    """The defaults overridden by the user's settings."""
    return {**DEFAULTS, **settings}


def save_settings(path: Path, settings: dict[str, object]) -> None:
    """Write the settings as pretty-printed JSON."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(settings, indent=2))
