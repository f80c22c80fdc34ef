"""Shared fixtures for the local-model tests: the real weights and process helpers."""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

import pytest

from codex_lsp.local.weights import LocalModelError, resolve_model_path

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def model_path(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real Qwen2.5-Coder-0.5B file, assembled once into pytest's persistent cache."""
    if importlib.util.find_spec("xllamacpp") is None:
        pytest.skip("xllamacpp is not installed: pip install 'codex-lsp[local]'")
    cache = pytestconfig.cache
    directory = (
        cache.mkdir("codex-lsp-models") if cache is not None else tmp_path_factory.mktemp("models")
    )
    try:
        return resolve_model_path(cache_dir=directory)
    except LocalModelError as error:
        pytest.skip(str(error))


@pytest.fixture(scope="session")
def model_1_5b(pytestconfig: pytest.Config) -> Path:
    """The real Qwen2.5-Coder-1.5B file, beside the 0.5B in pytest's persistent cache."""
    cache = pytestconfig.cache
    assert cache is not None
    try:
        return resolve_model_path("qwen2.5-coder-1.5b", cache_dir=cache.mkdir("codex-lsp-models"))
    except LocalModelError as error:
        if os.environ.get("CODEX_LSP_REQUIRE_EDITORS"):  # CI installs every extra
            raise
        pytest.skip(str(error))


def process_alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie (dead, not yet reaped by init) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel instead
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return True
        time.sleep(0.05)
    return not process_alive(pid)
