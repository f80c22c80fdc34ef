"""Shared pieces of the editor tests: the sample, the scripted answers, running a scenario."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.fake_openai import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
TEST_KEY = "sk-test-editors-0123456789abcdef"
MODEL = "editor-test-model"  # set by the editors' test setup; every model call must name it

SAMPLE = "def add(a, b):\n    return a - b\n\n\ndef mean(values):\n    return sum(values) / \n"
SUGGESTION = "len(values)"
FINDING = {
    "line": 2,
    "snippet": "a - b",
    "severity": "error",
    "code": "wrong-operator",
    "message": "add() subtracts its arguments.",
}
# The fix rewrites the lines around the finding (two either side, clamped to the file).
FIXED_REGION = "def add(a, b):\n    return a + b\n\n"
FIXED = SAMPLE.replace("a - b", "a + b")
COMPLETED = SAMPLE.replace("sum(values) / ", "sum(values) / " + SUGGESTION)


def require_editors() -> bool:
    return os.environ.get("CODEX_LSP_REQUIRE_EDITORS") == "1"


def missing(reason: str) -> NoReturn:
    if require_editors():
        pytest.fail(f"{reason} (CODEX_LSP_REQUIRE_EDITORS=1); run scripts/setup_editors.sh")
    pytest.skip(f"{reason}; run scripts/setup_editors.sh to install it")


def search_path() -> str:
    return os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")])


@dataclass
class Workspace:
    root: Path
    sample: Path
    scratch: Path  # outside the workspace: editor state, logs, the scenario's output


def editor_env(fake: FakeOpenAI, workspace: Workspace, **extra: str) -> dict[str, str]:
    """The environment a user would start the editor from, isolated in the scratch folder."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_LSP_")}
    return {
        **inherited,
        "PATH": search_path(),
        "HOME": str(workspace.scratch),
        "XDG_CONFIG_HOME": str(workspace.scratch / "config"),
        "XDG_DATA_HOME": str(workspace.scratch / "data"),
        "XDG_STATE_HOME": str(workspace.scratch / "state"),
        "XDG_CACHE_HOME": str(workspace.scratch / "cache"),
        "OPENAI_API_KEY": TEST_KEY,
        "OPENAI_BASE_URL": fake.base_url,
        "CODEX_TEST_OUT": str(workspace.scratch / "observed.json"),
        **extra,
    }


def run_scenario(
    command: list[str], env: dict[str, str], workspace: Workspace, logs: list[Path]
) -> dict[str, Any]:
    """Run the editor; return what the scenario observed, or fail with everything it said."""
    out = Path(env["CODEX_TEST_OUT"])
    try:
        done = subprocess.run(
            command, env=env, cwd=workspace.root, capture_output=True, text=True, timeout=60
        )
        code, stderr = done.returncode, done.stderr
    except subprocess.TimeoutExpired as expired:
        raw = expired.stderr or b""
        code, stderr = None, raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    report = json.loads(out.read_text()) if out.exists() else {}
    if code != 0 or "error" in report:
        tails = "".join(
            f"\n--- {log.name} (tail) ---\n{log.read_text(errors='replace')[-6000:]}"
            for log in logs
            if log.exists()
        )
        pytest.fail(
            f"{command[0]} exited {code}: {report.get('error', 'no report')}\n"
            f"observed: {report.get('observed')}\n--- stderr ---\n{stderr[-3000:]}{tails}",
            pytrace=False,
        )
    observed = report["observed"]
    return observed if isinstance(observed, dict) else {}
