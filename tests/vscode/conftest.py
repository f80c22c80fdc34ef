"""Fixtures for the VS Code tests: the installed tools (or a skip that says what is missing and
how to install it; a failure instead when CODEX_LSP_REQUIRE_EDITORS=1, as in CI) and the packaged
extension and test driver, built once per session into a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

from tests.vscode.harness import (
    DRIVER,
    EXTENSION,
    SETUP_HINT,
    Tools,
    find_tools,
    missing_build_tools,
    package,
)


def missing(reason: str) -> NoReturn:
    if os.environ.get("CODEX_LSP_REQUIRE_EDITORS") == "1":
        pytest.fail(f"{reason} (CODEX_LSP_REQUIRE_EDITORS=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def tools() -> Tools:
    found, reason = find_tools()
    if found is None:
        missing(reason)
    return found


@pytest.fixture(scope="session")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """[the extension, the test driver], each packaged by vsce."""
    absent = missing_build_tools()
    if absent:
        missing(f"not installed: {', '.join(absent)}; {SETUP_HINT}")
    out = tmp_path_factory.mktemp("vsix")
    return [
        package(EXTENSION, out / "codex-lsp.vsix"),
        package(DRIVER, out / "codex-lsp-test-driver.vsix"),
    ]
