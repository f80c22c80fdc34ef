"""One replay: a fresh server, a fresh fake cache, one prompt layout, one model (cache regime).

Sleeps here are the simulated person's time (keystroke interval, thinking after a pause);
everything else waits on the server's answers.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.client import BenchClient, ClientStats
from benchmarks.edits import CodeAction, Edit, Pause, Save, Session, Step, session_steps
from benchmarks.responder import Oracle
from tests.fake_openai import FakeOpenAI, RequestRecord


@dataclass(frozen=True)
class Timing:
    keystroke_ms: float = 100.0
    think_ms: float = 1000.0
    debounce_ms: int = 250
    diagnostics_debounce_ms: int = 1500


@dataclass(frozen=True)
class RunSpec:
    layout: str  # "cache-aware" | "naive"
    regime: str  # "implicit" | "explicit"
    model: str
    extra_settings: tuple[tuple[str, Any], ...] = ()  # (key, value) sent to both layouts
    tokenizer: str = "o200k"  # what the fake bills with: a key of metrics.TOKENIZERS


@dataclass
class RepeatCheck:
    """The same inline completion sent twice with no edit between."""

    calls_first: int = 0
    calls_second: int = 0
    same_answer: bool = False


@dataclass
class RunResult:
    spec: RunSpec
    records: list[RequestRecord]
    stats: ClientStats
    usage: dict[str, Any]
    repeat: RepeatCheck
    seconds: float
    log_file: Path
    stderr_tail: str = ""


def server_settings(spec: RunSpec, timing: Timing) -> dict[str, Any]:
    return {
        "backend": "openai",
        "model": spec.model,
        "fallbackModels": [],
        "promptLayout": spec.layout,
        "debounceMs": timing.debounce_ms,
        "diagnosticsDebounceMs": timing.diagnostics_debounce_ms,
        "features": {"diagnosticsOnChange": False},
        **dict(spec.extra_settings),
    }


class Typist:
    """Plays the steps against a client at human speed."""

    def __init__(self, client: BenchClient, oracle: Oracle, timing: Timing) -> None:
        self.client = client
        self.oracle = oracle
        self.timing = timing
        self.cursor = (0, 0)
        self._next_key_at = time.monotonic()
        self._last_key_at: float | None = None

    async def play(self, steps: list[Step]) -> None:
        for step in steps:
            if isinstance(step, Edit):
                await self._key(step)
            elif isinstance(step, Pause):
                await self._pause()
            elif isinstance(step, Save):
                await self._save()
            elif isinstance(step, CodeAction):
                await self._code_action(step)

    async def _key(self, edit: Edit) -> None:
        delay = self._next_key_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)  # the person's typing speed
        now = time.monotonic()
        if self._last_key_at is not None:
            self.client.stats.key_gaps_s.append(now - self._last_key_at)
        self.oracle.set(edit.ahead)
        self.client.change(edit)
        self.cursor = edit.cursor
        self.client.request_inline(edit.cursor)
        self._last_key_at = now
        self._next_key_at = now + self.timing.keystroke_ms / 1000

    async def _pause(self) -> None:
        await self.client.finish_pending()
        await self._think()

    async def _save(self) -> None:
        await self.client.finish_pending()
        self._last_key_at = None
        self.client.save()
        await self.client.wait_diagnostics()

    async def _code_action(self, step: CodeAction) -> None:
        await self.client.refactor(step.first, step.last)
        await self._think()

    async def _think(self) -> None:
        if self.timing.think_ms > 0:
            await asyncio.sleep(self.timing.think_ms / 1000)  # the person reads, then types
        self._next_key_at = time.monotonic()
        self._last_key_at = None


async def repeat_check(
    client: BenchClient, fake: FakeOpenAI, cursor: tuple[int, int]
) -> RepeatCheck:
    """An identical repeated request must cost no model call."""
    check = RepeatCheck()
    before = len(fake.requests)
    client.request_inline(cursor)
    first = await client.finish_pending()
    check.calls_first = len(fake.requests) - before
    client.request_inline(cursor)
    second = await client.finish_pending()
    check.calls_second = len(fake.requests) - before - check.calls_first
    check.same_answer = repr(first) == repr(second)
    return check


class NoGcPauses:
    """Hold the cyclic garbage collector off while replaying: the fake's prompt cache keeps
    millions of token objects in this process, and a full collection over them stalls the
    simulated typist for 100+ ms, long enough to fire the server's debounce (an artefact of
    the benchmark, not of the server). Garbage is collected once, at the end."""

    def __enter__(self) -> None:
        gc.collect()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        gc.enable()
        gc.collect()


async def replay_once(
    fake: FakeOpenAI,
    oracle: Oracle,
    session: Session,
    spec: RunSpec,
    timing: Timing,
    transitions: int | None,
) -> RunResult:
    fake.reset()  # fresh records and prompt cache for every run
    log_file = Path(tempfile.mkstemp(prefix=f"codex-lsp-{spec.layout}-{spec.regime}-")[1])
    client = BenchClient(fake.base_url, server_settings(spec, timing), log_file)
    started = time.monotonic()
    await client.start()
    try:
        client.open(session.uri, session.language_id, session.texts[0])
        await client.wait_diagnostics()  # the review on open
        typist = Typist(client, oracle, timing)
        await typist.play(list(session_steps(session, transitions)))
        await client.drain_requests()
        records = fake.requests
        stats = copy.deepcopy(client.stats)  # the repeat check below is not part of the replay
        usage = await client.usage()
        repeat = await repeat_check(client, fake, typist.cursor)
    finally:
        await client.stop()
    return RunResult(
        spec,
        records,
        stats,
        usage,
        repeat,
        time.monotonic() - started,
        log_file,
        client.stderr_tail,
    )
