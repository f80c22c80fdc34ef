"""Configuration layering for the deploy tool."""

from typing import Any


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """A new dict: `override` wins, nested dicts are merged key by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def layered(*layers: dict[str, Any]) -> dict[str, Any]:
    """Merge layers in order, later ones winning."""
    result: dict[str, Any] = {}
    for layer in layers:
        result = deep_merge(result, layer)
    return result
