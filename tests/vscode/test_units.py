"""The extension's trust decisions, without VS Code: `settings.ts` and `serverCommand.ts` bundled
by esbuild and run by Node against a stand-in `vscode` module (`units/`), one scenario a row.

- A base URL or model path the user set in their user settings goes to the server as its
  environment (which the server trusts), not over LSP; a value from anywhere else is sent over
  LSP, where the server asks the user first.
- The Python fallback runs `python -P -m codex_lsp`, so a workspace's files cannot shadow the
  server's imports; in Restricted Mode nothing from the workspace folder is run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.vscode.harness import EXTENSION, NODE_BIN, SETUP_HINT

UNITS = Path(__file__).resolve().parent / "units"
ESBUILD = EXTENSION / "node_modules" / ".bin" / "esbuild"
PYTHON = sys.executable  # codex_lsp imports here


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ESBUILD.exists() and (NODE_BIN / "node").exists()):
        if os.environ.get("CODEX_LSP_REQUIRE_EDITORS") == "1":
            pytest.fail(f"esbuild or Node missing; {SETUP_HINT}")
        pytest.skip(f"esbuild or Node missing; {SETUP_HINT}")
    out = tmp_path_factory.mktemp("units")
    stub = out / "node_modules" / "vscode"
    stub.mkdir(parents=True)
    shutil.copy(UNITS / "vscode_stub.js", stub / "index.js")
    subprocess.run(
        [str(ESBUILD), str(UNITS / "entry.ts"), "--bundle", "--platform=node", "--format=cjs",
         "--external:vscode", f"--outfile={out / 'units.js'}", "--log-level=warning"],
        check=True, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return out / "units.js"


def run(bundle: Path, scenario: dict[str, Any], *, cwd: Path, path: str) -> dict[str, Any]:
    done = subprocess.run(
        [str(NODE_BIN / "node"), str(UNITS / "run.js"), str(bundle), json.dumps(scenario)],
        env={"PATH": path, "HOME": str(cwd), "NODE_PATH": str(bundle.parent / "node_modules")},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


# --- settings: over LSP, or in the environment -------------------------------------------------

USER_URL = "http://127.0.0.1:8000/v1"
REPO_URL = "https://collector.example/v1"
KEYS = ["model", "baseUrl", "localModelPath"]

SETTINGS_ROWS = [
    pytest.param(
        {
            "model": {"value": "m"},
            "baseUrl": {"value": USER_URL, "globalValue": USER_URL},
            "localModelPath": {"value": "/models/a.gguf", "globalValue": "/models/a.gguf"},
        },
        {"model": "m"},
        {"OPENAI_BASE_URL": USER_URL, "CODEX_LSP_LOCAL_MODEL_PATH": "/models/a.gguf"},
        id="user-values-go-in-the-environment",
    ),
    pytest.param(
        # VS Code ignores a workspace value of a machine setting; were one to get through, it
        # would go over LSP (the server asks) and never into the environment.
        {
            "model": {"value": "m"},
            "baseUrl": {"value": REPO_URL, "workspaceValue": REPO_URL},
            "localModelPath": {"value": None},
        },
        {"model": "m", "baseUrl": REPO_URL},
        {},
        id="a-value-from-elsewhere-goes-over-lsp",
    ),
    pytest.param(
        {
            "model": {"value": "m"},
            "baseUrl": {"value": USER_URL, "globalValue": USER_URL, "workspaceValue": REPO_URL},
            "localModelPath": {"value": None},
        },
        {"model": "m"},
        {"OPENAI_BASE_URL": USER_URL},
        id="the-workspace-value-is-never-used",
    ),
]


@pytest.mark.parametrize(("config", "sent", "environment"), SETTINGS_ROWS)
def test_consent_settings_from_the_user_travel_in_the_environment(
    bundle: Path,
    tmp_path: Path,
    config: dict[str, Any],
    sent: dict[str, Any],
    environment: dict[str, str],
) -> None:
    scenario = {"trusted": True, "config": config, "keys": KEYS}
    settings = run(bundle, {**scenario, "call": "serverSettings"}, cwd=tmp_path, path="/usr/bin")
    env = run(bundle, {**scenario, "call": "userEnvironment"}, cwd=tmp_path, path="/usr/bin")
    assert settings["result"] == sent
    assert env["result"] == environment


EXCLUDE_KEYS = ["exclude", "excludeGitIgnored"]
EXCLUDE_ROWS = [
    pytest.param(
        {
            "exclude": {"value": [], "globalValue": ["customers/**"], "workspaceValue": []},
            "excludeGitIgnored": {
                "value": False,
                "globalValue": True,
                "workspaceValue": False,
            },
        },
        {"exclude": ["customers/**"], "excludeGitIgnored": True},
        id="a-workspace-cannot-drop-the-users-exclusions",
    ),
    pytest.param(
        {
            "exclude": {
                "value": ["*.dump"],
                "globalValue": ["customers/**"],
                "workspaceValue": ["*.dump"],
            },
            "excludeGitIgnored": {"value": True, "workspaceValue": True},
        },
        {"exclude": ["customers/**", "*.dump"], "excludeGitIgnored": True},
        id="a-workspace-adds-to-them",
    ),
]


@pytest.mark.parametrize(("config", "sent"), EXCLUDE_ROWS)
def test_exclusions_from_the_user_stay_whatever_the_workspace_says(
    bundle: Path, tmp_path: Path, config: dict[str, Any], sent: dict[str, Any]
) -> None:
    """VS Code lets a workspace value replace the user's (an array is not merged): a
    repository's `"codexLsp.exclude": []` dropped the files the user excluded, and its
    `"excludeGitIgnored": false` the git-ignored ones, so they were sent."""
    scenario = {"trusted": True, "config": config, "keys": EXCLUDE_KEYS, "call": "serverSettings"}
    assert run(bundle, scenario, cwd=tmp_path, path="/usr/bin")["result"] == sent


# --- which program runs -----------------------------------------------------------------------

PYTHON_FALLBACK = {
    "command": PYTHON,
    "args": ["-P", "-m", "codex_lsp"],
    "source": "the Python extension's interpreter",
}
NOT_TRUSTED = "the workspace is not trusted: the Python extension's interpreter is not run"
FOLDER_COMMAND = "codexLsp.server.command names the workspace folder, which is not trusted: not run"


@pytest.mark.parametrize(
    ("trusted", "command", "found", "skipped"),
    [
        pytest.param(True, [], PYTHON_FALLBACK, [], id="python-fallback-with-P"),
        pytest.param(False, [], None, [NOT_TRUSTED], id="restricted-mode-runs-no-interpreter"),
        pytest.param(
            True,
            ["${workspaceFolder}/bin/codex-lsp"],
            {
                "command": "WS/bin/codex-lsp",
                "args": [],
                "source": "setting codexLsp.server.command",
            },
            [],
            id="trusted-folder-command",
        ),
        pytest.param(
            False,
            ["${workspaceFolder}/bin/codex-lsp"],
            None,
            [FOLDER_COMMAND, NOT_TRUSTED],
            id="restricted-mode-runs-no-folder-command",
        ),
        pytest.param(
            False,
            ["/opt/codex/bin/codex-lsp", "--log-level", "DEBUG"],
            {
                "command": "/opt/codex/bin/codex-lsp",
                "args": ["--log-level", "DEBUG"],
                "source": "setting codexLsp.server.command",
            },
            [],
            id="restricted-mode-keeps-the-users-own-command",
        ),
    ],
)
def test_which_server_runs(
    bundle: Path,
    tmp_path: Path,
    trusted: bool,
    command: list[str],
    found: dict[str, Any] | None,
    skipped: list[str],
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    config = {"server.command": {"value": command}}
    scenario = {
        "call": "findServer",
        "trusted": trusted,
        "config": config,
        "python": PYTHON,
        "workspaceFolder": str(workspace),
    }
    # A relative PATH entry must not find the workspace's own `codex-lsp`.
    _executable(workspace / "codex-lsp")
    observed = run(bundle, scenario, cwd=workspace, path=f".{os.pathsep}/usr/bin{os.pathsep}/bin")
    if found is not None:
        found = {**found, "command": found["command"].replace("WS", str(workspace))}
    assert observed == {"result": found, "skipped": skipped}


def test_the_python_fallback_ignores_a_shadowing_package(bundle: Path, tmp_path: Path) -> None:
    """What findServer returns, run in a folder whose `codex_lsp/` would win without -P."""
    shadow = tmp_path / "codex_lsp"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("")
    (shadow / "__main__.py").write_text("print('shadowed')\n")
    scenario = {"call": "findServer", "trusted": True, "config": {}, "python": PYTHON}
    found = run(bundle, scenario, cwd=tmp_path, path="/usr/bin")["result"]
    done = subprocess.run(
        [found["command"], *found["args"], "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "shadowed" not in done.stdout and "usage: codex-lsp" in done.stdout


def _executable(path: Path) -> None:
    path.write_text("#!/bin/sh\necho from the workspace\n")
    path.chmod(0o755)
