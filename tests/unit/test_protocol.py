"""JSON-RPC after `shutdown`: the specification asks that requests get InvalidRequest (pygls
drops them without a reply, so a client waiting on one waits forever)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.raw import RawServer

INVALID_REQUEST = -32600


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[RawServer]:
    server = RawServer(
        {
            "OPENAI_API_KEY": "sk-test-protocol-0123456789",
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "CODEX_LSP_CACHE_DIR": str(tmp_path / "cache"),
            "CODEX_LSP_STATE_DIR": str(tmp_path / "state"),
        }
    )
    yield server
    server.close()


def test_requests_after_shutdown_get_invalid_request_and_exit_still_ends_it(
    raw: RawServer,
) -> None:
    raw.initialize()
    assert "result" in raw.answer(raw.request("shutdown", None))
    completion = {
        "textDocument": {"uri": "file:///w/a.py"},
        "position": {"line": 0, "character": 0},
    }
    for method, params in [
        ("textDocument/completion", completion),
        ("workspace/executeCommand", {"command": "codexLsp.usage"}),
        ("shutdown", None),
    ]:
        reply = raw.answer(raw.request(method, params), within_s=10)
        assert reply.get("error", {}).get("code") == INVALID_REQUEST, (method, reply)
    raw.notify("textDocument/didOpen", {"nonsense": True})  # notifications: dropped, no reply
    raw.notify("exit", None)
    assert raw.process.wait(timeout=10) == 0
