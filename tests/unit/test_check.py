"""`codex-lsp check` (and the server) review with the embedded model that reviews best unless
the user chose one."""

from __future__ import annotations

import argparse

import pytest

from codex_lsp import check
from codex_lsp.doctor import _local_models
from codex_lsp.local import weights
from codex_lsp.providers import local
from codex_lsp.settings import Settings


def args(**given: str | None) -> argparse.Namespace:
    return argparse.Namespace(
        backend=given.get("backend"),
        model=given.get("model"),
        local_model=given.get("local"),
        budget_usd=None,
    )


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    names: set[str] = set()
    monkeypatch.setattr(local, "weights_installed", lambda name: name in names)
    monkeypatch.setattr(weights, "weights_installed", lambda name: name in names)  # doctor's
    monkeypatch.delenv("CODEX_LSP_LOCAL_MODEL", raising=False)
    monkeypatch.delenv("CODEX_LSP_LOCAL_REVIEW_MODEL", raising=False)
    monkeypatch.delenv("CODEX_LSP_LOCAL_MODEL_PATH", raising=False)
    return names


def reviewer(given: argparse.Namespace) -> str:
    return local.review_model(check._settings(given))


def test_the_better_reviewer_is_used_when_installed(installed: set[str]) -> None:
    installed.add("qwen2.5-coder-1.5b")
    assert reviewer(args()) == "qwen2.5-coder-1.5b"
    assert check._settings(args()).local_model == "qwen2.5-coder-0.5b"  # completions stay fast


def test_without_it_the_default_model_reviews(installed: set[str]) -> None:
    assert reviewer(args()) == "qwen2.5-coder-0.5b"


def test_a_model_given_on_the_command_line_wins(installed: set[str]) -> None:
    installed.add("qwen2.5-coder-1.5b")
    assert reviewer(args(local="qwen2.5-coder-0.5b")) == "qwen2.5-coder-0.5b"


def test_a_model_from_the_environment_wins(
    installed: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    installed.add("qwen2.5-coder-1.5b")
    monkeypatch.setenv("CODEX_LSP_LOCAL_MODEL", "qwen2.5-coder-0.5b")
    assert reviewer(args()) == "qwen2.5-coder-0.5b"


def test_a_review_model_from_the_environment_wins(
    installed: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEX_LSP_LOCAL_REVIEW_MODEL", "qwen2.5-coder-1.5b")
    assert reviewer(args()) == "qwen2.5-coder-1.5b"


def test_a_users_own_gguf_reviews_too(installed: set[str], monkeypatch: pytest.MonkeyPatch) -> None:
    installed.add("qwen2.5-coder-1.5b")
    monkeypatch.setenv("CODEX_LSP_LOCAL_MODEL_PATH", "/models/mine.gguf")
    settings = check._settings(args())
    assert reviewer(args()) == settings.local_model == "qwen2.5-coder-0.5b"
    assert settings.local_model_path == "/models/mine.gguf"


def test_doctor_names_the_model_for_each_job(installed: set[str]) -> None:
    installed.update({"qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"})
    assert _local_models(Settings()) == (
        "local models: qwen2.5-coder-0.5b (completions, line scan), "
        "qwen2.5-coder-1.5b (reviews and fixes, line scan's second opinion)\n"
    )
    assert "/m.gguf (completions, reviews and fixes)" in _local_models(
        Settings(local_model_path="/m.gguf")
    )
