"""The server reads stdin whatever it is: a pipe (read by the event loop), a regular file or
/dev/null (read by pygls' thread reader; epoll refuses them), and ends at the end of input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from subprocess import CompletedProcess
from typing import IO

import pytest

EXIT = b'{"jsonrpc": "2.0", "method": "exit"}'
FRAME = b"Content-Length: %d\r\n\r\n%s" % (len(EXIT), EXIT)


def serve(stdin: int | IO[bytes] | None, data: bytes | None = None) -> CompletedProcess[bytes]:
    """`stdin=None` with `data`: a pipe the data is written to, then closed."""
    return subprocess.run(
        [sys.executable, "-m", "codex_lsp"],
        stdin=stdin,
        input=data,
        capture_output=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize("data", [b"", FRAME], ids=["empty", "exit"])
def test_a_pipe_read_to_its_end(data: bytes) -> None:
    done = serve(None, data)
    assert done.returncode == 0
    assert done.stdout == b""  # nothing but LSP frames, and nothing was asked


def test_dev_null_ends_the_session_at_once() -> None:
    done = serve(subprocess.DEVNULL)
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr


def test_a_regular_file_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "input"
    path.write_bytes(FRAME)
    with path.open("rb") as stdin:
        done = serve(stdin)
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr
