"""A timing LSP client: the real server over stdio, every message stamped as it crosses the pipe.

The overhead, streaming and memory benchmarks measure milliseconds, so the client must add as
little as it can between the pipe and the clock: a reader thread reads whole frames, stamps
each with `time.time()` the moment its body is in (before any JSON parsing), and answers the
server's own requests at once (`workspace/configuration` with the benchmark's settings,
progress creation, refreshes). `time.time()` is the fake OpenAI server's clock too
(`RequestRecord.received_at`, `delta_sent_at`, `ended_at`), so times compare across the three
parties on one machine. No asyncio: waiting is a condition variable, sending is one write.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
API_KEY = "sk-bench-0123456789abcdef0123456789"


@dataclass(frozen=True)
class Message:
    """One message from the server and when its last byte was read."""

    arrived: float
    body: dict[str, Any]

    @property
    def method(self) -> str | None:
        method = self.body.get("method")
        return method if isinstance(method, str) else None

    @property
    def params(self) -> Any:
        return self.body.get("params")


def server_env(base_url: str, state_dir: Path) -> dict[str, str]:
    """The server's whole environment: the fake OpenAI at `base_url`, state kept in `state_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_LSP_", "OPENAI_"))}
    return {
        **env,
        "OPENAI_API_KEY": API_KEY,
        "OPENAI_BASE_URL": base_url,
        "CODEX_LSP_CACHE_DIR": str(state_dir / "cache"),
        "CODEX_LSP_STATE_DIR": str(state_dir / "state"),
    }


def capabilities(*, pull: bool, progress: bool = True) -> dict[str, Any]:
    """A VS Code-like client (pull diagnostics, lazy resolve, versioned edits, progress) or,
    with `pull=False`, one that only takes pushed diagnostics (as eglot and Neovim's default)."""
    text_document: dict[str, Any] = {
        "synchronization": {"didSave": True, "dynamicRegistration": False},
        "inlineCompletion": {},
        "completion": {"completionItem": {"snippetSupport": False}},
        "publishDiagnostics": {"versionSupport": True},
        "codeAction": {
            "codeActionLiteralSupport": {
                "codeActionKind": {"valueSet": ["quickfix", "refactor", "refactor.rewrite"]}
            },
            "dataSupport": True,
            "resolveSupport": {"properties": ["edit"]},
        },
    }
    workspace: dict[str, Any] = {"workspaceEdit": {"documentChanges": True}, "configuration": True}
    if pull:
        text_document["diagnostic"] = {"dynamicRegistration": False}
        workspace["diagnostics"] = {"refreshSupport": True}
    return {
        "textDocument": text_document,
        "workspace": workspace,
        "window": {"workDoneProgress": progress},
    }


class WireClient:
    """One server process (`python -m codex_lsp` unless `command` says otherwise)."""

    def __init__(
        self,
        env: dict[str, str],
        settings: dict[str, Any],
        log_file: Path,
        command: Sequence[str] | None = None,
    ) -> None:
        self.settings = settings
        self._stderr = log_file.open("ab")
        self.process = subprocess.Popen(
            list(command or [sys.executable, "-m", "codex_lsp"]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            cwd=REPO_ROOT,
        )
        self.pid = self.process.pid
        self._ids = itertools.count(1)
        self._write_lock = threading.Lock()
        self._changed = threading.Condition()
        self._responses: dict[Any, Message] = {}
        self.notifications: list[Message] = []  # in arrival order
        self.server_requests: list[Message] = []
        self._reader = threading.Thread(target=self._read, name="lsp-reader", daemon=True)
        self._reader.start()

    # --- sending -------------------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> float:
        body = json.dumps({"jsonrpc": "2.0", **message}, separators=(",", ":")).encode()
        frame = b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        stdin = self.process.stdin
        assert stdin is not None
        with self._write_lock:
            sent = time.time()
            stdin.write(frame)
            stdin.flush()
        return sent

    def request(self, method: str, params: Any) -> tuple[int, float]:
        """Send a request; its id and when its first byte went into the pipe."""
        request_id = next(self._ids)
        return request_id, self._send({"id": request_id, "method": method, "params": params})

    def notify(self, method: str, params: Any) -> float:
        return self._send({"method": method, "params": params})

    def cancel(self, request_id: int) -> float:
        return self.notify("$/cancelRequest", {"id": request_id})

    # --- receiving -----------------------------------------------------------------------
    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        fd = stdout.fileno()
        buffer = b""
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                with self._changed:
                    self._changed.notify_all()
                return
            arrived = time.time()
            buffer += chunk
            while True:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    break
                header = buffer[:end].decode("ascii", "replace")
                length = next(
                    int(line.split(":", 1)[1])
                    for line in header.split("\r\n")
                    if line.lower().startswith("content-length")
                )
                if len(buffer) < end + 4 + length:
                    break
                body = buffer[end + 4 : end + 4 + length]
                buffer = buffer[end + 4 + length :]
                self._dispatch(Message(arrived, json.loads(body)))
            # A frame that spans reads is stamped when its last part arrives.

    def _dispatch(self, message: Message) -> None:
        body = message.body
        if "method" in body and "id" in body:
            self.server_requests.append(message)
            self._send({"id": body["id"], "result": self._answer(message)})
        with self._changed:
            if "method" not in body:
                self._responses[body.get("id")] = message
            elif "id" not in body:
                self.notifications.append(message)
            self._changed.notify_all()

    def _answer(self, message: Message) -> Any:
        if message.method == "workspace/configuration":
            items = (message.params or {}).get("items", [])
            return [self.settings if item.get("section") == "codexLsp" else None for item in items]
        if message.method == "workspace/applyEdit":
            return {"applied": True}
        return None

    def response(self, request_id: int, timeout_s: float = 60.0) -> Message:
        with self._changed:
            if not self._changed.wait_for(
                lambda: request_id in self._responses or self.process.poll() is not None,
                timeout_s,
            ):
                raise TimeoutError(f"no response to request {request_id} within {timeout_s} s")
            if request_id not in self._responses:
                raise RuntimeError(f"the server exited ({self.process.returncode})")
            return self._responses.pop(request_id)

    def call(self, method: str, params: Any, timeout_s: float = 60.0) -> tuple[float, Message]:
        """Request and wait: (sent, response)."""
        request_id, sent = self.request(method, params)
        return sent, self.response(request_id, timeout_s)

    def wait_notification(
        self, predicate: Callable[[Message], bool], start: int = 0, timeout_s: float = 30.0
    ) -> Message:
        """The first notification from index `start` on that satisfies `predicate`."""
        found: list[Message] = []

        def seen() -> bool:
            for message in self.notifications[start:]:
                if predicate(message):
                    found.append(message)
                    return True
            return False

        with self._changed:
            if not self._changed.wait_for(seen, timeout_s):
                raise TimeoutError("the awaited notification did not come")
        return found[0]

    # --- session -------------------------------------------------------------------------
    def initialize(self, caps: dict[str, Any]) -> Message:
        _, reply = self.call(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": caps,
                "initializationOptions": {"codexLsp": self.settings},
            },
        )
        self.notify("initialized", {})
        return reply

    def open(self, uri: str, text: str, version: int = 1) -> float:
        item = {"uri": uri, "languageId": "python", "version": version, "text": text}
        return self.notify("textDocument/didOpen", {"textDocument": item})

    def change(
        self, uri: str, version: int, line: int, character: int, text: str, end: int | None = None
    ) -> float:
        """Replace [line:character, line:end) with `text` (an insertion without `end`)."""
        start = {"line": line, "character": character}
        stop = {"line": line, "character": character if end is None else end}
        return self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": start, "end": stop}, "text": text}],
            },
        )

    def close_document(self, uri: str) -> float:
        return self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.call("shutdown", None, timeout_s=10)
            self.notify("exit", None)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._stderr.close()


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (peak RSS) and the other Vm* lines of /proc/PID/status, in kB."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name.startswith(("Vm", "Rss")) and rest.strip().endswith("kB"):
            values[name] = int(rest.split()[0])
    return values


def cpu_times(pid: int) -> dict[int, tuple[int, int]]:
    """Per thread of the process: nanoseconds it ran on a CPU, and waited ready for one (the
    scheduler's run queue: time lost to other processes on a busy machine), so far."""
    times: dict[int, tuple[int, int]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError, ValueError):  # a thread that just ended
            on_cpu, queued, _ = (task / "schedstat").read_text().split()
            times[int(task.name)] = (int(on_cpu), int(queued))
    return times


def cpu_spent(
    before: dict[int, tuple[int, int]], after: dict[int, tuple[int, int]]
) -> tuple[float, float]:
    """Milliseconds on a CPU and waiting for one between two `cpu_times` readings (threads
    started in between count from zero; threads that ended in between are lost)."""
    ran = waited = 0
    for tid, (on_cpu, queued) in after.items():
        was = before.get(tid, (0, 0))
        ran, waited = ran + on_cpu - was[0], waited + queued - was[1]
    return ran / 1e6, waited / 1e6


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: p99 of fewer than 100 values is their maximum."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]
