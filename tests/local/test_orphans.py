"""The llama.cpp child must not outlive the language server, even one killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from .conftest import REPO_ROOT, wait_gone

PARENT = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from codex_lsp.local.server import LocalModelServer

    async def main():
        server = LocalModelServer(Path(sys.argv[1]))
        await server.ensure_started()
        print(server.pid, flush=True)
        await asyncio.sleep(3600)

    asyncio.run(main())
    """
)


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), **extra}


def test_sigkilled_parent_leaves_no_orphan(model_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(model_path)],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_env(),
        text=True,
    )
    try:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
    assert wait_gone(child_pid, 5), f"llama.cpp child {child_pid} outlived its parent"


def test_watchdog_alone_notices_a_dead_parent(model_path: Path) -> None:
    """A --parent-pid that is not the real parent exercises the polling fallback only."""
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    child = subprocess.Popen(
        [sys.executable, "-m", "codex_lsp.local.serve_child", "--model", str(model_path),
         "--parent-pid", str(stand_in.pid), "--ctx", "1024", "--parallel", "1"],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=_env(CODEX_LSP_LOCAL_API_KEY="watchdog-test"), text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        assert "listening" in child.stdout.readline()
        stand_in.kill()
        stand_in.wait(10)
        assert child.wait(5) == 1
    finally:
        stand_in.kill()
        child.kill()
        child.wait(10)
