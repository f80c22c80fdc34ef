"""A scripted in-memory Provider and a clock for engine tests: no network, no SDK, no sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from codex_lsp.providers.base import (
    ModelNotFoundError,
    ModelRequest,
    ProviderError,
    StreamEvent,
    TextDelta,
    Usage,
)


@dataclass(frozen=True)
class Hang:
    """A backend that goes silent: the stream waits here until the consumer gives up."""


Event = TextDelta | Usage | ProviderError | Hang


class FakeProvider:
    """Plays a script per model (after any queued for it); a model without a script does not
    exist on this backend.

    `calls` lists the models asked, `requests` what was sent, and `log` interleaves each event
    sent with whatever the test appends, to show what reached the caller when; `closed` counts
    streams closed, however they ended, and `hanging` is set when one reaches a `Hang`.
    """

    name = "fake"
    finish_cut_streams = False

    def __init__(self, scripts: dict[str, list[Event]], log: list[str] | None = None) -> None:
        self.scripts = scripts
        self.calls: list[str] = []
        self.requests: list[ModelRequest] = []
        self.log = log if log is not None else []
        self.closed = 0
        self.hanging = asyncio.Event()  # set once a stream has gone silent
        self._queued: dict[str, list[list[Event]]] = {}

    def queue(self, model: str, *scripts: list[Event]) -> None:
        """Scripts for the next calls of `model`, one each, before its standing script."""
        self._queued.setdefault(model, []).extend(scripts)

    async def stream(self, request: ModelRequest, model: str) -> AsyncGenerator[StreamEvent, None]:
        self.calls.append(model)
        self.requests.append(request)
        try:
            queued = self._queued.get(model)
            script = queued.pop(0) if queued else self.scripts.get(model)
            if script is None:
                raise ModelNotFoundError(model, "(404 from the fake)")
            for event in script:
                if isinstance(event, ProviderError):
                    raise event
                if isinstance(event, Hang):
                    self.hanging.set()
                    await asyncio.Event().wait()
                    continue
                self.log.append(f"sent {event!r}")
                yield event
        finally:
            self.closed += 1

    async def check(self, model: str) -> str:
        return "fake"

    async def aclose(self) -> None:
        return None


class FakeClock:
    """Monotonic time that moves only when told to, or when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
