"""The embedded model's completion slot, kept warm: one lane for real fill-in-the-middle requests,
warm-ups and prefetches (what llama.vscode and llama.vim do).

llama.cpp keeps each slot's last prompt in its KV cache and re-reads only what follows the
longest common prefix; reading a block's 300-500 prefix tokens cold costs 4-6 s on 2 cores
(benchmarks/LOCAL.md). So:

- every completion call is pinned to one slot, where they queue and reuse each other's cache,
  instead of a call racing another one in the second slot, cold;
- `warm(infill)`: the cursor is at text the slot has not read (a new place, or lines typed
  since the last request): read its prefix now (no answer asked for), while the user types,
  so the request at the next pause reads only the last few characters; skipped when the slot
  holds nearly all of it or is reading the start of it;
- `prefetch(infill)`: after a suggestion is shown, ask for the next one as if it were accepted;
  its answer is served at once to a request with exactly these pieces;
- `stream(infill)`: a real request. It takes a prefetch with the same pieces (waiting for it if
  it is still running) and cancels any other background call first: a warm-up or prefetch never
  holds the slot longer than llama.cpp takes to notice (its current batch).

Only the local provider has a lane: a warm-up spends nothing but idle CPU here, and money at a
hosted API.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable

from codex_lsp.providers.base import Infill, ProviderError, StreamEvent, TextDelta, Usage

log = logging.getLogger(__name__)

# A warm-up is worth it when the slot lacks more than this many characters of the prefix
# (about 4 tokens: a warm-up costs ~40 ms in llama.cpp, each token read ~17 ms on 2 cores).
WARM_MIN_CHARS = 16

Send = Callable[[Infill, int], AsyncGenerator[StreamEvent, None]]
Warm = Callable[[Infill], Awaitable[None]]


def shared_length(a: str, b: str) -> int:
    """How many characters `a` and `b` have in common at their start."""
    size = min(len(a), len(b))
    if a[:size] == b[:size]:
        return size
    low, high = 0, size  # a[:low] == b[:low] and a[:high] != b[:high]: halve the gap
    while high - low > 1:
        middle = (low + high) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle
    return low


def read_text(infill: Infill) -> str:
    """What a call reads before the suffix, as one text: the extra chunks, then the prefix
    (two calls share a cached start as long as these texts do)."""
    chunks = "".join(f"\x1c{name}\x1d{text}" for name, text in infill.extra)
    return f"{chunks}\x1e{infill.prefix}"


class _Prefetch:
    """A speculative request: its pieces, and its events once it ran to the end."""

    def __init__(self, infill: Infill) -> None:
        self.infill = infill
        self.events: list[StreamEvent] | None = None
        self.task: asyncio.Task[None] | None = None


class InfillLane:
    """Real requests, warm-ups and prefetches to one llama.cpp slot, the real ones first.

    `send(infill, max_tokens)` streams one real call; `send_warm(infill)` reads a prefix and
    returns. Both are the provider's (see `providers/local.py`); the lane decides when."""

    def __init__(self, send: Send, send_warm: Warm) -> None:
        self._send = send
        self._send_warm = send_warm
        self._background: asyncio.Task[None] | None = None  # the warm-up or prefetch running
        self._prefetched: _Prefetch | None = None
        self._slot_prefix = ""  # the `read_text` the slot last read (or is reading)
        self.warmups = 0
        self.prefetch_hits = 0

    def warm(self, infill: Infill) -> bool:
        """Read `infill.extra` and `infill.prefix` into the slot in the background, unless the
        slot holds nearly all of them already. True when a warm-up was started."""
        prefix = read_text(infill)
        if len(prefix) - shared_length(self._slot_prefix, prefix) <= WARM_MIN_CHARS:
            return False
        running = self._background is not None and not self._background.done()
        if running and prefix.startswith(self._slot_prefix):
            return False  # the slot is reading the start of it: a later keystroke asks again
        self._cancel_background()
        self._slot_prefix = prefix
        self.warmups += 1
        self._background = asyncio.create_task(self._run_warm(infill), name="infill-warm")
        return True

    def prefetch(self, infill: Infill, max_tokens: int) -> None:
        """Ask now for the answer to `infill`, kept for a request with exactly these pieces."""
        if self._prefetched is not None and self._prefetched.infill == infill:
            return
        self._cancel_background()
        entry = _Prefetch(infill)
        self._prefetched = entry
        self._slot_prefix = read_text(infill)
        entry.task = asyncio.create_task(self._run_prefetch(entry, max_tokens), name="prefetch")
        self._background = entry.task

    async def stream(self, infill: Infill, max_tokens: int) -> AsyncGenerator[StreamEvent, None]:
        """A real request: the prefetched answer when it is for exactly these pieces, else a
        call of its own, after any background call was cancelled."""
        entry = self._prefetched
        if entry is not None and entry.infill == infill:
            if entry.events is None and entry.task is not None:
                # Ours is the same question. `wait`, not `await`: cancelling this request
                # must reach it, and the prefetch being cancelled must not end it.
                await asyncio.wait({entry.task})
            if entry.events is not None:
                self.prefetch_hits += 1
                log.info("completion served from the prefetched answer")
                for event in entry.events:
                    yield event
                return
        self._cancel_background()
        self._slot_prefix = read_text(infill)
        async for event in self._send(infill, max_tokens):
            yield event

    def _cancel_background(self) -> None:
        task, self._background = self._background, None
        if task is not None and not task.done():
            task.cancel()
        entry = self._prefetched
        if entry is not None and entry.events is None:
            self._prefetched = None  # cut short: nothing to serve

    async def _run_warm(self, infill: Infill) -> None:
        try:
            await self._send_warm(infill)
        except ProviderError as error:
            log.info("warm-up failed: %s", error)

    async def _run_prefetch(self, entry: _Prefetch, max_tokens: int) -> None:
        events: list[StreamEvent] = []
        try:
            async for event in self._send(entry.infill, max_tokens):
                events.append(event)
        except ProviderError as error:
            log.info("prefetch failed: %s", error)
            if self._prefetched is entry:
                self._prefetched = None
            return
        entry.events = events
        usage = next((e for e in events if isinstance(e, Usage)), None)
        text = "".join(e.text for e in events if isinstance(e, TextDelta))
        if usage is not None:
            log.info(
                "prefetch: in=%d cached=%d out=%d %s",
                usage.input_tokens,
                usage.cached_tokens,
                usage.output_tokens,
                text[:80],
            )

    async def aclose(self) -> None:
        task, self._background = self._background, None
        self._prefetched = None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
