"""JSON-RPC at the edges: after `shutdown` the specification asks that requests get
InvalidRequest (pygls drops them without a reply, so a client waiting on one waits forever);
the server's own request to a client that never answers it, or answers what cannot be read."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codex_lsp.server import SETTINGS_WAIT_S
from tests.e2e.raw import RawServer
from tests.fake_openai import Answer, FakeOpenAI

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


class ConfigurationClient(RawServer):
    """Answers the server's workspace/configuration request with `reply` (None: never)."""

    reply: object = None

    def answer(self, request_id: int, within_s: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if "method" in message and "id" in message:
                if message["method"] != "workspace/configuration":
                    self.send({"id": message["id"], "result": None})
                elif self.reply is not None:
                    self.send({"id": message["id"], "result": self.reply})
            elif message.get("id") == request_id:
                return message
        raise TimeoutError(f"no answer to request {request_id} within {within_s} s")


@pytest.mark.parametrize("reply", [None, 5], ids=["never", "unreadable"])
def test_a_client_that_never_answers_workspace_configuration_costs_one_wait_at_most(
    reply: object, tmp_path: Path
) -> None:
    """Requests wait up to SETTINGS_WAIT_S for the client's settings; a client that never
    answered (or answered what cannot be read) cost every request that wait, forever."""
    with FakeOpenAI(port=0) as fake:
        fake.script(Answer(json={"suggestions": [{"insert_text": "pass"}]}, times=-1))
        client = ConfigurationClient(
            {
                "OPENAI_API_KEY": "sk-test-protocol-0123456789",
                "OPENAI_BASE_URL": fake.base_url,
                "CODEX_LSP_CACHE_DIR": str(tmp_path / "cache"),
                "CODEX_LSP_STATE_DIR": str(tmp_path / "state"),
            }
        )
        client.reply = reply
        try:
            client.initialize({"workspace": {"configuration": True}})
            client.open("file:///w/a.py", "def f():\n    ")
            completion = {
                "textDocument": {"uri": "file:///w/a.py"},
                "position": {"line": 1, "character": 4},
            }
            started = time.monotonic()
            assert client.answer(client.request("textDocument/completion", completion))["result"]
            first = time.monotonic() - started
            if reply is not None:  # an unreadable answer fails the server's request at once
                assert first < SETTINGS_WAIT_S / 2, first
            waits = []
            for _ in range(3):
                started = time.monotonic()
                reply_ = client.answer(client.request("textDocument/completion", completion))
                waits.append(time.monotonic() - started)
                assert reply_["result"]["items"]
            assert max(waits) < SETTINGS_WAIT_S / 2, waits  # each waited 3.0 s before
        finally:
            client.close()
