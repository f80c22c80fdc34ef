"""Completions: ghost text (`textDocument/inlineCompletion`, LSP 3.18) and completion-menu items.

Automatic requests wait `debounceMs` first (the client cancels them while the user types, so a
burst of keystrokes costs one model call); explicit invocations start at once. Results are
dropped when the document changed while the model was writing.
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
from codex_lsp.features.positions import from_client, range_to_client

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


async def suggestions(
    ls: CodexServer,
    snapshot: Snapshot,
    cursor: Position,
    automatic: bool,
    on_found: Callable[[list[str]], None] | None = None,
) -> list[str]:
    """Up to MAX_SUGGESTIONS insertions: reused when the user types into a shown one, else
    streamed from the model (after the debounce, for automatic requests), each reported to
    `on_found` as soon as it is parsed."""
    assistant = await ls.assistant()
    if assistant is None:
        return []
    reused = assistant.reuse(snapshot, cursor)
    if reused is not None:
        if on_found is not None:
            on_found(reused[:MAX_SUGGESTIONS])
        return reused[:MAX_SUGGESTIONS]
    await _debounce(ls, snapshot.uri, automatic)
    if not await ls.within_budget(explicit=not automatic):
        return []
    found: list[str] = []
    stream = assistant.complete(snapshot, cursor, ls.workspace_context(snapshot.uri))
    try:
        async with aclosing(stream):
            async for text in stream:
                found.append(text)
                if on_found is not None and ls.current_version(snapshot.uri) == snapshot.version:
                    on_found([text])
                if len(found) >= MAX_SUGGESTIONS:
                    break
    except ModelUnavailable:
        return []
    return found


async def _debounce(ls: CodexServer, uri: str, automatic: bool) -> None:
    """Automatic requests wait the full pause; invoked ones wait out what remains of it since
    the last edit (VS Code marks requests while typing an identifier as invoked, too)."""
    delay = ls.settings.debounce_ms / 1000
    wait = delay if automatic else delay - ls.seconds_since_change(uri)
    if wait > 0:
        await asyncio.sleep(wait)


def register(server: CodexServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(
        ls: CodexServer, params: types.InlineCompletionParams
    ) -> types.InlineCompletionList | None:
        snapshot = ls.snapshot(params.text_document.uri)
        if snapshot is None or not ls.settings.features.inline_completion:
            return None
        cursor = from_client(snapshot, params.position, ls.encoding)
        automatic = params.context.trigger_kind == types.InlineCompletionTriggerKind.Automatic
        texts = await suggestions(ls, snapshot, cursor, automatic)
        if ls.current_version(snapshot.uri) != snapshot.version:
            return None  # computed for text the user no longer has
        here = range_to_client(snapshot, Span(cursor, cursor), ls.encoding)
        return types.InlineCompletionList(
            items=[types.InlineCompletionItem(insert_text=t, range=here) for t in texts]
        )

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=[".", "(", " "], resolve_provider=False),
    )
    async def completion(
        ls: CodexServer, params: types.CompletionParams
    ) -> types.CompletionList | None:
        snapshot = ls.snapshot(params.text_document.uri)
        if snapshot is None or not ls.settings.features.completion:
            return None
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

        texts = await suggestions(
            ls, snapshot, cursor, not invoked, send_partial if token is not None else None
        )
        if ls.current_version(snapshot.uri) != snapshot.version:
            return types.CompletionList(is_incomplete=True, items=[])
        if token is not None:
            return types.CompletionList(is_incomplete=False, items=[])  # all sent as progress
        items = [completion_item(snapshot, cursor, t, n, ls.encoding) for n, t in enumerate(texts)]
        return types.CompletionList(is_incomplete=False, items=items)
