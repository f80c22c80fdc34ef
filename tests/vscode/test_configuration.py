"""package.json's `contributes.configuration` against `codex_lsp.settings`, the only home of the
defaults: the server's section must list exactly the model's keys, defaults and descriptions,
the extension's own keys must stay out of the server's way, and the settings a repository must
not choose can be set only in user settings."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from codex_lsp.settings import CONSENT_SETTINGS, ENV_SETTINGS, SECTION, settings_table
from tests.vscode.contributes import (
    CLIENT_KEYS,
    CLIENT_MACHINE_KEYS,
    PACKAGE_JSON,
    server_section,
    untrusted_workspaces,
)

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


def _all_properties(package: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v for s in package["contributes"]["configuration"] for k, v in s["properties"].items()
    }


def test_only_user_settings_choose_hosts_paths_and_programs(package: dict[str, Any]) -> None:
    """`machine` scope: a workspace's .vscode/settings.json cannot set these (VS Code ignores it),
    and in Restricted Mode they keep their user value."""
    machine = {
        key for key, entry in _all_properties(package).items() if entry.get("scope") == "machine"
    }
    assert machine == {f"{SECTION}.{key}" for key in (*CONSENT_SETTINGS, *CLIENT_MACHINE_KEYS)}
    assert package["capabilities"]["untrustedWorkspaces"] == untrusted_workspaces(), FIX
    restricted = package["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"]
    assert set(restricted) == machine
    # No scope that lets a workspace override one (window, resource, machine-overridable).
    scopes = {entry.get("scope") for entry in _all_properties(package).values()}
    assert scopes <= {None, "machine"}


def test_user_values_of_consent_settings_reach_the_server_as_its_environment() -> None:
    """The extension hands a user-set baseUrl / localModelPath over in the variables the server
    trusts (settings.ts, USER_ENVIRONMENT), instead of over LSP where the server would ask."""
    source = (PACKAGE_JSON.parent / "src" / "settings.ts").read_text()
    block = re.search(r"USER_ENVIRONMENT[^=]*= \{(.*?)\};", source, re.S)
    assert block is not None
    mapping = dict(re.findall(r"(\w+): '(\w+)'", block.group(1)))
    server_reads = {"baseUrl": "OPENAI_BASE_URL"} | {
        key: variable for variable, key in ENV_SETTINGS.items() if key in CONSENT_SETTINGS
    }
    assert set(mapping) == set(CONSENT_SETTINGS)
    assert mapping == server_reads
