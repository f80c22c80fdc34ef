"""One status line for `codex-lsp check` while it reviews: which file, how far, how long.

Shown only when stderr is a terminal (a pipe or a CI log gets nothing), redrawn in place with
a carriage return by a ticker that looks four times a second and writes only what changed, so
the review never waits on it, and cleared at the end. stdout carries the report and is never
written here; `say` and `clear` keep messages and findings from running into the line.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TextIO

INTERVAL_S = 0.25
DEFAULT_WIDTH = 80


class Progress:
    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        interval_s: float = INTERVAL_S,
    ) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self._stream)
        self._clock = clock
        self._sleep = sleep
        self._interval_s = interval_s
        self._started = clock()
        self._status = ""
        self._drawn = ""  # the line now on the terminal

    def status(self, text: str) -> None:
        """What the line says from its next redraw on."""
        self._status = text

    def say(self, text: str) -> None:
        """A message on stderr, on a line of its own (the status line comes back after it)."""
        self.clear()
        print(text, file=self._stream, flush=True)

    def clear(self) -> None:
        """Take the line off the terminal, before anything else is written there."""
        if self._drawn:
            self._stream.write("\r" + " " * len(self._drawn) + "\r")
            self._stream.flush()
            self._drawn = ""

    def render(self) -> None:
        """Draw the line now: the status and the seconds since the display started."""
        if not self.enabled:
            return
        elapsed = int(self._clock() - self._started)
        line = f"codex-lsp check: {self._status} {elapsed}s" if self._status else ""
        width = _width(self._stream) - 1  # a full line would wrap, and `\r` go back one row only
        if len(line) > width:
            line = line[: max(0, width - 3)] + "..."
        if line == self._drawn:
            return
        self._stream.write("\r" + line + " " * max(0, len(self._drawn) - len(line)))
        self._stream.flush()
        self._drawn = line

    @asynccontextmanager
    async def shown(self) -> AsyncIterator[None]:
        """Redraw the line while the body runs, then clear it; nothing off a terminal."""
        if not self.enabled:
            yield
            return
        self._started = self._clock()
        ticker = asyncio.create_task(self._tick())
        try:
            yield
        finally:
            ticker.cancel()
            try:
                await asyncio.wait([ticker])
            finally:
                self.clear()

    async def _tick(self) -> None:
        while True:
            self.render()
            await self._sleep(self._interval_s)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def _width(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or DEFAULT_WIDTH
    except (AttributeError, OSError, ValueError):
        return DEFAULT_WIDTH
