"""Smallest valid instance of a JSON schema.

The fake must answer any structured-output request even when a test scripted nothing, so it
builds the least interesting value that still validates: required properties only, empty
arrays, empty strings, zeros, the first enum value. It covers the subset of JSON Schema that
OpenAI's strict structured outputs accept (objects, arrays, scalars, enum/const, anyOf,
$ref into $defs/definitions).
"""

from __future__ import annotations

from typing import Any

__all__ = ["minimal_instance"]

_SCALARS: dict[str, Any] = {"string": "", "integer": 0, "number": 0, "boolean": False, "null": None}
# Guards against schemas whose $refs are recursive through required properties.
_MAX_DEPTH = 32


def minimal_instance(schema: dict[str, Any]) -> Any:
    """Return a minimal value that validates against ``schema``."""
    return _instance(schema, schema, 0)


def _instance(node: dict[str, Any], root: dict[str, Any], depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return None
    if "$ref" in node:
        return _instance(_resolve(node["$ref"], root), root, depth + 1)
    if "const" in node:
        return node["const"]
    if node.get("enum"):
        return node["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if node.get(key):
            return _instance(node[key][0], root, depth + 1)
    return _typed(node, _first_type(node), root, depth)


def _first_type(node: dict[str, Any]) -> str:
    kind = node.get("type", "object" if "properties" in node else "null")
    if isinstance(kind, list):
        # Prefer a concrete type over null so nullable fields still look like data.
        concrete = [k for k in kind if k != "null"]
        return str(concrete[0] if concrete else "null")
    return str(kind)


def _typed(node: dict[str, Any], kind: str, root: dict[str, Any], depth: int) -> Any:
    if kind == "object":
        props: dict[str, Any] = node.get("properties", {})
        return {
            name: _instance(props.get(name, {}), root, depth + 1)
            for name in node.get("required", [])
        }
    if kind == "array":
        item = node.get("items", {})
        return [_instance(item, root, depth + 1) for _ in range(int(node.get("minItems", 0)))]
    if kind == "string":
        return "x" * int(node.get("minLength", 0))
    if kind in ("integer", "number"):
        return node.get("minimum", 0)
    return _SCALARS.get(kind)


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are supported, got {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    if not isinstance(node, dict):
        raise ValueError(f"$ref {ref!r} does not point at a schema")
    return node
