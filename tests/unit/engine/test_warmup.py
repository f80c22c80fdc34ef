"""Reading ahead for the embedded model: which pieces a warm-up and a prefetch hand the provider
(the ones the next completion sends), and that nothing is handed to a provider that bills."""

from __future__ import annotations

import pytest

from codex_lsp.engine import prompts, warmup
from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.calls import ModelCaller
from codex_lsp.engine.context import Position, Snapshot
from codex_lsp.providers.base import Infill, ProviderConfig, TextDelta, Usage, Warming
from codex_lsp.providers.chat import ChatProvider
from codex_lsp.providers.responses import ResponsesProvider
from codex_lsp.settings import Settings
from tests.unit.fakes import FakeProvider

ANSWER = [TextDelta('{"suggestions": [{"insert_text": "x"}]}'), Usage(1_000, 0, 0, 5)]
TEXT = "".join(f"value_{n} = {n}\n" for n in range(120)) + "def total(values):\n    "
URI = "file:///w/values.py"


class ReadingAhead(FakeProvider):
    """A scripted provider that reads ahead, as the local one does."""

    def __init__(self) -> None:
        super().__init__({"local": ANSWER})
        self.warmed: list[Infill] = []
        self.owners: list[str] = []
        self.prefetched: list[tuple[Infill, int]] = []
        self.forgotten: list[str] = []

    def warm(self, infill: Infill, owner: str = "") -> None:
        self.warmed.append(infill)
        self.owners.append(owner)

    def forget(self, owner: str) -> None:
        self.forgotten.append(owner)

    def prefetch(self, infill: Infill, max_tokens: int) -> None:
        self.prefetched.append((infill, max_tokens))


def assistant(provider: FakeProvider, layout: str = "cache-aware") -> Assistant:
    caller = ModelCaller(provider, ["local"], notify=lambda *_: None)
    return Assistant(caller, Settings(backend="local", prompt_layout=layout))


def end_of(snapshot: Snapshot) -> Position:
    return Position(len(snapshot.lines) - 1, len(snapshot.lines[-1]))


async def sent_infill(provider: FakeProvider, snapshot: Snapshot, cursor: Position) -> Infill:
    """What `Assistant.complete` sends for this cursor, through a fresh assistant."""
    real = assistant(provider)
    _ = [text async for text in real.complete(snapshot, cursor, [])]
    infill = provider.requests[-1].infill
    assert infill is not None
    return infill


async def test_the_pieces_are_the_ones_the_completion_sends() -> None:
    snapshot = Snapshot(URI, 1, TEXT, "python")
    cursor = end_of(snapshot)
    pieces = await warmup.completion_infill(assistant(ReadingAhead()), snapshot, cursor)
    assert pieces == await sent_infill(FakeProvider({"local": ANSWER}), snapshot, cursor)


async def test_a_warm_up_reads_the_prefix_up_to_the_cursor() -> None:
    provider = ReadingAhead()
    snapshot = Snapshot(URI, 1, TEXT + "return su(values)\nprint(total([]))", "python")
    cursor = Position(121, 13)
    await warmup.warm(assistant(provider), snapshot, cursor)
    (warmed,) = provider.warmed
    assert warmed.suffix == "" and warmed.max_newlines == 0
    assert warmed.prefix.endswith("value_119 = 119\ndef total(values):\n    return su")
    full = await warmup.completion_infill(assistant(provider), snapshot, cursor)
    assert (warmed.prefix, full.suffix) == (full.prefix, "(values)")  # the line's rest
    assert warmed.extra == full.extra


@pytest.mark.parametrize(
    ("insertion", "expected"),
    [
        ("urn", Position(121, 14)),
        ("\n    return x", Position(122, 12)),
        ("sum(\n        values\n    )", Position(123, 5)),
    ],
    ids=["inside-the-line", "next-line", "several-lines"],
)
def test_accept_puts_the_cursor_after_the_insertion(insertion: str, expected: Position) -> None:
    snapshot = Snapshot(URI, 1, TEXT + "    ret", "python")
    accepted, cursor = warmup.accept(snapshot, Position(121, 11), insertion)
    assert accepted.text == TEXT + "    ret" + insertion
    assert cursor == expected


async def test_a_prefetch_asks_for_what_the_accepted_text_will_send() -> None:
    provider = ReadingAhead()
    snapshot = Snapshot(URI, 1, TEXT + "return", "python")
    await warmup.prefetch(assistant(provider), snapshot, end_of(snapshot), " sum(values)")
    ((infill, max_tokens),) = provider.prefetched
    typed = Snapshot(URI, 2, TEXT + "return sum(values)", "python")
    assert infill == await sent_infill(FakeProvider({"local": ANSWER}), typed, end_of(typed))
    assert max_tokens == 512


async def test_nothing_is_read_ahead_in_the_naive_layout() -> None:
    provider = ReadingAhead()
    naive = assistant(provider, "naive")
    snapshot = Snapshot(URI, 1, TEXT, "python")
    await warmup.warm(naive, snapshot, end_of(snapshot))
    await warmup.prefetch(naive, snapshot, end_of(snapshot), "return 0")
    assert provider.warmed == [] and provider.prefetched == []


async def test_a_provider_that_does_not_read_ahead_is_left_alone() -> None:
    provider = FakeProvider({"local": ANSWER})
    plain = assistant(provider)
    snapshot = Snapshot(URI, 1, TEXT, "python")
    await warmup.warm(plain, snapshot, end_of(snapshot))
    await warmup.prefetch(plain, snapshot, end_of(snapshot), "return 0")
    assert provider.calls == []


async def test_the_openai_providers_never_read_ahead() -> None:
    config = ProviderConfig(api_key="sk-test", base_url="http://127.0.0.1:9/v1")
    chat, responses = ChatProvider(config), ResponsesProvider(config)
    try:
        assert not isinstance(chat, Warming)
        assert not isinstance(responses, Warming)
    finally:
        await chat.aclose()
        await responses.aclose()


async def test_a_warm_up_reads_the_extra_chunk_the_completion_sends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prompts, "INFILL_BEFORE", 8)
    monkeypatch.setattr(prompts, "INFILL_HEAD_LINES", 64)
    provider = ReadingAhead()
    snapshot = Snapshot(URI, 1, TEXT, "python")
    await warmup.warm(assistant(provider), snapshot, end_of(snapshot))
    (warmed,) = provider.warmed
    full = await warmup.completion_infill(assistant(provider), snapshot, end_of(snapshot))
    # The file's head goes first, as in the completion, or the warm-up would evict it.
    assert warmed.extra == full.extra
    assert full.extra == (("w/values.py", "".join(f"value_{n} = {n}\n" for n in range(64))),)


async def test_a_warm_up_hands_over_the_short_window_and_the_document() -> None:
    provider = ReadingAhead()
    snapshot = Snapshot(URI, 1, TEXT + "return su(values)\nprint(total([]))", "python")
    cursor = Position(121, 13)
    await warmup.warm(assistant(provider), snapshot, cursor)
    (warmed,) = provider.warmed
    full = await warmup.completion_infill(assistant(provider), snapshot, cursor)
    assert full.short is not None and warmed.short is not None
    assert (warmed.short.prefix, warmed.short.suffix, warmed.short.extra) == (
        full.short.prefix,
        "",
        full.short.extra,
    )
    assert len(warmed.short.prefix) < len(warmed.prefix)
    assert provider.owners == [URI]


async def test_closing_a_document_stops_reading_ahead_for_it() -> None:
    provider = ReadingAhead()
    assistant(provider).forget(URI)
    assert provider.forgotten == [URI]


@pytest.mark.parametrize(
    ("provider", "layout", "expected"),
    [
        (ReadingAhead(), "cache-aware", True),
        (ReadingAhead(), "naive", False),
        (FakeProvider({"local": ANSWER}), "cache-aware", False),
    ],
    ids=["embedded", "embedded-naive", "billing"],
)
def test_only_a_provider_that_reads_ahead_gets_the_lower_debounce_floor(
    provider: FakeProvider, layout: str, expected: bool
) -> None:
    assert assistant(provider, layout).reads_ahead is expected
