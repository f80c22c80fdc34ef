"""The embedded model's completion lane: warm-ups when the prefix is new, prefetches served only
for exactly their pieces, and real requests never waiting behind either."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import replace
from typing import Any

import pytest

from codex_lsp.providers.base import Infill, StreamEvent, TextDelta, Usage
from codex_lsp.providers.infill import infill_body, warm_body
from codex_lsp.providers.infill_lane import (
    PIECE_CHARS,
    SHORT_WHEN_CHARS,
    WARM_MIN_CHARS,
    InfillLane,
    piece,
    read_text,
    shared_length,
)

BLOCK = "".join(f"line_{n} = {n}\n" for n in range(40))  # well over WARM_MIN_CHARS
OTHER_BLOCK = "".join(f"other_{n} = {n}\n" for n in range(40))


class FakeSlot:
    """The provider's two calls, recorded; `hold` keeps the next warm-up or call open until
    `release` (a slot still reading)."""

    def __init__(self) -> None:
        self.warmed: list[str] = []
        self.sent: list[Infill] = []
        self.warm_slots: list[int] = []
        self.warmed_extra: list[tuple[tuple[str, str], ...]] = []
        self.send_slots: list[int] = []
        self.cancelled: list[str] = []
        self.gate: asyncio.Event | None = None
        self.warm_gate: asyncio.Event | None = None

    def hold(self) -> None:
        self.gate = asyncio.Event()

    def release(self) -> None:
        assert self.gate is not None
        self.gate.set()

    async def _wait(self, what: str) -> None:
        if self.gate is None:
            return
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled.append(what)
            raise

    async def send_warm(self, infill: Infill, slot: int) -> None:
        self.warmed.append(infill.prefix)
        self.warmed_extra.append(infill.extra)
        self.warm_slots.append(slot)
        if self.warm_gate is not None:  # warm-ups held, real calls not
            try:
                await self.warm_gate.wait()
            except asyncio.CancelledError:
                self.cancelled.append("warm-up")
                raise
        await self._wait("warm-up")

    async def send(
        self, infill: Infill, max_tokens: int, slot: int
    ) -> AsyncGenerator[StreamEvent, None]:
        self.sent.append(infill)
        self.send_slots.append(slot)
        await self._wait("call")
        yield TextDelta(f"answer to {infill.prefix[-12:]!r}")
        yield Usage(input_tokens=100, cached_tokens=90, output_tokens=3)


async def drain(lane: InfillLane, infill: Infill) -> list[StreamEvent]:
    return [event async for event in lane.stream(infill, 64)]


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("abc", "abd", 2), ("abc", "abc", 3), ("", "abc", 0), ("abc", "abcdef", 3), ("x", "y", 0)],
    ids=["differ-at-end", "equal", "empty", "one-extends-the-other", "differ-at-start"],
)
def test_shared_length(a: str, b: str, expected: int) -> None:
    assert shared_length(a, b) == expected


async def test_a_new_block_is_warmed_and_the_same_block_is_not() -> None:
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    assert lane.warm(Infill(BLOCK, "", 0)) is True
    await settle()
    # A few characters typed on in the block: the request reads them itself.
    assert lane.warm(Infill(BLOCK + "x = 1\n", "", 0)) is False
    assert lane.warm(Infill(OTHER_BLOCK, "", 0)) is True
    await settle()
    assert slot.warmed == [BLOCK, OTHER_BLOCK]


async def test_new_extra_context_is_warmed_even_with_the_same_prefix() -> None:
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    assert lane.warm(Infill(BLOCK, "", 0, (("a.py", "import os\n"),))) is True
    await settle()
    assert lane.warm(Infill(BLOCK, "", 0, (("a.py", "import os\n"),))) is False
    # The chunks come first in the prompt: another head means reading everything again.
    assert lane.warm(Infill(BLOCK, "", 0, (("a.py", "import sys\n"),))) is True
    await settle()
    assert slot.warmed == [BLOCK, BLOCK]


async def test_a_running_warm_up_is_not_replaced_by_one_that_extends_it() -> None:
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    slot.hold()
    assert lane.warm(Infill(BLOCK, "", 0)) is True
    await settle()
    longer = BLOCK + "total = sum(values)\n"
    assert lane.warm(Infill(longer, "", 0)) is False  # still reading BLOCK
    slot.release()
    await settle()
    assert lane.warm(Infill(longer, "", 0)) is True
    await settle()
    assert slot.warmed == [BLOCK, longer] and slot.cancelled == []


async def test_a_short_difference_is_left_to_the_request() -> None:
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    await drain(lane, Infill(BLOCK, "\n", 1))
    grown = BLOCK + "y" * WARM_MIN_CHARS
    assert lane.warm(Infill(grown, "", 0)) is False
    assert lane.warm(Infill(grown + "z", "", 0)) is True


async def test_a_real_request_does_not_wait_for_a_warm_up_nor_cancel_it() -> None:
    """llama.cpp reads a prompt to its end once it started (cancelled or not): the request goes
    to llama.cpp at once, and the read running finishes there."""
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    slot.hold()
    lane.warm(Infill(OTHER_BLOCK, "", 0))
    await settle()
    reading = slot.gate
    slot.gate = None  # the real call itself is not held
    events = await drain(lane, Infill(BLOCK, "\n", 1))
    assert slot.cancelled == [] and slot.warmed == [OTHER_BLOCK]
    assert [i.prefix for i in slot.sent] == [BLOCK]
    assert isinstance(events[0], TextDelta)
    assert reading is not None
    reading.set()
    await settle()
    assert slot.warmed == [OTHER_BLOCK]


async def test_a_prefetched_answer_is_served_when_the_pieces_match() -> None:
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    ahead = Infill(BLOCK + "    return x", "\n", 1)
    lane.prefetch(ahead, 64)
    await settle()
    events = await drain(lane, ahead)
    assert slot.sent == [ahead]  # one model call: the prefetch
    assert lane.prefetch_hits == 1
    assert events[0] == TextDelta("answer to '    return x'")


@pytest.mark.parametrize(
    "typed",
    [
        Infill(BLOCK + "    return y", "\n", 1),  # another line typed
        Infill(BLOCK + "    return x", "\n\nnext", 1),  # the same prefix, another suffix
        Infill(BLOCK + "    return x", "\n", 0),  # the same text, another kind of fill
    ],
    ids=["typed-text-differs", "suffix-differs", "line-count-differs"],
)
async def test_a_prefetched_answer_is_not_served_to_other_pieces(typed: Infill) -> None:
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    lane.prefetch(Infill(BLOCK + "    return x", "\n", 1), 64)
    await settle()
    await drain(lane, typed)
    assert slot.sent[-1] == typed and len(slot.sent) == 2
    assert lane.prefetch_hits == 0


async def waiting_for_a_held_prefetch() -> tuple[FakeSlot, InfillLane, Infill, asyncio.Task[Any]]:
    """A prefetch running in a held slot, and a request for exactly its text waiting on it."""
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    ahead = Infill(BLOCK + "    return x", "\n", 1)
    slot.hold()
    lane.prefetch(ahead, 64)
    await settle()
    request = asyncio.create_task(drain(lane, ahead))
    await settle()
    return slot, lane, ahead, request


async def test_a_request_for_the_running_prefetch_waits_for_it() -> None:
    slot, _, ahead, request = await waiting_for_a_held_prefetch()
    assert not request.done()
    slot.release()
    events = await request
    assert slot.sent == [ahead] and slot.cancelled == []
    assert events[0] == TextDelta("answer to '    return x'")


async def test_cancelling_a_request_waiting_for_the_prefetch_leaves_the_prefetch() -> None:
    slot, lane, ahead, request = await waiting_for_a_held_prefetch()
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    slot.release()
    assert await drain(lane, ahead) == [
        TextDelta("answer to '    return x'"),
        Usage(input_tokens=100, cached_tokens=90, output_tokens=3),
    ]
    assert slot.sent == [ahead] and slot.cancelled == []


async def test_a_request_for_other_pieces_cancels_the_running_prefetch() -> None:
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    slot.hold()
    lane.prefetch(Infill(BLOCK + "    return x", "\n", 1), 64)
    await settle()
    slot.gate = None
    typed = Infill(BLOCK + "    raise", "\n", 1)
    await drain(lane, typed)
    await settle()
    assert slot.cancelled == ["call"]
    assert slot.sent[-1] == typed
    # The cancelled prefetch is not served later either.
    await drain(lane, Infill(BLOCK + "    return x", "\n", 1))
    assert len(slot.sent) == 3


async def test_close_cancels_background_work() -> None:
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    slot.hold()
    lane.warm(Infill(BLOCK, "", 0))
    await settle()
    await lane.aclose()
    assert slot.cancelled == ["warm-up"]


def test_every_call_is_pinned_to_the_slot_given() -> None:
    infill = Infill(BLOCK, "\n", 1)
    assert infill_body(infill, 64, slot=0)["id_slot"] == 0
    assert "id_slot" not in infill_body(infill, 64)
    warm = warm_body(BLOCK, slot=0)
    assert warm == {
        "input_prefix": BLOCK,
        "input_suffix": "",
        "input_extra": [],
        "prompt": "",
        "n_predict": 0,
        "temperature": 0,
        "cache_prompt": True,
        "stream": False,
        "id_slot": 0,
    }


# --- two slots: the short window first at a new place, the wide one read behind it ----------
HEAD = (("core.py", "import os\n"),)
WIDE_LINES = [f"total_{n:02d} = compute(values[{n}])\n" for n in range(60)]
SHORT = Infill("".join(WIDE_LINES[40:]), "", 0, HEAD)
WIDE = Infill("".join(WIDE_LINES), "", 0, HEAD, short=SHORT)  # over SHORT_WHEN_CHARS longer


async def both_slots_hold_the_head(slot: FakeSlot) -> InfillLane:
    """A lane past the session's first place: a request read HEAD into one slot, and the
    other slot read it after (then the records are cleared)."""
    lane = InfillLane(slot.send, slot.send_warm)
    await drain(lane, Infill(OTHER_BLOCK, "\n", 1, HEAD))
    await settle()
    assert slot.warmed == [""] and slot.warm_slots == [1 - slot.send_slots[0]]
    for record in (slot.warmed, slot.warm_slots, slot.sent, slot.send_slots, slot.warmed_extra):
        record.clear()
    return lane


def test_the_example_windows_differ_by_more_than_a_short_answer_allows() -> None:
    assert len(WIDE.prefix) > SHORT_WHEN_CHARS + len(SHORT.prefix)
    assert len(WIDE.prefix) > PIECE_CHARS * 2


async def test_at_a_new_place_the_short_window_is_read_first_then_the_wide_one_in_pieces() -> None:
    slot = FakeSlot()
    lane = await both_slots_hold_the_head(slot)
    assert lane.warm(WIDE) is True
    await settle()
    assert slot.warmed[0] == SHORT.prefix
    wide_reads = slot.warmed[1:]
    assert len(wide_reads) >= 2 and wide_reads[-1] == WIDE.prefix  # in pieces, then whole
    assert all(WIDE.prefix.startswith(part) and part.endswith("\n") for part in wide_reads)
    assert slot.warm_slots[0] != slot.warm_slots[1] and len(set(slot.warm_slots[1:])) == 1
    # Read: typing on at the place needs no more warm-ups.
    assert lane.warm(Infill(WIDE.prefix + "x", "", 0, HEAD, short=SHORT)) is False


async def test_a_real_request_before_the_wide_window_is_read_gets_the_short_one() -> None:
    slot = FakeSlot()
    lane = await both_slots_hold_the_head(slot)
    slot.hold()
    lane.warm(WIDE)  # held: still reading the short window
    await settle()
    reading = slot.gate
    slot.gate = None
    request = Infill(WIDE.prefix, "\n", 1, HEAD, short=Infill(SHORT.prefix, "\n", 1, HEAD))
    events = await drain(lane, request)
    assert slot.sent == [request.short] and lane.short_answers == 1
    assert slot.send_slots == [slot.warm_slots[0]]  # where the short window is read
    assert isinstance(events[0], TextDelta)
    # Once the short window's read ends, the wide window is read in the other slot, in pieces.
    assert reading is not None and slot.warmed == [SHORT.prefix]
    reading.set()
    await settle()
    assert slot.warmed[-1] == WIDE.prefix and len(slot.warmed) >= 3
    assert set(slot.warm_slots[1:]) == {1 - slot.send_slots[0]}
    # Now the wide window is held: the next request sends it, in that slot.
    await drain(lane, request)
    assert slot.sent[-1] == request and slot.send_slots[-1] == slot.warm_slots[-1]
    assert lane.short_answers == 1


async def test_the_wide_window_waits_while_a_real_request_runs() -> None:
    slot = FakeSlot()
    lane = await both_slots_hold_the_head(slot)
    request = Infill(WIDE.prefix, "\n", 1, HEAD, short=Infill(SHORT.prefix, "\n", 1, HEAD))
    slot.hold()
    running = asyncio.create_task(drain(lane, request))  # no slot holds anything yet
    await settle()
    assert slot.sent == [request.short]
    # A keystroke meanwhile asks to warm the place: nothing is read beside the real call.
    lane.warm(Infill(WIDE.prefix + "x = 1\n", "", 0, HEAD, short=SHORT))
    await settle()
    assert slot.warmed == []
    slot.release()
    await running
    await settle()
    assert slot.warmed[-1] == WIDE.prefix + "x = 1\n" or slot.warmed[-1] == WIDE.prefix
    assert len(slot.warmed) >= 2  # in pieces


async def test_a_read_in_pieces_stops_between_pieces_for_a_real_request() -> None:
    slot = FakeSlot()
    lane = await both_slots_hold_the_head(slot)
    await drain(lane, Infill(SHORT.prefix, "\n", 1, HEAD))  # a slot holds the short window
    slot.hold()
    lane.warm(WIDE)  # the wide one, in pieces, in the other slot
    await settle()
    first_piece = slot.gate
    assert len(slot.warmed) == 1 and slot.warmed[0] != WIDE.prefix
    slot.hold()  # the real call waits for the model
    held_call = slot.gate
    typed = Infill(SHORT.prefix + "y", "\n", 1, HEAD)
    wide = Infill(WIDE.prefix + "y", "\n", 1, HEAD, short=typed)  # as a request sends it
    request = asyncio.create_task(drain(lane, wide))
    await settle()
    assert first_piece is not None and len(slot.sent) == 2
    first_piece.set()  # the piece running ends while the real call runs: no next piece
    await settle()
    assert len(slot.warmed) == 1 and slot.cancelled == []
    assert held_call is not None
    held_call.set()
    await request
    await settle()
    assert slot.warmed[-1] == WIDE.prefix + "y" and len(slot.warmed) >= 3


async def test_a_request_with_the_wide_window_nearly_held_sends_it() -> None:
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    await drain(lane, Infill(WIDE.prefix, "\n", 1, HEAD))  # no short window: the wide one
    typed = WIDE.prefix + "more = 1\n"
    request = Infill(typed, "\n", 1, HEAD, short=Infill(SHORT.prefix + "more = 1\n", "\n", 1, HEAD))
    await drain(lane, request)
    assert slot.sent[-1] == request and lane.short_answers == 0
    assert slot.send_slots[-1] == slot.send_slots[0]


async def test_nothing_is_read_for_a_closed_document() -> None:
    slot = FakeSlot()
    lane = await both_slots_hold_the_head(slot)
    slot.hold()
    lane.warm(WIDE, "file:///a.py")
    await settle()
    lane.forget("file:///b.py")  # another document: reading goes on
    await settle()
    assert slot.cancelled == []
    lane.forget("file:///a.py")
    await settle()
    assert slot.cancelled == ["warm-up"]
    reads = len(slot.warmed)
    slot.release()
    await settle()
    assert len(slot.warmed) == reads  # the wide window is never read
    # Nor after a real request (which would resume a plan still standing).
    slot.gate = None
    await drain(lane, Infill("x = 1\n", "\n", 1))
    await settle()
    assert len(slot.warmed) == reads


async def test_no_prefetch_while_the_wide_window_is_still_to_be_read() -> None:
    slot = FakeSlot()
    lane = await both_slots_hold_the_head(slot)
    slot.hold()
    lane.warm(WIDE)
    await settle()
    lane.prefetch(Infill(SHORT.prefix + "    return x", "\n", 1, HEAD), 64)
    await settle()
    assert slot.sent == [] and slot.cancelled == []


@pytest.mark.parametrize("end", [5, PIECE_CHARS + 3, len(WIDE.prefix) - 3])
def test_a_piece_ends_at_a_line_end_and_keeps_the_extra_chunks(end: int) -> None:
    part = piece(WIDE, len(read_text(WIDE)) - len(WIDE.prefix) + end)
    assert part.extra == HEAD and part.suffix == "" and part.short is None
    assert WIDE.prefix.startswith(part.prefix) and part.prefix.endswith("\n")
    assert len(part.prefix) >= min(end, len(WIDE.prefix))


LONG_HEAD = (("core.py", "".join(f"import module_{n}\n" for n in range(40))),)


def test_a_long_head_is_read_in_pieces_too() -> None:
    wide = Infill(WIDE.prefix, "", 0, LONG_HEAD)
    full = read_text(wide)
    part = piece(wide, PIECE_CHARS)
    ((name, text),) = part.extra
    assert part.prefix == "" and name == "core.py" and text.endswith("\n")
    assert PIECE_CHARS - 20 <= len(text) < len(LONG_HEAD[0][1])
    # What the piece reads is the start of what the whole fill reads.
    assert shared_length(read_text(part), full) == len(read_text(part)) - 1  # all but the end mark


async def test_at_the_first_place_the_wide_window_is_read_whole_then_the_head_in_pieces() -> None:
    """No slot holds the file's head: the short window would not be short (both windows read
    it, one slot each). The request reads the wide window; the other slot reads the head
    after it, piece by piece."""
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    short = Infill(SHORT.prefix, "\n", 1, LONG_HEAD)
    request = Infill(WIDE.prefix, "\n", 1, LONG_HEAD, short=short)
    await drain(lane, request)
    assert slot.sent == [request] and lane.short_answers == 0
    await settle()
    heads = [len(extra[0][1]) for extra in slot.warmed_extra]
    assert len(heads) >= 3 and heads[0] < heads[-1] == len(LONG_HEAD[0][1])
    assert set(slot.warmed) == {""} and set(slot.warm_slots) == {1 - slot.send_slots[0]}
    # Now a new place is read short in one slot and wide in the other.
    moved = Infill("".join(f"later_{n} = f({n})\n" for n in range(60)), "", 0, LONG_HEAD)
    lane.warm(replace(moved, short=Infill(moved.prefix[-600:], "", 0, LONG_HEAD)))
    await settle()
    assert slot.warmed[len(heads)] == moved.prefix[-600:]


async def test_the_short_window_goes_where_the_head_is_held() -> None:
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    elsewhere = Infill("".join(f"other_{n} = {n}\n" for n in range(30)), "\n", 1, LONG_HEAD)
    slot.warm_gate = asyncio.Event()  # the other slot's reading of the head: at its first piece
    await drain(lane, elsewhere)  # one slot read the head, at another place
    held = slot.send_slots[0]
    await settle()
    slot.warm_gate = None
    short = Infill(SHORT.prefix, "", 0, LONG_HEAD)
    lane.warm(Infill(WIDE.prefix, "", 0, LONG_HEAD, short=short))
    await settle()
    assert slot.cancelled == ["warm-up"]  # the head's piece, for the new plan
    short_read = slot.warmed.index(SHORT.prefix)
    assert slot.warm_slots[short_read] == held
    assert slot.warmed[-1] == WIDE.prefix and slot.warm_slots[-1] == 1 - held
