"""Completions: ghost text (`textDocument/inlineCompletion`, LSP 3.18) and completion-menu items.

A request waits out what remains of the user's pause (`features/debounce.py`: nothing when the
client asks at pauses, a learned pause within `debounceMs` when it asks after every keystroke)
and is dropped without a model call when the user typed on meanwhile, so a burst of keystrokes
costs one call. Results are dropped when the document changed while the model was writing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from contextlib import aclosing
from typing import TYPE_CHECKING

from lsprotocol import types

from codex_lsp.engine.calls import ModelUnavailable
from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.features.base import Feature
from codex_lsp.features.debounce import FREE_MIN_DELAY_S, MIN_DELAY_S, Debounce
from codex_lsp.features.positions import from_client, range_to_client
from codex_lsp.features.warming import EditWarmups
from codex_lsp.requests import DocumentRoute, completion_deadline

if TYPE_CHECKING:
    from codex_lsp.server import CodexServer

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3


def word_start(snapshot: Snapshot, cursor: Position) -> Position:
    """Start of the identifier being typed, so clients filter items by what was typed."""
    line = snapshot.lines[cursor.line]
    start = cursor.character
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] == "_"):
        start -= 1
    return Position(cursor.line, start)


def code_block(code: str, language: str) -> str:
    """A Markdown code block the model's text cannot break out of: the fence is longer than
    any run of backticks in it, and the language id is only a word."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    info = re.sub(r"[^\w+#.-]", "", language)[:32]
    return f"{fence}{info}\n{code}\n{fence}"


def completion_item(
    snapshot: Snapshot, cursor: Position, insertion: str, rank: int, encoding: str
) -> types.CompletionItem:
    start = word_start(snapshot, cursor)
    typed = snapshot.lines[cursor.line][start.character : cursor.character]
    new_text = typed + insertion
    first_line = new_text.split("\n", 1)[0].strip() or new_text.strip()
    return types.CompletionItem(
        label=first_line[:80] + ("…" if len(new_text.strip()) > len(first_line[:80]) else ""),
        kind=types.CompletionItemKind.Text,
        detail="codex-lsp",
        documentation=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value=code_block(new_text, snapshot.language_id)
        ),
        sort_text=f"0000{rank}",
        filter_text=typed + insertion.split("\n", 1)[0],
        text_edit=types.TextEdit(
            range=range_to_client(snapshot, Span(start, cursor), encoding), new_text=new_text
        ),
        insert_text_format=types.InsertTextFormat.PlainText,
    )


INLINE = DocumentRoute(
    "inline completion",
    enabled=lambda settings: settings.features.inline_completion,
    empty=lambda _: None,
    deadline_s=completion_deadline,
    stale=lambda _: None,  # computed for text the user no longer has
)
MENU = DocumentRoute(
    "completion",
    enabled=lambda settings: settings.features.completion,
    empty=lambda _: None,
    deadline_s=completion_deadline,
    stale=lambda _: types.CompletionList(is_incomplete=True, items=[]),
)


class Completion(Feature):
    """Ghost text and menu items; remembers when each document last changed (the debounce)."""

    def __init__(self, server: CodexServer) -> None:
        super().__init__(server)
        self.debounce = Debounce()
        self.warmups = EditWarmups(server)

    def register(self) -> None:
        self.document_request(
            types.TEXT_DOCUMENT_INLINE_COMPLETION,
            types.InlineCompletionOptions(),
            INLINE,
            self.inline_completion,
        )
        self.document_request(
            types.TEXT_DOCUMENT_COMPLETION,
            types.CompletionOptions(trigger_characters=[".", "(", " "], resolve_provider=False),
            MENU,
            self.completion,
        )

    def on_change(self, uri: str) -> None:
        self.debounce.changed(uri)

    def on_edit(self, params: types.DidChangeTextDocumentParams) -> None:
        self.warmups.edited(params)

    def on_close(self, uri: str) -> None:
        self.debounce.forget(uri)
        self.warmups.closed(uri)

    async def inline_completion(
        self, ls: CodexServer, params: types.InlineCompletionParams, snapshot: Snapshot
    ) -> types.InlineCompletionList | None:
        cursor = from_client(snapshot, params.position, ls.encoding)
        automatic = params.context.trigger_kind == types.InlineCompletionTriggerKind.Automatic
        texts = await self.suggestions(ls, snapshot, cursor, automatic)
        here = range_to_client(snapshot, Span(cursor, cursor), ls.encoding)
        return types.InlineCompletionList(
            items=[types.InlineCompletionItem(insert_text=t, range=here) for t in texts]
        )

    async def completion(
        self, ls: CodexServer, params: types.CompletionParams, snapshot: Snapshot
    ) -> types.CompletionList | None:
        cursor = from_client(snapshot, params.position, ls.encoding)
        invoked = params.context is not None and params.context.trigger_kind == (
            types.CompletionTriggerKind.Invoked
        )
        token = params.partial_result_token
        sent = 0

        def send_partial(texts: list[str]) -> None:
            nonlocal sent
            items = [
                completion_item(snapshot, cursor, t, sent + n, ls.encoding)
                for n, t in enumerate(texts)
            ]
            sent += len(items)
            ls.progress(types.ProgressParams(token=token, value=items))  # type: ignore[arg-type]

        on_found = send_partial if token is not None else None
        texts = await self.suggestions(ls, snapshot, cursor, not invoked, on_found)
        if token is not None:
            return types.CompletionList(is_incomplete=False, items=[])  # all sent as progress
        items = [completion_item(snapshot, cursor, t, n, ls.encoding) for n, t in enumerate(texts)]
        return types.CompletionList(is_incomplete=False, items=items)

    async def suggestions(
        self,
        ls: CodexServer,
        snapshot: Snapshot,
        cursor: Position,
        automatic: bool,
        on_found: Callable[[list[str]], None] | None = None,
    ) -> list[str]:
        """Up to MAX_SUGGESTIONS insertions: reused when the user types into a shown one, else
        streamed from the model (after the debounce, for automatic requests), each reported to
        `on_found` as soon as it is parsed."""
        self.warmups.asked(snapshot.uri)
        async with ls.using_assistant() as assistant:
            if assistant is None:
                return []
            reused = assistant.reuse(snapshot, cursor)
            if reused is not None:
                if on_found is not None:
                    on_found(reused[:MAX_SUGGESTIONS])
                return reused[:MAX_SUGGESTIONS]
            # The embedded model reads a new place's prefix while the user types on (its
            # provider skips this where the text is read already).
            await assistant.warm(snapshot, cursor)
            floor = FREE_MIN_DELAY_S if assistant.reads_ahead else MIN_DELAY_S
            wait = self.debounce.wait_s(snapshot.uri, ls.settings.debounce_ms / 1000, floor)
            if wait > 0:
                await asyncio.sleep(wait)
                if not self._current(ls, snapshot):
                    return []  # the user typed on: this pause is over, and so is the request
            if not await ls.within_budget(explicit=not automatic):
                return []
            found: list[str] = []
            workspace = ls.workspace_context(snapshot.uri)
            stream = assistant.complete(snapshot, cursor, workspace, explicit=not automatic)
            try:
                async with aclosing(stream):
                    async for text in stream:
                        found.append(text)
                        if on_found is not None and self._current(ls, snapshot):
                            on_found([text])
                        if len(found) >= MAX_SUGGESTIONS:
                            break
            except ModelUnavailable:  # the user has been told why; no suggestion is an answer
                pass
            if found and self._current(ls, snapshot):
                await assistant.prefetch(snapshot, cursor, found[0])
            return found

    @staticmethod
    def _current(ls: CodexServer, snapshot: Snapshot) -> bool:
        return ls.current_version(snapshot.uri) == snapshot.version
