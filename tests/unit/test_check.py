"""`codex-lsp check` picks the embedded model that reviews best unless the user chose one."""

from __future__ import annotations

import argparse

import pytest

from codex_lsp import check


def args(**given: str | None) -> argparse.Namespace:
    return argparse.Namespace(
        backend=given.get("backend"), model=given.get("model"), local_model=given.get("local")
    )


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    names: set[str] = set()
    monkeypatch.setattr(check, "weights_installed", lambda name: name in names)
    monkeypatch.delenv("CODEX_LSP_LOCAL_MODEL", raising=False)
    monkeypatch.delenv("CODEX_LSP_LOCAL_MODEL_PATH", raising=False)
    return names


def test_the_better_reviewer_is_used_when_installed(installed: set[str]) -> None:
    installed.add("qwen2.5-coder-1.5b")
    assert check._settings(args()).local_model == "qwen2.5-coder-1.5b"


def test_without_it_the_default_model_stays(installed: set[str]) -> None:
    assert check._settings(args()).local_model == "qwen2.5-coder-0.5b"


def test_a_model_given_on_the_command_line_wins(installed: set[str]) -> None:
    installed.add("qwen2.5-coder-1.5b")
    assert check._settings(args(local="qwen2.5-coder-0.5b")).local_model == "qwen2.5-coder-0.5b"


def test_a_model_from_the_environment_wins(
    installed: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    installed.add("qwen2.5-coder-1.5b")
    monkeypatch.setenv("CODEX_LSP_LOCAL_MODEL", "qwen2.5-coder-0.5b")
    assert check._settings(args()).local_model == "qwen2.5-coder-0.5b"


def test_a_users_own_gguf_is_left_alone(
    installed: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    installed.add("qwen2.5-coder-1.5b")
    monkeypatch.setenv("CODEX_LSP_LOCAL_MODEL_PATH", "/models/mine.gguf")
    settings = check._settings(args())
    assert settings.local_model == "qwen2.5-coder-0.5b"
    assert settings.local_model_path == "/models/mine.gguf"
