"""The server's half of `contributes.configuration` in editors/vscode/package.json, derived from
`codex_lsp.settings`, the only home of the defaults.

package.json holds two configuration sections: this one (every server setting, in the model's
order, with its default, description, type and bounds) and the extension's own (`CLIENT_KEYS`),
which the extension strips before it sends settings to the server. The settings a repository
must not choose (`CONSENT_SETTINGS`, and the extension's keys that choose the program to run)
are `machine`-scoped, so only user settings set them, and kept at their user value in
Restricted Mode (`capabilities.untrustedWorkspaces`). After changing `codex_lsp/settings.py`,
run `.venv/bin/python -m tests.vscode.contributes` to rewrite the server section and the
capabilities; `test_configuration.py` fails until package.json agrees.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from codex_lsp.settings import CONSENT_SETTINGS, SECTION, Settings, settings_table

PACKAGE_JSON = Path(__file__).resolve().parents[2] / "editors" / "vscode" / "package.json"

# Settings only the VS Code extension reads; they never reach the server.
CLIENT_KEYS = ("server.command", "completions.automatic", "trace.server")
# The extension's settings that choose the program it runs: the user's alone, like CONSENT_SETTINGS.
CLIENT_MACHINE_KEYS = ("server.command",)

_KEEP = ("type", "enum", "items", "minimum", "maximum", "exclusiveMinimum", "minLength")


def _translate(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Pydantic's JSON schema for one field, in the subset VS Code's settings editor reads."""
    if "$ref" in schema:
        return _translate(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        variants = [v for v in schema["anyOf"] if v.get("type") != "null"]
        if len(variants) != 1:
            raise ValueError(f"cannot express {schema} as a VS Code setting")
        out = _translate(variants[0], defs)
        out["type"] = [out["type"], "null"]
        return out
    out = {key: schema[key] for key in _KEEP if key in schema}
    if "properties" in schema:
        out["properties"] = {
            name: {**_translate(sub, defs), "description": sub.get("description", "")}
            for name, sub in schema["properties"].items()
        }
    if isinstance(schema.get("additionalProperties"), dict):
        out["additionalProperties"] = _translate(schema["additionalProperties"], defs)
    elif schema.get("additionalProperties") is False:
        out["additionalProperties"] = False
    return out


def _field_schemas() -> dict[str, dict[str, Any]]:
    """Flattened like `settings_table()`: `features.*` become separate keys."""
    schema = Settings.model_json_schema(by_alias=True)
    defs = schema.get("$defs", {})
    flat: dict[str, dict[str, Any]] = {}
    for key, sub in schema["properties"].items():
        resolved = defs[sub["$ref"].rsplit("/", 1)[1]] if "$ref" in sub else sub
        if resolved.get("type") == "object" and "properties" in resolved:
            for inner, inner_schema in resolved["properties"].items():
                flat[f"{key}.{inner}"] = _translate(inner_schema, defs)
        else:
            flat[key] = _translate(sub, defs)
    return flat


def server_section() -> dict[str, Any]:
    schemas = _field_schemas()
    properties = {
        f"{SECTION}.{key}": {
            **schemas[key],
            "default": json.loads(default),
            "description": description,
            **({"scope": "machine"} if key in CONSENT_SETTINGS else {}),
            "order": order,
        }
        for order, (key, default, description) in enumerate(settings_table())
    }
    return {"title": "codex-lsp", "properties": properties}


def untrusted_workspaces() -> dict[str, Any]:
    """`capabilities.untrustedWorkspaces`: in Restricted Mode these keep their user value."""
    server_keys = [key for key, _, _ in settings_table() if key in CONSENT_SETTINGS]
    return {
        "supported": "limited",
        "restrictedConfigurations": [
            f"{SECTION}.{key}" for key in (*server_keys, *CLIENT_MACHINE_KEYS)
        ],
        "description": "In Restricted Mode the server command, base URL and local model path come "
        "only from your user settings, and nothing in the workspace folder is run as the server "
        "(neither its Python interpreter nor a command naming ${workspaceFolder}).",
    }


def write() -> None:
    package = json.loads(PACKAGE_JSON.read_text())
    sections = package["contributes"]["configuration"]
    package["contributes"]["configuration"] = [server_section(), *sections[1:]]
    package.setdefault("capabilities", {})["untrustedWorkspaces"] = untrusted_workspaces()
    PACKAGE_JSON.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write()
    print(f"rewrote the server settings in {PACKAGE_JSON}", file=sys.stderr)
