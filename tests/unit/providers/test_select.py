"""Which backend serves the models, and why, from settings and the environment."""

from __future__ import annotations

import pytest

from codex_lsp.providers import select
from codex_lsp.providers.chat import ChatProvider
from codex_lsp.providers.responses import ResponsesProvider
from codex_lsp.providers.select import (
    NO_BACKEND_MESSAGE,
    BackendChoice,
    NoBackend,
    build_provider,
    choose_backend,
)
from codex_lsp.settings import Environment, Settings

KEY = "sk-test-0123456789abcdef"
DEFAULT_MODELS = ["codex-mini-latest", "gpt-5.4-mini", "gpt-5.5"]


@pytest.mark.parametrize(
    ("settings", "env", "local", "expected"),
    [
        (
            Settings(),
            Environment(KEY, None),
            True,
            BackendChoice("openai", "auto: OPENAI_API_KEY is set", DEFAULT_MODELS, None),
        ),
        (
            Settings(),
            Environment(None, "http://127.0.0.1:9000/v1"),
            True,
            BackendChoice(
                "openai",
                "auto: a base URL is set (no API key)",
                DEFAULT_MODELS,
                "http://127.0.0.1:9000/v1",
            ),
        ),
        (
            Settings(),
            Environment(None, None),
            True,
            BackendChoice("local", "auto: no API key, embedded model installed", ["local"], None),
        ),
        (
            Settings(backend="openai-compatible", base_url="http://127.0.0.1:8080/v1"),
            Environment(KEY, "http://ignored:1/v1"),
            False,
            BackendChoice(
                "openai-compatible",
                "backend is set to openai-compatible",
                DEFAULT_MODELS,
                "http://127.0.0.1:8080/v1",
            ),
        ),
        (
            Settings(backend="local", model="gpt-5.5"),
            Environment(KEY, None),
            True,
            BackendChoice("local", "backend is set to local", ["local"], None),
        ),
        (
            Settings(model="gpt-5.5", fallback_models=["gpt-5.4-mini", "gpt-5.5", "gpt-5.4-mini"]),
            Environment(KEY, None),
            False,
            BackendChoice(
                "openai", "auto: OPENAI_API_KEY is set", ["gpt-5.5", "gpt-5.4-mini"], None
            ),
        ),
    ],
    ids=[
        "auto-with-key",
        "auto-with-base-url-only",
        "auto-local",
        "compatible-settings-url-wins",
        "local-ignores-models",
        "models-deduplicated-in-order",
    ],
)
def test_choose_backend(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    env: Environment,
    local: bool,
    expected: BackendChoice,
) -> None:
    monkeypatch.setattr(select, "local_available", lambda: local)
    assert choose_backend(settings, env) == expected


def test_no_backend_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(select, "local_available", lambda: False)
    with pytest.raises(NoBackend) as raised:
        choose_backend(Settings(), Environment(None, None))
    assert str(raised.value) == NO_BACKEND_MESSAGE
    assert "OPENAI_API_KEY" in NO_BACKEND_MESSAGE
    assert "codexLsp.baseUrl" in NO_BACKEND_MESSAGE


@pytest.mark.parametrize(
    ("kind", "base_url", "provider_type", "name", "expected_url"),
    [
        ("openai", None, ResponsesProvider, "openai", "https://api.openai.com/v1/"),
        (
            "openai",
            "http://127.0.0.1:9000/v1",
            ResponsesProvider,
            "openai",
            "http://127.0.0.1:9000/v1/",
        ),
        (
            "openai-compatible",
            "http://127.0.0.1:8080/v1",
            ChatProvider,
            "openai-compatible",
            "http://127.0.0.1:8080/v1/",
        ),
    ],
    ids=["openai-default-url", "openai-custom-url", "compatible"],
)
async def test_build_provider(
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    base_url: str | None,
    provider_type: type,
    name: str,
    expected_url: str,
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    choice = BackendChoice(kind, "test", ["m"], base_url)
    provider = build_provider(choice, Settings(), Environment(KEY, base_url))
    try:
        assert (type(provider), provider.name, provider.base_url) == (  # type: ignore[attr-defined]
            provider_type,
            name,
            expected_url,
        )
    finally:
        await provider.aclose()


def test_openai_without_key_or_url_says_how_to_set_the_key() -> None:
    with pytest.raises(select.NoBackend, match="OPENAI_API_KEY"):
        choose_backend(Settings(backend="openai"), Environment(None, None))
