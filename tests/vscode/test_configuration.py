"""package.json's `contributes.configuration` against `codex_lsp.settings`, the only home of the
defaults: the server's section must list exactly the model's keys, defaults and descriptions,
and the extension's own keys must stay out of the server's way."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from codex_lsp.settings import SECTION, settings_table
from tests.vscode.contributes import CLIENT_KEYS, PACKAGE_JSON, server_section

FIX = "run `.venv/bin/python -m tests.vscode.contributes` to regenerate it"


@pytest.fixture(scope="module")
def package() -> dict[str, Any]:
    return dict(json.loads(PACKAGE_JSON.read_text()))


def _server_properties(package: dict[str, Any]) -> dict[str, Any]:
    return dict(package["contributes"]["configuration"][0]["properties"])


def test_server_section_has_exactly_the_models_keys(package: dict[str, Any]) -> None:
    expected = [f"{SECTION}.{key}" for key, _, _ in settings_table()]
    assert list(_server_properties(package)) == expected, FIX


@pytest.mark.parametrize(("key", "default", "description"), settings_table())
def test_default_and_description_match_the_model(
    package: dict[str, Any], key: str, default: str, description: str
) -> None:
    entry = _server_properties(package)[f"{SECTION}.{key}"]
    assert entry["default"] == json.loads(default), FIX
    assert entry["description"] == description, FIX


def test_types_enums_and_bounds_match_the_model(package: dict[str, Any]) -> None:
    assert package["contributes"]["configuration"][0] == server_section(), FIX


def test_extension_only_keys_are_the_ones_the_extension_knows(package: dict[str, Any]) -> None:
    sections = package["contributes"]["configuration"]
    assert len(sections) == 2
    client_keys = [key.removeprefix(f"{SECTION}.") for key in sections[1]["properties"]]
    assert client_keys == list(CLIENT_KEYS)
    server_keys = {key for key, _, _ in settings_table()}
    assert not {key.split(".")[0] for key in client_keys} & {
        key.split(".")[0] for key in server_keys
    }, "an extension-only key shares a prefix with a server setting"
    for entry in sections[1]["properties"].values():
        assert "default" in entry
        assert entry.get("description") or entry.get("markdownDescription")


def test_commands_are_contributed_and_registered(package: dict[str, Any]) -> None:
    contributed = {c["command"] for c in package["contributes"]["commands"]}
    source = (PACKAGE_JSON.parent / "src" / "extension.ts").read_text()
    registered = set(re.findall(r"command\('(codexLsp\.\w+)'", source))
    assert (
        contributed
        == registered
        == {
            "codexLsp.restartServer",
            "codexLsp.showOutput",
            "codexLsp.toggleAutomaticCompletions",
            "codexLsp.setApiKey",
            "codexLsp.showUsage",
        }
    )


def test_the_api_key_is_not_a_setting(package: dict[str, Any]) -> None:
    keys = [k.lower() for s in package["contributes"]["configuration"] for k in s["properties"]]
    assert not [k for k in keys if "key" in k.split(".")[-1] or "secret" in k]
