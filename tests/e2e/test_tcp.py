"""`codex-lsp --tcp` serves exactly one client: a second connection is refused and cannot
steer the first one's session; the server stops when its client leaves."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fake_openai import FakeOpenAI

TEST_KEY = "sk-test-tcp-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Rpc:
    """A minimal JSON-RPC client over a socket: enough to drive a session by hand."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""
        self.next_id = 0

    def send(self, method: str, params: Any, request: bool = True) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return message.get("id")

    def receive(self) -> dict[str, Any]:
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        header, _, rest = self.buffer.partition(b"\r\n\r\n")
        length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
        while len(rest) < length:
            self.buffer = header + b"\r\n\r\n" + rest
            self._read()
            header, _, rest = self.buffer.partition(b"\r\n\r\n")
        self.buffer = rest[length:]
        return json.loads(rest[:length])  # type: ignore[no-any-return]

    def answer_to(self, request_id: int | None) -> dict[str, Any]:
        while True:
            message = self.receive()
            if message.get("id") == request_id and "method" not in message:
                return message
            if "method" in message and "id" in message:  # a request from the server
                reply = {"jsonrpc": "2.0", "id": message["id"], "result": None}
                if message["method"] == "workspace/configuration":
                    reply["result"] = [None]
                body = json.dumps(reply).encode()
                self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def tcp_server(fake: FakeOpenAI, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    env = {
        **os.environ,
        "OPENAI_API_KEY": TEST_KEY,
        "OPENAI_BASE_URL": fake.base_url,
        "CODEX_LSP_CACHE_DIR": str(tmp_path / "cache"),
        "CODEX_LSP_STATE_DIR": str(tmp_path / "state"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "codex_lsp", "--tcp", str(port)],  # 127.0.0.1 by default
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    yield process, port
    process.kill()
    process.wait()


def connect(port: int, within_s: float = 20) -> Rpc:
    deadline = time.monotonic() + within_s
    while True:
        try:
            return Rpc(port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def initialize(rpc: Rpc) -> None:
    request = rpc.send("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    assert "result" in rpc.answer_to(request)
    rpc.send("initialized", {}, request=False)


def second_client_is_refused(port: int) -> bool:
    try:
        intruder = Rpc(port)
    except OSError:
        return True  # the listener is closed: connection refused
    try:
        intruder.send(
            "workspace/didChangeConfiguration",
            {"settings": {"codexLsp": {"baseUrl": "http://127.0.0.1:1/v1"}}},
            request=False,
        )
        intruder.send("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        intruder.sock.settimeout(3)
        intruder.receive()
    except (ConnectionError, OSError):
        return True
    finally:
        intruder.close()
    return False


def test_a_second_tcp_client_is_refused_and_the_first_keeps_its_session(
    tcp_server: tuple[subprocess.Popen[bytes], int], fake: FakeOpenAI
) -> None:
    process, port = tcp_server
    owner = connect(port)
    initialize(owner)

    assert second_client_is_refused(port)

    uri = "file:///w/app.py"
    owner.send(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}},
        request=False,
    )
    request = owner.send(
        "textDocument/completion",
        {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 0}},
    )
    answer = owner.answer_to(request)
    assert "result" in answer  # the reply came to the owner, not to the intruder
    assert fake.requests and all(
        r.headers.get("authorization") == f"Bearer {TEST_KEY}" for r in fake.requests
    )
    assert process.poll() is None  # the intruder leaving did not end the session

    owner.close()
    assert process.wait(timeout=10) == 0  # its client left: the server stops


def test_tcp_refuses_an_address_other_hosts_can_reach_unless_asked() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codex_lsp", "--tcp", f"0.0.0.0:{free_port()}"],
        capture_output=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert b"--allow-remote" in result.stderr
    assert result.stdout == b""
