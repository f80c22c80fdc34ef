"""Small pure helpers of the local model server (no child process)."""

from __future__ import annotations

import os
import site
from pathlib import Path

import pytest

from codex_lsp.local import server


@pytest.mark.parametrize(("cpus", "threads"), [(1, 1), (2, 1), (4, 3), (16, 8)])
def test_default_threads(monkeypatch: pytest.MonkeyPatch, cpus: int, threads: int) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert server.default_threads() == threads


def test_ready_line_is_found_amid_log_noise() -> None:
    line = 'warn: x {"codex_lsp_local": "listening", "url": "http://127.0.0.1:5"}'
    assert server._ready_url(line) == "http://127.0.0.1:5"
    assert server._ready_url("codex_lsp_local but {not json") is None
    assert server._ready_url("llama.cpp says hello") is None


def test_child_env_points_at_this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    root = str(Path(server.__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    assert server._child_env()["PYTHONPATH"] == root + os.pathsep + "/elsewhere"
    monkeypatch.setattr(site, "getsitepackages", lambda: [root])  # as if installed normally
    assert server._child_env()["PYTHONPATH"] == "/elsewhere"


def test_rejects_a_context_too_small_for_its_slots() -> None:
    with pytest.raises(ValueError, match="too small"):
        server.LocalModelServer(Path("x.gguf"), ctx=256, parallel=2)
