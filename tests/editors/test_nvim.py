"""Neovim (>= 0.11, headless) with editors/nvim/lsp/codex_lsp.lua against the real server.

Neovim announces pull diagnostics and code action resolve support, so these tests cover the
server's pull and resolve paths as a real client drives them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.editors.support import (
    COMPLETED,
    FIXED,
    HERE,
    MODEL,
    ROOT,
    SAMPLE,
    SUGGESTION,
    Workspace,
    editor_env,
    run_scenario,
)
from tests.fake_openai import FakeOpenAI

SCENARIOS = HERE / "nvim"


def run_nvim(
    nvim: str, fake: FakeOpenAI, workspace: Workspace, scenario: str, **env: str
) -> dict[str, Any]:
    environment = editor_env(
        fake,
        workspace,
        CODEX_NVIM_PLUGIN=str(ROOT / "editors" / "nvim"),
        CODEX_SCENARIO=str(SCENARIOS / f"{scenario}.lua"),
        **env,
    )
    command = [nvim, "--headless", "--clean", "-u", str(SCENARIOS / "init.lua"), "sample.py"]
    lsp_log = Path(environment["XDG_STATE_HOME"]) / "nvim" / "lsp.log"
    return run_scenario(command, environment, workspace, logs=[lsp_log])


def models_called(fake: FakeOpenAI) -> set[str | None]:
    return {record.model for record in fake.requests}


def test_completion_menu_inserts_the_suggestion(
    nvim: str, fake: FakeOpenAI, workspace: Workspace
) -> None:
    observed = run_nvim(nvim, fake, workspace, "completion")

    assert observed == {
        "items": [{"word": SUGGESTION, "abbr": SUGGESTION, "menu": "codex-lsp", "kind": "Text"}],
        "text": COMPLETED.rstrip("\n"),
    }
    assert models_called(fake) == {MODEL}  # the settings from vim.lsp.config reached the server


def test_inline_completion_shows_ghost_text_and_accepts_it(
    nvim: str, fake: FakeOpenAI, workspace: Workspace
) -> None:
    observed = run_nvim(nvim, fake, workspace, "inline_completion")

    assert observed == {
        "server_offers_inline_completion": True,
        "ghost_text": SUGGESTION,
        "text": COMPLETED.rstrip("\n"),
    }


def test_diagnostics_are_pulled_into_vim_diagnostic(
    nvim: str, fake: FakeOpenAI, workspace: Workspace
) -> None:
    observed = run_nvim(nvim, fake, workspace, "diagnostics")

    assert observed == {
        "pull": True,
        "diagnostics": [
            {
                "lnum": 1,
                "col": 11,
                "end_lnum": 1,
                "end_col": 16,
                "severity": "ERROR",
                "source": "codex-lsp",
                "code": "wrong-operator",
                "message": "add() subtracts its arguments.",
            }
        ],
    }


def test_code_action_is_resolved_and_its_edit_applied(
    nvim: str, fake: FakeOpenAI, workspace: Workspace
) -> None:
    observed = run_nvim(nvim, fake, workspace, "code_action")

    assert observed == {
        "offered": ["AI: fix 'add() subtracts its arguments.'"],
        "methods": ["textDocument/codeAction", "codeAction/resolve"],
        "messages": [],
        "text": FIXED.rstrip("\n"),
    }
    assert workspace.sample.read_text() == SAMPLE  # applied to the buffer, not saved


def test_code_action_asked_for_by_kind(nvim: str, fake: FakeOpenAI, workspace: Workspace) -> None:
    observed = run_nvim(nvim, fake, workspace, "code_action", CODEX_ACTION_KIND="quickfix")

    assert observed["messages"] == []
    assert observed["text"] == FIXED.rstrip("\n")
