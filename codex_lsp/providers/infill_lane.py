"""The embedded model's completion slots, kept warm: one lane for real fill-in-the-middle requests,
warm-ups and prefetches (what llama.vscode and llama.vim do).

llama.cpp keeps each slot's last prompt in its KV cache and re-reads only what follows the
longest common prefix; reading a block's 300-500 prefix tokens cold costs 4-6 s on 2 cores
(benchmarks/LOCAL.md). So:

- every completion call is pinned to one of two slots, chosen by what each holds, where calls
  queue and reuse each other's cache, instead of racing each other cold;
- `warm(infill)`: the cursor is at text no slot has read (a new place, or lines typed since the
  last request): read its prefix now (no answer asked for), while the user types, so the
  request at the next pause reads only the last few characters; skipped when a slot holds
  nearly all of it or is reading the start of it;
- at a new place, when the fill carries a shorter window (`Infill.short`), that one is read
  first into one slot, and the wide window after it into the other, in pieces; until the wide
  one is (nearly) read, real requests are answered from the short one, so the first pause at
  a new place waits for 8-15 lines, not 16-31, and the later ones get the wider context;
- `prefetch(infill)`: after a suggestion is shown, ask for the next one as if it were accepted;
  its answer is served at once to a request with exactly these pieces;
- `stream(infill)`: a real request. It takes a prefetch with the same pieces (waiting for it if
  it is still running), else cancels a running prefetch and goes straight to llama.cpp; a read
  already sent is left to finish there (llama.cpp reads a prompt to its end once it started,
  cancelled or not: measured, a cancelled piece still delayed the request beside it), and the
  next read waits until the request is answered. So a real request waits at most for what its
  own slot is reading for it, or one piece of a wide window in the other slot.

Only the local provider has a lane: a warm-up spends nothing but idle CPU here, and money at a
hosted API.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass

from codex_lsp.providers.base import Infill, ProviderError, StreamEvent, TextDelta, Usage

log = logging.getLogger(__name__)

SLOTS = (0, 1)  # llama.cpp slots the lane uses (the local server starts 2)
# A warm-up is worth it when the slot lacks more than this many characters of the prefix
# (about 4 tokens: a warm-up costs ~40 ms in llama.cpp, each token read ~17 ms on 2 cores).
WARM_MIN_CHARS = 16
# A real request whose wide window every slot lacks more than this of (~80 tokens, ~1.1 s to
# read on 2 cores) is answered from its short window when a slot lacks less of that.
SHORT_WHEN_CHARS = 320
# A wide window read behind a short one goes in pieces of about this many characters (~24
# tokens, ~0.35 s): a real request in the other slot waits for one piece at most.
PIECE_CHARS = 96

Send = Callable[[Infill, int, int], AsyncGenerator[StreamEvent, None]]
Warm = Callable[[Infill, int], Awaitable[None]]


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


def prefix_only(infill: Infill) -> Infill:
    """What a warm-up of `infill` reads: its extra chunks and prefix (no suffix, no answer)."""
    return Infill(infill.prefix, "", 0, infill.extra)


def piece(infill: Infill, end: int) -> Infill:
    """`infill` read up to about `end` characters of its `read_text`, on to the end of that line
    when it is near: through the extra chunks too (a slot that lacks the file's head reads it
    in pieces as well: ~330 tokens, 4-5 s on 2 cores, in one read would hold the other slot's
    requests that long)."""
    at = 0
    for index, (name, text) in enumerate(infill.extra):
        at += len(name) + 2  # the separators around the name in `read_text`
        if end < at + len(text):
            cut = _line_end(text, max(end - at, 1))
            if cut < len(text):
                return Infill("", "", 0, (*infill.extra[:index], (name, text[:cut])))
        at += len(text)
    cut = _line_end(infill.prefix, max(end - at - 1, 1))
    return Infill(infill.prefix[:cut], "", 0, infill.extra)


def _line_end(text: str, cut: int) -> int:
    line_end = text.find("\n", cut)
    return line_end + 1 if line_end != -1 and line_end - cut < PIECE_CHARS // 2 else cut


@dataclass
class _Read:
    """A background read: `infill`'s extra chunks and prefix into `slot`, in pieces or whole."""

    slot: int
    infill: Infill
    in_pieces: bool = False


class _Prefetch:
    """A speculative request: its pieces, and its events once it ran to the end."""

    def __init__(self, infill: Infill) -> None:
        self.infill = infill
        self.events: list[StreamEvent] | None = None
        self.task: asyncio.Task[None] | None = None


class InfillLane:
    """Real requests, warm-ups and prefetches to llama.cpp's completion slots, the real ones
    first.

    `send(infill, max_tokens, slot)` streams one real call; `send_warm(infill, slot)` reads a
    prefix and returns. Both are the provider's (see `providers/local.py`); the lane decides
    when, and in which slot."""

    def __init__(self, send: Send, send_warm: Warm, slots: tuple[int, ...] = SLOTS) -> None:
        self._send = send
        self._send_warm = send_warm
        self._slots = slots
        self._held = dict.fromkeys(slots, "")  # the `read_text` each slot read (or is reading)
        self._background: asyncio.Task[None] | None = None  # the reads or prefetch running
        self._plan: list[_Read] = []  # reads still to do, the first one maybe running
        self._owner = ""  # the document the plan reads for
        self._active = 0  # real requests running: the plan waits for them
        self._prefetched: _Prefetch | None = None
        self.warmups = 0
        self.prefetch_hits = 0
        self.short_answers = 0

    # --- what the slots hold ---------------------------------------------------------------
    def _best(self, text: str) -> tuple[int, int]:
        """The slot holding most of `text`, and how many characters of it that slot lacks."""
        missing, slot = min(
            (len(text) - shared_length(self._held[s], text), s) for s in self._slots
        )
        return slot, missing

    def _other(self, slot: int) -> int:
        return next((s for s in self._slots if s != slot), slot)

    def _running(self) -> bool:
        return self._background is not None and not self._background.done()

    def _holds_extra(self, slot: int, infill: Infill) -> bool:
        """Whether `slot` holds `infill`'s extra chunks (the file's head)."""
        return self._held[slot].startswith(read_text(Infill("", "", 0, infill.extra))[:-1])

    def _splits(self, infill: Infill, missing: int) -> bool:
        """Whether to read the short window first and the wide one behind it: there is one,
        the wide one lacks much, and a slot holds the extra chunks already. At a session's
        first place (no slot holds them) both windows would read the head, one slot each:
        the wide window is read whole there instead, as before, and the other slot gets the
        head in the background after it (`_head_for_the_other_slot`)."""
        return (
            infill.short is not None
            and missing > SHORT_WHEN_CHARS
            and len(self._slots) > 1
            and any(self._holds_extra(slot, infill) for slot in self._slots)
        )

    def _head_for_the_other_slot(self, infill: Infill) -> list[_Read]:
        """A read of `infill`'s extra chunks into a slot lacking them, in pieces: then a new
        place can be read short in one slot and wide in the other."""
        if not infill.extra:
            return []
        lacking = [slot for slot in self._slots if not self._holds_extra(slot, infill)]
        head = Infill("", "", 0, infill.extra)
        return [_Read(lacking[0], head, in_pieces=True)] if lacking else []

    # --- ahead of the requests ---------------------------------------------------------------
    def warm(self, infill: Infill, owner: str = "") -> bool:
        """Read `infill.extra` and `infill.prefix` into a slot in the background, unless one
        holds nearly all of them already; at a new place, `infill.short` first, into the other
        slot. True when reading was started."""
        wide = read_text(infill)
        slot, missing = self._best(wide)
        if missing <= WARM_MIN_CHARS:
            return False
        busy = self._running() or self._active > 0
        target = self._plan[-1].infill if self._plan else None
        if busy and target is not None and target.prefix and wide.startswith(read_text(target)):
            return False  # a slot is (or will be) reading its start: a later keystroke asks again
        plan = [_Read(slot, prefix_only(infill))]
        short = infill.short
        if self._splits(infill, missing):
            assert short is not None
            # The short window where it reads least (the next pause waits for it), the wide
            # one in the other slot, where a real request never waits for more than a piece.
            short_slot, short_missing = self._best(read_text(short))
            plan = [_Read(self._other(short_slot), prefix_only(infill), in_pieces=True)]
            if short_missing > WARM_MIN_CHARS:
                plan.insert(0, _Read(short_slot, prefix_only(short)))
        self._start(plan, owner)
        self.warmups += 1
        return True

    def forget(self, owner: str) -> None:
        """The document `owner` closed: stop reading ahead for it."""
        if owner == self._owner and self._plan:
            self._plan = []
            self._cancel_background()

    def prefetch(self, infill: Infill, max_tokens: int) -> None:
        """Ask now for the answer to `infill`, kept for a request with exactly these pieces
        (not while a wide window is still to be read: that one comes first)."""
        if self._plan:
            return
        if self._prefetched is not None and self._prefetched.infill == infill:
            return
        self._cancel_background()
        entry = _Prefetch(infill)
        self._prefetched = entry
        slot, _ = self._best(read_text(infill))
        self._held[slot] = read_text(infill)
        entry.task = asyncio.create_task(
            self._run_prefetch(entry, max_tokens, slot), name="prefetch"
        )
        self._background = entry.task

    # --- the real request --------------------------------------------------------------------
    async def stream(self, infill: Infill, max_tokens: int) -> AsyncGenerator[StreamEvent, None]:
        """A real request: the prefetched answer when it is for exactly these pieces, else a
        call of its own (from the short window while the wide one is far from read), after any
        background call was cancelled."""
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
        self._cancel_prefetch()
        chosen, slot = self._choose(infill)
        self._held[slot] = read_text(chosen)
        self._active += 1
        try:
            async for event in self._send(chosen, max_tokens, slot):
                yield event
        finally:
            self._active -= 1
            if not self._plan:
                self._plan = self._head_for_the_other_slot(chosen)
            self._resume()

    def _choose(self, infill: Infill) -> tuple[Infill, int]:
        """The pieces a real request sends, and the slot: the wide window where a slot holds
        most of it, else the short one, the wide one then read in the other slot."""
        slot, missing = self._best(read_text(infill))
        short = infill.short
        if self._splits(infill, missing):
            assert short is not None
            short_slot, short_missing = self._best(read_text(short))
            if short_missing < missing and self._holds_extra(short_slot, short):
                self.short_answers += 1
                log.info(
                    "completion from the short window: the wide one lacks %d characters, "
                    "the short one %d",
                    missing,
                    short_missing,
                )
                self._plan = [_Read(self._other(short_slot), prefix_only(infill), in_pieces=True)]
                return short, short_slot
        # This request reads its wide window itself; a plan for another place is stale (a
        # request comes with a warm-up for its own place: `engine/warmup.py`).
        self._plan = []
        return infill, slot

    # --- the background ------------------------------------------------------------------
    def _start(self, plan: list[_Read], owner: str) -> None:
        self._cancel_background()
        self._plan, self._owner = plan, owner
        self._resume()

    def _resume(self) -> None:
        """Go on with the reads planned, unless a real request runs (they wait for its end)."""
        if self._plan and not self._running() and self._active == 0:
            plan = self._plan
            self._background = asyncio.create_task(self._run_plan(plan), name="infill-warm")

    def _cancel_background(self) -> None:
        task, self._background = self._background, None
        if task is not None and not task.done():
            task.cancel()
        entry = self._prefetched
        if entry is not None and entry.events is None:
            self._prefetched = None  # cut short: nothing to serve

    def _cancel_prefetch(self) -> None:
        """A real request goes first: a prefetch running is cancelled (llama.cpp stops it at
        its next token). Reads are not: llama.cpp reads a prompt to its end once it started,
        so the one running is left to finish (a piece at most, or what the request itself
        needs) and the next one waits for the request (`_run_plan`)."""
        entry = self._prefetched
        if entry is not None and entry.events is None and entry.task is self._background:
            self._cancel_background()

    async def _run_plan(self, plan: list[_Read]) -> None:
        try:
            while plan and plan is self._plan and self._active == 0:
                step = plan[0]
                if await self._read(step) and plan and plan[0] is step:
                    plan.pop(0)
        except ProviderError as error:
            log.info("warm-up failed: %s", error)
            if plan is self._plan:
                self._plan = []
        if self._background is asyncio.current_task():  # not cancelled: still the lane's
            self._background = None
            self._resume()  # a plan a real request made meanwhile

    async def _read(self, step: _Read) -> bool:
        """Read `step` into its slot, piece by piece; False when a real request came first
        (the rest waits for it)."""
        text = read_text(step.infill)
        while self._active == 0:
            done = shared_length(self._held[step.slot], text)
            if done >= len(text):
                return True
            part = step.infill
            if step.in_pieces and len(text) - done > PIECE_CHARS * 3 // 2:
                part = piece(step.infill, done + PIECE_CHARS)
            self._held[step.slot] = read_text(part)
            await self._send_warm(part, step.slot)
            if part is step.infill:
                return True
        return False

    async def _run_prefetch(self, entry: _Prefetch, max_tokens: int, slot: int) -> None:
        events: list[StreamEvent] = []
        try:
            async for event in self._send(entry.infill, max_tokens, slot):
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
        self._plan = []
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
