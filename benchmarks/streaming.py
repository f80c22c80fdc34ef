"""Streaming benchmark: how soon what the model writes reaches the editor, and how soon a
cancelled request stops the model.

The real server (`python -m codex_lsp`, stdio) and the in-process fake OpenAI, which records
when each streamed delta left it (`RequestRecord.delta_sent_at`) and when a reply ended or the
client hung up (`ended_at`), on the client's clock (`time.time()`):

- review findings (a client that takes pushed diagnostics): the fake streams 10 findings over
  2 s; for each, from the delta holding its closing brace leaving the fake to the first
  `textDocument/publishDiagnostics` that carries it reaching the client. A review starts when
  the document is opened; each of `--reviews` reviews is a newly opened 2,000-line document.
- completion partial results: a `textDocument/completion` with a `partialResultToken`, three
  suggestions streamed over about 0.6 s; from each one's closing brace to the `$/progress`
  that carries it.
- cancellation: an inline completion whose answer streams slowly (or stalls before its first
  delta, a model still thinking), cancelled with `$/cancelRequest`; from the cancel leaving
  the client to the fake seeing the server close the upstream connection, and to the server's
  reply to the cancelled request.

Targets (issue 12, item 3): findings and partial results within 10 ms, upstream closed within
20 ms. Run: `.venv/bin/python -m benchmarks.streaming` (about 1 minute).
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.answers import closing_offsets, completion_body, finding
from benchmarks.documents import code_lines, python_document
from benchmarks.timing import RunStart
from benchmarks.wire import Message, WireClient, capabilities, percentile, server_env
from tests.fake_openai import Answer, FakeOpenAI, Fault, RequestRecord, default_responder

SETTINGS = {"backend": "openai", "fallbackModels": [], "debounceMs": 0}
FINDINGS = 10
REVIEW_SECONDS = 2.0
CHUNK_CHARS = 8
SUGGESTIONS = ("compute_total(values)", "self.parse_args(ctx, args)", "None  # not set yet")
SUGGESTION_DELAY_S = 0.02
SLOW_DELAY_S = 0.1  # between deltas of an answer that is cancelled
CANCEL_AFTER_DELTAS = 3


@dataclass
class Figures:
    name: str
    target_ms: float
    values_ms: list[float] = field(default_factory=list)
    missing: int = 0  # events that never came

    def row(self) -> str:
        values = self.values_ms
        missing = f" ({self.missing} never came)" if self.missing else ""
        if not values:
            return f"| {self.name}{missing} | 0 | - | - | - | {self.target_ms:.0f} ms | FAIL |"
        p50, p99, top = percentile(values, 0.5), percentile(values, 0.99), max(values)
        verdict = "PASS" if p99 <= self.target_ms and not self.missing else "FAIL"
        return (
            f"| {self.name}{missing} | {len(values)} | {p50:.1f} | {p99:.1f} | {top:.1f} | "
            f"{self.target_ms:.0f} ms | {verdict} |"
        )


def _quiet_responder(record: RequestRecord) -> Answer:
    """Unscripted calls (a long file's later review parts) find nothing, at once."""
    if record.task == "review":
        return Answer(json={"answer": []})
    return default_responder(record)


class Bench:
    def __init__(self, fake: FakeOpenAI, log_dir: Path, lines: int) -> None:
        self.fake = fake
        fake.default_responder = _quiet_responder
        self.client = WireClient(
            server_env(fake.base_url, log_dir), SETTINGS, log_dir / "server.log"
        )
        self.client.initialize(capabilities(pull=False))
        self.text = python_document(lines)
        self.lines = self.text.split("\n")
        self.places = [n for n in code_lines(self.text) if n < 400]

    # --- findings --------------------------------------------------------------------------
    def review(
        self,
        index: int,
        figures: Figures,
        first_findings: Figures | None = None,
        at_delta_end: Figures | None = None,
    ) -> None:
        uri = f"file:///bench/stream_{index}.py"
        chosen = self.places[index % 7 :: max(1, len(self.places) // FINDINGS)][:FINDINGS]
        body = {"answer": [finding(n + 1, self.lines[n], i) for i, n in enumerate(chosen)]}
        answer = Answer(json=body, match="review", chunk_chars=CHUNK_CHARS)
        text = answer.body_text() or ""
        deltas = math.ceil(len(text) / CHUNK_CHARS)
        answer = Answer(
            json=body,
            match="review",
            chunk_chars=CHUNK_CHARS,
            delay_s=REVIEW_SECONDS / max(1, deltas - 1),
        )
        self.fake.script(answer)
        first = len(self.client.notifications)
        before = len(self.fake.requests)
        self.client.open(uri, self.text)
        record = self._record(before, lambda r: r.output_text == text)
        self.fake.wait_for(lambda: record.ended_at is not None, timeout=30)
        for i, offset in enumerate(closing_offsets(text, "answer")):
            left = record.delta_sent_at[offset // CHUNK_CHARS]
            try:
                published = self.client.wait_notification(
                    functools.partial(_publishes, uri=uri, count=i + 1), start=first, timeout_s=10
                )
            except TimeoutError:
                figures.missing += 1
                continue
            figures.values_ms.append((published.arrived - left) * 1000)
            if i == 0 and first_findings is not None:
                first_findings.values_ms.append(figures.values_ms[-1])
            if offset % CHUNK_CHARS == CHUNK_CHARS - 1 and at_delta_end is not None:
                at_delta_end.values_ms.append(figures.values_ms[-1])
        self._settle(before)  # a long file's later parts: reviewed before the document closes
        self.client.close_document(uri)

    def _settle(self, before: int, quiet_s: float = 0.3) -> None:
        """Until every call since `before` has ended and no new one came for `quiet_s`."""
        while True:
            count = len(self.fake.requests)
            self.fake.wait_for(
                lambda: all(r.ended_at is not None for r in self.fake.requests[before:]),
                timeout=30,
            )
            time.sleep(quiet_s)
            if len(self.fake.requests) == count:
                return

    def _record(self, before: int, test: Callable[[RequestRecord], bool]) -> RequestRecord:
        found: list[RequestRecord] = []

        def seen() -> bool:
            found[:] = [r for r in self.fake.requests[before:] if test(r)]
            return bool(found)

        if not self.fake.wait_for(seen, timeout=30):
            raise TimeoutError("the scripted answer was not asked for")
        return found[0]

    # --- partial results -------------------------------------------------------------------
    def open_main(self) -> None:
        self.uri, self.version = "file:///bench/main.py", 1
        self.client.open(self.uri, self.text)

    def typed_line(self, index: int) -> tuple[int, int]:
        line = self.places[(index * 37) % len(self.places)] + 1
        typed = f"        value_{index} = "
        self.version += 1
        self.client.change(self.uri, self.version, line, 0, typed + "\n")
        return line, len(typed)

    def partial_results(self, index: int, figures: Figures) -> None:
        cursor = self.typed_line(index)
        texts = [f"{text}  # {index}" for text in SUGGESTIONS]
        answer = Answer(
            json=completion_body(texts, "answer"),
            match="completion",
            chunk_chars=CHUNK_CHARS,
            delay_s=SUGGESTION_DELAY_S,
        )
        text = answer.body_text() or ""
        self.fake.script(answer)
        token = f"partial-{index}"
        first = len(self.client.notifications)
        before = len(self.fake.requests)
        request_id, _ = self.client.request(
            "textDocument/completion",
            {
                "textDocument": {"uri": self.uri},
                "position": {"line": cursor[0], "character": cursor[1]},
                "context": {"triggerKind": 1},
                "partialResultToken": token,
            },
        )
        self.client.response(request_id, timeout_s=30)
        record = self._record(before, lambda r: r.output_text == text)
        self.fake.wait_for(lambda: record.ended_at is not None, timeout=30)
        for i, offset in enumerate(closing_offsets(text, "answer")):
            left = record.delta_sent_at[offset // CHUNK_CHARS]
            try:
                progress = self.client.wait_notification(
                    functools.partial(_partial, self.client, token=token, first=first, count=i + 1),
                    start=first,
                    timeout_s=5,
                )
            except TimeoutError:
                figures.missing += 1
                continue
            figures.values_ms.append((progress.arrived - left) * 1000)

    # --- cancellation ----------------------------------------------------------------------
    def cancel(self, index: int, stalled: bool, upstream: Figures, reply: Figures) -> None:
        cursor = self.typed_line(1000 + index)
        fault = Fault.stall(after_deltas=0, seconds=30) if stalled else None
        answer = Answer(
            json=completion_body([f"slow_answer_{index}(" + "x" * 60 + ")"], "answer"),
            match="completion",
            chunk_chars=4,
            delay_s=SLOW_DELAY_S,
            fault=fault,
        )
        text = answer.body_text() or ""
        self.fake.script(answer)
        before = len(self.fake.requests)
        request_id, _ = self.client.request(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": self.uri},
                "position": {"line": cursor[0], "character": cursor[1]},
                "context": {"triggerKind": 2},
            },
        )
        record = self._record(before, lambda r: r.output_text == text)
        wanted = 0 if stalled else CANCEL_AFTER_DELTAS
        while len(record.delta_sent_at) < wanted:  # appended without a notification: polled
            time.sleep(0.002)
        time.sleep(0.05 if stalled else SLOW_DELAY_S / 2)  # between deltas, or in the stall
        cancelled = self.client.cancel(request_id)
        answered = self.client.response(request_id, timeout_s=30)
        closed = self.fake.wait_for(lambda: record.ended_at is not None, timeout=30)
        if closed and record.disconnected and record.ended_at is not None:
            upstream.values_ms.append((record.ended_at - cancelled) * 1000)
        else:
            upstream.missing += 1
        reply.values_ms.append((answered.arrived - cancelled) * 1000)

    def stop(self) -> None:
        self.client.stop()


def _publishes(message: Message, *, uri: str, count: int) -> bool:
    params = message.params or {}
    return (
        message.method == "textDocument/publishDiagnostics"
        and params.get("uri") == uri
        and len(params.get("diagnostics", [])) >= count
    )


def _partial(client: WireClient, message: Message, *, token: str, first: int, count: int) -> bool:
    """Whether `message` is the $/progress that brings the partial items to `count`."""
    if message.method != "$/progress" or (message.params or {}).get("token") != token:
        return False
    total = 0
    for earlier in client.notifications[first:]:
        if earlier.method == "$/progress" and (earlier.params or {}).get("token") == token:
            value = earlier.params.get("value")
            total += len(value) if isinstance(value, list) else len(value.get("items", []))
        if earlier is message:
            return total >= count
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reviews", type=int, default=5, help="reviews of 10 findings (5)")
    parser.add_argument("--completions", type=int, default=10, help="3 items each (10)")
    parser.add_argument("--cancels", type=int, default=10, help="of each kind (10)")
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args(argv)
    sys.setswitchinterval(0.0005)
    start = RunStart.now()
    findings = Figures("finding's closing brace -> its publishDiagnostics (push)", 10)
    first = Figures("the same, first finding of a review", 10)
    last_in_delta = Figures("the same, findings whose brace was the last character of a delta", 10)
    partial = Figures("suggestion's closing brace -> its $/progress partial result", 10)
    mid_stream = Figures("$/cancelRequest -> upstream closed, mid-stream", 20)
    thinking = Figures("$/cancelRequest -> upstream closed, before the first delta", 20)
    replies = Figures("$/cancelRequest -> the cancelled request answered", 20)
    log_dir = Path(tempfile.mkdtemp(prefix="codex-lsp-streaming-"))
    with FakeOpenAI(per_prefix_rpm=None) as fake:
        bench = Bench(fake, log_dir, args.lines)
        try:
            time.sleep(3.0)  # the tokenizer loads in the background at start
            bench.review(99, Figures("warm-up", 0))
            for index in range(args.reviews):
                bench.review(index, findings, first, last_in_delta)
            bench.open_main()
            bench.partial_results(99, Figures("warm-up", 0))
            for index in range(args.completions):
                bench.partial_results(index, partial)
            for index in range(args.cancels):
                bench.cancel(index, False, mid_stream, replies)
                bench.cancel(100 + index, True, thinking, replies)
        finally:
            bench.stop()
    print(
        f"{start.header()}; {args.lines:,}-line documents, findings over "
        f"{REVIEW_SECONDS:.0f} s in {CHUNK_CHARS}-character deltas."
    )
    print()
    print("| Measure | n | p50 (ms) | p99 (ms) | max (ms) | Target (p99) | Result |")
    print("| --- | ---: | ---: | ---: | ---: | --- | --- |")
    for figures in (findings, first, last_in_delta, partial, mid_stream, thinking, replies):
        print(figures.row())
    print(f"\n(server log in {log_dir})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
