"""One timed session: a real server, the in-process fake OpenAI with no latency, one open
document mirrored on the client side, and samples of what each request cost the server.

A sample is one LSP request and the model calls it caused. With `sent` (the request's first
byte into the server's stdin) and `answered` (its response's last byte out of the server's
stdout) on the client, and each call's `received_at` and `ended_at` on the fake, all on one
clock (`time.time()`):

- in -> out: first call received - sent (the server's work before it asks the model);
- end -> out: answered - last call ended (its work after the model's last byte);
- added: (answered - sent) minus the time any call was open: what the user waits for on top
  of the model (for one call, in -> out plus end -> out).

Each sample is preceded by the same method against a document that is not open, which the
server answers at once: the empty round trip (JSON-RPC, pipes, the event loop) of that
moment, the baseline the figures are also given against.
"""

from __future__ import annotations

import math
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.answers import respond
from benchmarks.documents import code_lines
from benchmarks.report import machine_note, server_version
from benchmarks.wire import (
    WireClient,
    capabilities,
    cpu_spent,
    cpu_times,
    percentile,
    server_env,
)
from tests.fake_openai import FakeOpenAI

UNOPENED = "file:///bench/not-open.py"
GOLDEN = (math.sqrt(5) - 1) / 2


@dataclass
class Sample:
    cell: str
    sent: float
    answered: float
    baseline_s: float
    calls: list[tuple[float, float]] = field(default_factory=list)  # (received, ended)
    error: str | None = None
    # The server's threads, from the request to its last call's end: time on a CPU (its own
    # cost, whatever the machine's load), and time ready to run but waiting for a CPU (summed
    # over threads: a sign that other processes shared the cores, not a share of the latency).
    cpu_ms: float = 0.0
    queued_ms: float = 0.0

    @property
    def latency_ms(self) -> float:
        return (self.answered - self.sent) * 1000

    @property
    def upstream_ms(self) -> float:
        """How long any model call was open while the request was (overlaps counted once)."""
        total, reach = 0.0, self.sent
        for start, end in sorted(self.calls):
            start, end = max(start, reach), min(end, self.answered)
            if end > start:
                total += end - start
                reach = end
        return total * 1000

    @property
    def added_ms(self) -> float:
        return self.latency_ms - self.upstream_ms

    @property
    def in_to_out_ms(self) -> float | None:
        return (min(c[0] for c in self.calls) - self.sent) * 1000 if self.calls else None

    @property
    def end_to_out_ms(self) -> float | None:
        return (self.answered - max(c[1] for c in self.calls)) * 1000 if self.calls else None


@dataclass(frozen=True)
class Stats:
    n: int
    p50: float
    p99: float
    mean: float

    @classmethod
    def of(cls, values: list[float]) -> Stats:
        if not values:
            return cls(0, math.nan, math.nan, math.nan)
        return cls(
            len(values),
            percentile(values, 0.5),
            percentile(values, 0.99),
            statistics.fmean(values),
        )


@dataclass
class Cell:
    """The samples of one request kind at one document size."""

    name: str
    lines: int
    samples: list[Sample] = field(default_factory=list)

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.error is None]

    def stats(self, what: str) -> Stats:
        values = [getattr(s, what) for s in self.ok]
        return Stats.of([v for v in values if v is not None])

    def baseline(self) -> Stats:
        return Stats.of([s.baseline_s * 1000 for s in self.ok])

    @property
    def without_call(self) -> int:
        return sum(1 for s in self.ok if not s.calls)


class Session:
    """A server with one open document; edits keep a client-side copy of its lines."""

    def __init__(
        self,
        fake: FakeOpenAI,
        settings: dict[str, Any],
        text: str,
        *,
        pull: bool = True,
        command: list[str] | None = None,
        log_dir: Path | None = None,
        uri: str = "file:///bench/module.py",
    ) -> None:
        self.fake = fake
        fake.default_responder = respond
        self._dir = Path(log_dir or tempfile.mkdtemp(prefix="codex-lsp-bench-"))
        self._dir.mkdir(parents=True, exist_ok=True)
        self.client = WireClient(
            server_env(fake.base_url, self._dir),
            settings,
            self._dir / "server.log",
            command=command,
        )
        self.client.initialize(capabilities(pull=pull))
        self.uri = uri
        self.version = 1
        self.lines = text.split("\n")
        self.client.open(uri, text)
        self.places = code_lines(text)

    # --- the document --------------------------------------------------------------------
    def place(self, index: int) -> int:
        """The line of the `index`-th place in the file, spread evenly over its code lines."""
        return self.places[int(((index * GOLDEN) % 1.0) * len(self.places))]

    def insert_line(self, line: int, text: str) -> tuple[int, int]:
        """Insert `text` as a new line before `line`; the cursor at its end."""
        self.version += 1
        self.client.change(self.uri, self.version, line, 0, text + "\n")
        self.lines.insert(line, text)
        return line, len(text)

    def type_at(self, line: int, character: int, text: str) -> tuple[int, int]:
        self.version += 1
        self.client.change(self.uri, self.version, line, character, text)
        current = self.lines[line]
        self.lines[line] = current[:character] + text + current[character:]
        return line, character + len(text)

    def save(self) -> float:
        return self.client.notify("textDocument/didSave", {"textDocument": {"uri": self.uri}})

    # --- requests ------------------------------------------------------------------------
    def round_trip(self, method: str, params: Any) -> float:
        """Seconds for a request the server answers without work (it waits for everything
        sent before it, so it is also a barrier)."""
        sent, reply = self.client.call(method, params)
        return reply.arrived - sent

    def measure(
        self, cell: str, method: str, params: Any, empty_params: Any, timeout_s: float = 60.0
    ) -> tuple[Sample, Any]:
        """The request and the model calls it caused; its empty twin just before."""
        baseline = self.round_trip(method, empty_params)
        before = len(self.fake.requests)
        threads = cpu_times(self.client.pid)
        sent, reply = self.client.call(method, params, timeout_s)
        records = self.fake.requests[before:]
        self.fake.wait_for(lambda: all(r.ended_at is not None for r in records), timeout=10)
        cpu_ms, queued_ms = cpu_spent(threads, cpu_times(self.client.pid))
        calls = [(r.received_at, r.ended_at or reply.arrived) for r in records]
        error = reply.body.get("error")
        sample = Sample(
            cell,
            sent,
            reply.arrived,
            baseline,
            calls,
            None if error is None else str(error),
            cpu_ms,
            queued_ms,
        )
        return sample, reply.body.get("result")

    def stop(self) -> None:
        self.client.stop()


def text_document(uri: str) -> dict[str, str]:
    return {"uri": uri}


def position(at: tuple[int, int]) -> dict[str, int]:
    return {"line": at[0], "character": at[1]}


def inline_params(uri: str, at: tuple[int, int], automatic: bool = True) -> dict[str, Any]:
    return {
        "textDocument": text_document(uri),
        "position": position(at),
        "context": {"triggerKind": 2 if automatic else 1},
    }


def completion_params(uri: str, at: tuple[int, int], token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "textDocument": text_document(uri),
        "position": position(at),
        "context": {"triggerKind": 1},
    }
    if token is not None:
        params["partialResultToken"] = token
    return params


def pull_params(uri: str) -> dict[str, Any]:
    return {"textDocument": text_document(uri), "identifier": "codex-lsp"}


def code_action_params(uri: str, first: int, last: int) -> dict[str, Any]:
    return {
        "textDocument": text_document(uri),
        "range": {"start": position((first, 0)), "end": position((last, 0))},
        "context": {"diagnostics": [], "only": ["refactor"]},
    }


@dataclass(frozen=True)
class RunStart:
    """When a benchmark started, the machine's load then, and the code its servers load."""

    started: float
    load: float
    version: str

    @classmethod
    def now(cls) -> RunStart:
        return cls(time.time(), os.getloadavg()[0], server_version())

    def header(self) -> str:
        """The report's first words: date, commit (and whether it changed during the run, as
        other engineers commit), machine, load at the start and at the end, wall time."""
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started))
        end = server_version()
        changed = f" (`{end}` by the end of the run)" if end != self.version else ""
        return (
            f"Run {when}, codex_lsp at `{self.version}`{changed}, on {machine_note(self.load)}; "
            f"load average {os.getloadavg()[0]:.1f} at the end; "
            f"wall time {time.time() - self.started:.0f} s"
        )
