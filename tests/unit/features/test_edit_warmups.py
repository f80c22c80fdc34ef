"""Warm-ups from edits, for clients that ask only at pauses: where the cursor is after an edit,
none for a client whose requests warm already, none for a closed document."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

from lsprotocol import types

from codex_lsp.engine.context import Position, Snapshot
from codex_lsp.features.warming import WARM_EVERY_S, EditWarmups

URI = "file:///w/a.py"


class FakeAssistant:
    def __init__(self) -> None:
        self.started: list[Position] = []
        self.finished: list[Position] = []
        self.gate: asyncio.Event | None = None

    async def warm(self, snapshot: Snapshot, cursor: Position) -> None:
        self.started.append(cursor)
        if self.gate is not None:
            await self.gate.wait()
        self.finished.append(cursor)  # the provider would be handed the pieces here


class FakeServer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.encoding = types.PositionEncodingKind.Utf16
        self.settings = SimpleNamespace(
            features=SimpleNamespace(inline_completion=True, completion=True)
        )
        self.assistant = FakeAssistant()

    def snapshot(self, uri: str, *, quiet: bool = False) -> Snapshot | None:
        return Snapshot(uri, 2, self.text, "python")

    @contextlib.asynccontextmanager
    async def using_assistant(self) -> AsyncIterator[Any]:
        yield self.assistant


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def typed(line: int, character: int, text: str) -> types.DidChangeTextDocumentParams:
    where = types.Position(line, character)
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
        content_changes=[
            types.TextDocumentContentChangePartial(range=types.Range(where, where), text=text)
        ],
    )


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


def warmups(text: str) -> tuple[FakeServer, Clock, EditWarmups]:
    server, clock = FakeServer(text), Clock()
    return server, clock, EditWarmups(server, clock)  # type: ignore[arg-type]


async def test_an_edit_warms_at_the_cursor_after_the_inserted_text() -> None:
    server, _, edits = warmups("def f():\n    return 1\n    x = \U0001f600é\n")
    edits.edited(typed(2, 10, "é"))  # after the emoji: 2 UTF-16 units, 1 code point
    edits.edited(typed(9, 0, "\n    y"))  # throttled: the first one is still being read
    await settle()
    assert server.assistant.finished == [Position(2, 10)]


async def test_a_line_break_moves_the_cursor_to_the_next_line() -> None:
    server, _, edits = warmups("def f():\n    return 1\n    \n")
    edits.edited(typed(1, 12, "\n    "))
    await settle()
    assert server.assistant.finished == [Position(2, 4)]


async def test_edits_warm_at_most_every_so_often() -> None:
    server, clock, edits = warmups("x = 1\n" * 10)
    edits.edited(typed(0, 4, "1"))
    await settle()
    clock.now += WARM_EVERY_S / 2
    edits.edited(typed(0, 5, "2"))
    await settle()
    clock.now += WARM_EVERY_S
    edits.edited(typed(0, 5, "3"))
    await settle()
    assert len(server.assistant.finished) == 2


async def test_a_client_that_asks_after_each_edit_is_not_warmed_twice() -> None:
    server, clock, edits = warmups("x = 1\n" * 10)
    for n in range(5):
        clock.now += WARM_EVERY_S * 2
        edits.edited(typed(0, 4 + n, "1"))
        edits.asked(URI)  # its inline completion request, which warms by itself
        await settle()
    assert len(server.assistant.finished) == 1  # the first edit, before any request


async def test_after_a_request_at_a_pause_the_next_edits_warm_again() -> None:
    server, clock, edits = warmups("x = 12345\n" * 10)
    edits.asked(URI)  # the client asked at the pause
    edits.edited(typed(0, 4, "1"))  # the first edit after it: taken as a per-edit client's
    clock.now += WARM_EVERY_S * 2
    edits.edited(typed(0, 5, "2"))  # no request in between: it asks at pauses
    await settle()
    assert server.assistant.finished == [Position(0, 6)]


async def test_nothing_reaches_the_model_after_the_document_closed() -> None:
    server, _, edits = warmups("x = 1\n" * 10)
    server.assistant.gate = asyncio.Event()
    edits.edited(typed(0, 4, "1"))
    await settle()
    assert server.assistant.started == [Position(0, 5)]
    edits.closed(URI)
    server.assistant.gate.set()
    await settle()
    assert server.assistant.finished == []


async def test_whole_text_changes_and_disabled_completions_warm_nothing() -> None:
    server, clock, edits = warmups("x = 1\n")
    edits.edited(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x = 2\n")],
        )
    )
    server.settings.features.inline_completion = False
    server.settings.features.completion = False
    clock.now += WARM_EVERY_S * 2
    edits.edited(typed(0, 4, "1"))
    await settle()
    assert server.assistant.started == []


async def test_a_failing_warm_up_is_logged_not_raised() -> None:
    server, _, edits = warmups("x = 1\n")

    async def broken(snapshot: Snapshot, cursor: Position) -> None:
        raise RuntimeError("boom")

    server.assistant.warm = broken  # type: ignore[method-assign]
    edits.edited(typed(0, 4, "1"))
    await settle()  # no exception escapes the task
