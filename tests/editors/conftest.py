"""Real editors, headless, against the real codex-lsp and the fake OpenAI server.

Each test runs one scenario script in Neovim or Emacs. The script loads the integration from
`editors/` the way its README says, opens `sample.py` in a fresh workspace and drives the
editor as a user would; it writes what it observed as JSON, which the test compares in full.
`codex-lsp` is found on PATH, with this checkout's virtualenv first. A missing editor skips its
tests with the reason, unless CODEX_LSP_REQUIRE_EDITORS=1 (then it fails); run
`scripts/setup_editors.sh` to install both.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.editors.support import (
    FINDING,
    FIXED_REGION,
    SAMPLE,
    SUGGESTION,
    Workspace,
    missing,
    search_path,
)
from tests.fake_openai import Answer, FakeOpenAI


@pytest.fixture(scope="session")
def nvim() -> str:
    """A Neovim >= 0.11 (native vim.lsp.config), preferring the one in the virtualenv."""
    found = shutil.which("nvim", path=search_path())
    if found is None:
        missing("nvim is not installed")
    head = subprocess.run(
        [found, "--version"], capture_output=True, text=True, timeout=30
    ).stdout.splitlines()
    match = re.match(r"NVIM v(\d+)\.(\d+)", head[0] if head else "")
    if match is None or (int(match[1]), int(match[2])) < (0, 11):
        missing(f"{found} is {head[0] if head else 'not Neovim'}; the tests need Neovim >= 0.11")
    return found


@pytest.fixture(scope="session")
def emacs() -> str:
    """An Emacs whose site setup makes eglot loadable (Debian's emacs-nox + elpa-eglot)."""
    found = shutil.which("emacs")
    if found is None:
        missing("emacs is not installed")
    probe = subprocess.run(
        [found, "--batch", "--eval", "(require 'eglot)"], capture_output=True, timeout=60
    )
    if probe.returncode != 0:
        missing("emacs cannot load eglot (Debian package elpa-eglot)")
    return found


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """The fake OpenAI server, answering every call of each feature the same way."""
    with FakeOpenAI(port=0) as server:
        server.script(
            Answer(
                json={"suggestions": [{"insert_text": SUGGESTION}]}, match="completion", times=-1
            ),
            Answer(json={"findings": [FINDING]}, match="review", times=-1),
            Answer(
                json={"rewrites": [{"replacement": FIXED_REGION, "explanation": "Use +."}]},
                match="rewrite",
                times=-1,
            ),
        )
        yield server


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    sample = root / "sample.py"
    sample.write_text(SAMPLE)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return Workspace(root, sample, scratch)
