"""A background review's deadline: a hosted model's like any request's, the embedded models'
by the file's length, so that a local review of a file of real size is not stopped before its
findings (it took 3-5 minutes per 100 lines on 2 cores, the request deadline is 65 s)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from lsprotocol import types

from codex_lsp import requests
from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.engine.review import ReviewFinding
from codex_lsp.features.diagnostics import Diagnostics
from codex_lsp.settings import Settings

URI = "file:///w/long.py"
TEXT = "".join(f"x{n} = {n}\n" for n in range(10))
FINDING = ReviewFinding(Span(Position(3, 0), Position(3, 2)), "error", "bug", "wrong.")


@dataclass
class SlowAssistant:
    """Answers one finding after `seconds`, as a slow model would."""

    embedded: bool
    seconds: float

    async def review(self, snapshot: Snapshot, workspace: Any, **_: Any) -> AsyncIterator[Any]:
        await asyncio.sleep(self.seconds)
        yield FINDING


@dataclass
class Notices:
    shown: list[str] = field(default_factory=list)

    def shown_within(self, seconds: float, *keys: str) -> bool:
        return False

    def notify(self, key: str, level: str, text: str) -> None:
        self.shown.append(text)


@dataclass
class StubServer:
    assistant: SlowAssistant
    settings: Settings = field(default_factory=Settings)
    notices: Notices = field(default_factory=Notices)
    client_capabilities: types.ClientCapabilities = field(
        default_factory=types.ClientCapabilities  # no pull: findings are pushed
    )
    encoding: str = "utf-16"
    published: list[types.PublishDiagnosticsParams] = field(default_factory=list)

    @asynccontextmanager
    async def using_assistant(self) -> AsyncIterator[SlowAssistant]:
        yield self.assistant

    async def within_budget(self, explicit: bool) -> bool:
        return True

    def workspace_context(self, uri: str) -> list[Any]:
        return []

    def snapshot(self, uri: str, quiet: bool = False) -> Snapshot | None:
        return None  # the document as reviewed is the latest

    def current_version(self, uri: str) -> int:
        return 1

    def text_document_publish_diagnostics(self, params: types.PublishDiagnosticsParams) -> None:
        self.published.append(params)


@pytest.fixture
def short_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request deadline of 0.1 s and 0.1 s a line for the embedded models (10 lines: 1 s)."""
    monkeypatch.setattr(requests, "model_deadline", lambda settings: 0.1)
    monkeypatch.setattr(requests, "EMBEDDED_REVIEW_S_PER_LINE", 0.1)
    monkeypatch.setattr("codex_lsp.features.diagnostics.model_deadline", lambda settings: 0.1)


async def review_with(assistant: SlowAssistant) -> StubServer:
    server = StubServer(assistant)
    feature = Diagnostics(server)  # type: ignore[arg-type]
    await feature._review(Snapshot(URI, 1, TEXT), 0)
    return server


@pytest.mark.usefixtures("short_deadlines")
async def test_an_embedded_review_gets_time_by_the_files_length() -> None:
    server = await review_with(SlowAssistant(embedded=True, seconds=0.4))
    assert not server.notices.shown
    assert [d.range.start.line for d in server.published[-1].diagnostics] == [3]


@pytest.mark.usefixtures("short_deadlines")
async def test_a_hosted_review_keeps_the_request_deadline() -> None:
    server = await review_with(SlowAssistant(embedded=False, seconds=0.4))
    assert server.notices.shown == ["codex-lsp: the review took too long; stopped."]
    assert not server.published


@pytest.mark.usefixtures("short_deadlines")
async def test_an_embedded_review_past_its_own_deadline_is_stopped() -> None:
    server = await review_with(SlowAssistant(embedded=True, seconds=3.0))
    assert server.notices.shown == ["codex-lsp: the review took too long; stopped."]


def test_the_embedded_deadline_grows_with_the_file_within_bounds() -> None:
    settings = Settings()
    hosted = requests.review_deadline(settings, 2000, embedded=False)
    assert hosted == requests.model_deadline(settings) == 65
    assert requests.review_deadline(settings, 5, embedded=True) == 65  # never less
    assert requests.review_deadline(settings, 110, embedded=True) == 440
    assert requests.review_deadline(settings, 100_000, embedded=True) == 1800
