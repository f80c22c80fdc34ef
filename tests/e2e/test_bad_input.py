"""Hostile and careless LSP input, at the wire: every request gets an answer, the server stays
up and keeps serving, and stdout carries nothing but well-formed LSP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import TEST_KEY
from tests.e2e.raw import RawServer
from tests.fake_openai import Answer, FakeOpenAI

URI = "file:///w/app.py"
OTHER = "file:///w/other.py"
INVALID_PARAMS, NOT_INITIALIZED, INVALID_REQUEST, METHOD_NOT_FOUND = -32602, -32002, -32600, -32601


@pytest.fixture
def raw(fake: FakeOpenAI, tmp_path: Path) -> Iterator[RawServer]:
    fake.script(Answer(json={"suggestions": [{"insert_text": "pass"}]}, times=-1))
    server = RawServer(
        {
            "OPENAI_API_KEY": TEST_KEY,
            "OPENAI_BASE_URL": fake.base_url,
            "CODEX_LSP_CACHE_DIR": str(tmp_path / "cache"),
            "CODEX_LSP_STATE_DIR": str(tmp_path / "state"),
        }
    )
    yield server
    server.close()
    stdout = bytes(server.stdout_bytes)
    assert TEST_KEY.encode() not in stdout and TEST_KEY.encode() not in server.stderr


def completion(uri: str, line: int, character: int) -> dict[str, object]:
    return {
        "textDocument": {"uri": uri},
        "position": {"line": line, "character": character},
        "context": {"triggerKind": 1},
    }


def still_serving(raw: RawServer) -> None:
    """A normal request on a normal document is answered with a suggestion."""
    raw.open(OTHER, "def f():\n    ")
    reply = raw.answer(raw.request("textDocument/completion", completion(OTHER, 1, 4)))
    assert "result" in reply and reply["result"]["items"], reply
    assert raw.alive()


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("textDocument/completion", {"textDocument": {"uri": URI}}),
        ("textDocument/completion", completion(URI, -1, -5)),
        (
            "textDocument/codeAction",
            {
                "textDocument": {"uri": URI},
                "range": {"start": {"line": -1, "character": 0}, "end": "nowhere"},
                "context": {"diagnostics": []},
            },
        ),
        ("textDocument/inlineCompletion", {"textDocument": 7, "position": None}),
        ("textDocument/diagnostic", {"previousResultId": "1"}),
        ("codeAction/resolve", {"kind": "quickfix"}),
    ],
    ids=[
        "missing-position",
        "negative-position",
        "code-action-bad-range",
        "inline-wrong-types",
        "diagnostic-without-a-document",
        "resolve-without-a-title",
    ],
)
def test_invalid_params_get_an_error_reply(raw: RawServer, method: str, params: object) -> None:
    raw.initialize()
    raw.open(URI, "x = 1\n")
    reply = raw.answer(raw.request(method, params))
    assert reply.get("error", {}).get("code") == INVALID_PARAMS, reply
    still_serving(raw)


def test_requests_before_initialize_and_a_second_initialize_are_refused(raw: RawServer) -> None:
    early = raw.answer(raw.request("textDocument/completion", completion(URI, 0, 0)))
    assert early["error"]["code"] == NOT_INITIALIZED
    raw.initialize()
    raw.open(OTHER, "def f():\n    ")
    again = raw.answer(
        raw.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    )
    assert again["error"]["code"] == INVALID_REQUEST
    # The second initialize did not reset the workspace: the open document is still there.
    reply = raw.answer(raw.request("textDocument/completion", completion(OTHER, 1, 4)))
    assert reply["result"]["items"]


def test_unknown_methods_malformed_frames_and_garbage_leave_it_serving(raw: RawServer) -> None:
    raw.initialize()
    unknown = raw.answer(raw.request("codexLsp/noSuchThing", {}))
    assert unknown["error"]["code"] == METHOD_NOT_FOUND
    raw.notify("$/noSuchNotification", {"x": 1})
    raw.send_bytes(b"Content-Length: 12\r\n\r\n{not json!!}")
    raw.send_bytes(b"Content-Length: 2\r\n\r\n[]")
    raw.send_bytes(b"Content-Length: 4\r\n\r\nnull")
    raw.send_bytes(b"X-Nonsense: yes\r\nContent-Length: 2\r\n\r\n{}")
    raw.send_bytes(b'Content-Length: 30\r\n\r\n{"jsonrpc": "2.0", "method": 5}')
    raw.send_bytes(b"x" * (3 * 2**20) + b"\r\n")  # a "header" line over the reader's limit
    still_serving(raw)


def test_lone_surrogates_do_not_poison_the_document_or_the_server(raw: RawServer) -> None:
    raw.initialize()
    # json.dumps writes a lone surrogate as the escape \ud800, which JSON allows.
    raw.open(URI, "name = 'caf\ud800'\ndef g():\n    ")
    for _ in range(3):
        reply = raw.answer(raw.request("textDocument/completion", completion(URI, 2, 4)))
        assert "result" in reply and reply["result"]["items"], reply
    still_serving(raw)


def test_rapid_open_change_close_cycles_and_out_of_range_changes(raw: RawServer) -> None:
    raw.initialize()
    for n in range(200):
        uri = f"file:///w/churn{n % 7}.py"
        raw.open(uri, f"x = {n}\n")
        raw.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": 90, "character": 0},
                            "end": {"line": 99, "character": 9},
                        },
                        "text": "y = 2\n",
                    }
                ],
            },
        )
        raw.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    still_serving(raw)


def test_a_cheap_request_is_answered_while_a_huge_document_is_open(raw: RawServer) -> None:
    raw.initialize()
    huge = "x = 'a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a'\n" * 70_000
    assert len(huge) > 5_000_000
    raw.open(URI, huge)
    raw.answer(raw.request("textDocument/completion", completion(URI, 10, 3)), within_s=30)
    waits = []
    for _ in range(5):
        started = time.monotonic()
        raw.answer(raw.request("workspace/executeCommand", {"command": "codexLsp.usage"}))
        waits.append(time.monotonic() - started)
    # Generous for a shared CI machine; the old server took 1.9 s (benchmarks/ has the figure).
    assert min(waits) < 0.25, waits


def test_a_cheap_request_is_answered_while_a_64kb_adversarial_line_is_processed(
    raw: RawServer,
) -> None:
    raw.initialize()
    line = "path = '" + "a." * 32_768 + "'"  # once 41 s of redaction on the event loop
    raw.open(URI, line + "\n" + "def f():\n    return 1\n" * 200)
    completion_id = raw.request("textDocument/completion", completion(URI, 0, 20))
    waits = []
    for _ in range(5):
        started = time.monotonic()
        raw.answer(raw.request("workspace/executeCommand", {"command": "codexLsp.usage"}))
        waits.append(time.monotonic() - started)
    raw.answer(completion_id, within_s=30)
    assert max(waits) < 1.0 and min(waits) < 0.2, waits


def test_stdout_carries_only_lsp_frames(raw: RawServer) -> None:
    raw.initialize()
    raw.open(URI, "def f():\n    ")
    raw.answer(raw.request("textDocument/completion", completion(URI, 1, 4)))
    raw.answer(raw.request("shutdown", None))
    raw.notify("exit", None)
    raw.process.wait(timeout=10)
    data = bytes(raw.stdout_bytes)
    while data:
        header, _, rest = data.partition(b"\r\n\r\n")
        fields = dict(line.split(b": ", 1) for line in header.split(b"\r\n"))
        assert set(fields) <= {b"Content-Length", b"Content-Type"}, header
        length = int(fields[b"Content-Length"])
        json.loads(rest[:length])
        data = rest[length:]
