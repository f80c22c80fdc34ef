"""The embedded model's completion lane: warm-ups when the prefix is new, prefetches served only
for exactly their pieces, and real requests never waiting behind either."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from codex_lsp.providers.base import Infill, StreamEvent, TextDelta, Usage
from codex_lsp.providers.infill import infill_body, warm_body
from codex_lsp.providers.infill_lane import WARM_MIN_CHARS, InfillLane, shared_length

BLOCK = "".join(f"line_{n} = {n}\n" for n in range(40))  # well over WARM_MIN_CHARS
OTHER_BLOCK = "".join(f"other_{n} = {n}\n" for n in range(40))


class FakeSlot:
    """The provider's two calls, recorded; `hold` keeps the next warm-up or call open until
    `release` (a slot still reading)."""

    def __init__(self) -> None:
        self.warmed: list[str] = []
        self.sent: list[Infill] = []
        self.cancelled: list[str] = []
        self.gate: asyncio.Event | None = None

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

    async def send_warm(self, infill: Infill) -> None:
        self.warmed.append(infill.prefix)
        await self._wait("warm-up")

    async def send(self, infill: Infill, max_tokens: int) -> AsyncGenerator[StreamEvent, None]:
        self.sent.append(infill)
        await self._wait("call")
        yield TextDelta(f"answer to {infill.prefix[-12:]!r}")
        yield Usage(input_tokens=100, cached_tokens=90, output_tokens=3)


async def drain(lane: InfillLane, infill: Infill) -> list[StreamEvent]:
    return [event async for event in lane.stream(infill, 64)]


async def settle() -> None:
    for _ in range(5):
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


async def test_a_real_request_cancels_a_pending_warm_up() -> None:
    slot = FakeSlot()
    lane = InfillLane(slot.send, slot.send_warm)
    slot.hold()
    lane.warm(Infill(OTHER_BLOCK, "", 0))
    await settle()
    slot.gate = None  # the real call itself is not held
    events = await drain(lane, Infill(BLOCK, "\n", 1))
    await settle()
    assert slot.cancelled == ["warm-up"]
    assert [i.prefix for i in slot.sent] == [BLOCK]
    assert isinstance(events[0], TextDelta)


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
