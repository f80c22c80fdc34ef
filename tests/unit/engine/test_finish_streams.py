"""A stream whose reader had enough (a rewrite's first item, the last suggestion wanted) is read
to its end after the reader has gone, on a hosted API: the connection stays open for the next
call and the bill is the backend's. A cancelled reader, a long rest, a silent rest and an
embedded model close the stream at once."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from codex_lsp.engine import calls
from codex_lsp.engine.schemas import Suggestion
from codex_lsp.providers.base import TextDelta, Usage
from tests.unit.engine.test_calls import ANSWER, make_caller, request
from tests.unit.fakes import Event, FakeProvider, Hang

BILLED = Usage(input_tokens=1_200, cached_tokens=1_024, cache_write_tokens=0, output_tokens=9)


async def first_item(
    events: list[Event], *, finish: bool = True
) -> tuple[calls.ModelCaller, FakeProvider, str]:
    """The caller and provider after a reader took the first suggestion and stopped."""
    caller, provider, _, _ = make_caller({"m": events}, ["m"])
    provider.finish_cut_streams = finish  # type: ignore[misc]
    stream = caller.stream_items(request(), Suggestion, "suggestions")
    async with aclosing(stream) as items:
        async for item in items:
            first = item.insert_text
            break
    return caller, provider, first


async def settle(caller: calls.ModelCaller) -> None:
    await asyncio.gather(*caller._finishing)


async def test_the_rest_is_read_after_the_reader_left_and_the_backends_bill_kept() -> None:
    caller, provider, first = await first_item([*ANSWER, BILLED])
    assert first == "a"
    assert provider.closed == 0 and caller.ledger.calls == 0  # still reading the rest
    await settle(caller)
    assert provider.closed == 1
    assert any("Usage" in line for line in provider.log)  # read through to the usage
    assert caller.ledger.calls == 1
    assert caller.ledger.totals()["cached_tokens"] == 1_024  # the backend's count, no estimate


async def test_an_embedded_model_stops_writing_at_once() -> None:
    caller, provider, _ = await first_item([*ANSWER, BILLED], finish=False)
    assert provider.closed == 1 and not caller._finishing
    assert caller.ledger.calls == 1 and caller.ledger.totals()["cached_tokens"] == 0  # estimate


async def test_a_long_rest_is_not_worth_its_tokens() -> None:
    long_rest = [TextDelta("x" * 100) for _ in range(5)]
    caller, provider, _ = await first_item([*ANSWER[:2], *long_rest, BILLED])
    await settle(caller)
    assert provider.closed == 1
    assert not any("Usage" in line for line in provider.log)  # closed before the end
    assert caller.ledger.calls == 1  # billed by estimate, text read included


async def test_a_silent_rest_is_closed_after_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calls, "FINISH_MAX_S", 0.05)
    caller, provider, _ = await first_item([*ANSWER, Hang(), BILLED])
    await asyncio.wait_for(settle(caller), 1.0)
    assert provider.closed == 1 and caller.ledger.calls == 1


async def test_a_cancelled_reader_closes_the_stream_at_once() -> None:
    caller, provider, _, _ = make_caller({"m": [*ANSWER[:2], Hang(), BILLED]}, ["m"])
    provider.finish_cut_streams = True  # type: ignore[misc]

    async def read() -> None:
        async with aclosing(caller.stream_items(request(), Suggestion, "suggestions")) as items:
            async for _ in items:
                pass

    task = asyncio.create_task(read())
    await provider.hanging.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert provider.closed == 1 and not caller._finishing


async def test_retiring_the_caller_stops_reading_rests() -> None:
    caller, provider, _ = await first_item([*ANSWER, Hang(), BILLED])
    await provider.hanging.wait()
    await asyncio.wait_for(caller.aclose(), 1.0)
    assert provider.closed == 1 and not caller._finishing
