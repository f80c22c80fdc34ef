"""Warm the embedded model where the user types, for clients that ask only at pauses.

A client that sends an inline completion after every change warms the model through its own
requests (`Completion.suggestions` calls `Assistant.warm` before the debounce). One that asks
only when the user pauses (most Neovim and Emacs setups) would have the model start reading a
new place at the pause; here each `didChange` says where the cursor is (the end of the text
it inserted), so reading starts at the first keystroke there. A warm-up only computes the
prompt's pieces and hands them to the provider, which reads in the background and never ahead
of a real request (`providers/infill_lane.py`); only the embedded model reads ahead at all
(`engine/warmup.py`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from lsprotocol import types

from codex_lsp.engine.context import after_insertion
from codex_lsp.features.positions import from_client

if TYPE_CHECKING:
    from codex_lsp.server import CodexServer

log = logging.getLogger(__name__)

# At most one warm-up per document this often (building the pieces costs ~4 ms on the
# benchmark's 760-line file; the provider skips one that would read little anyway).
WARM_EVERY_S = 0.25


class EditWarmups:
    """Per document: the warm-up running, when the last one started, and whether the client
    asked for a completion since the last edit (then its requests warm, not its edits)."""

    def __init__(self, server: CodexServer, clock: Callable[[], float] = time.monotonic) -> None:
        self.server = server
        self._clock = clock
        self._asked: set[str] = set()
        self._started: dict[str, float] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def asked(self, uri: str) -> None:
        """A completion request came for `uri` (it warms the model itself)."""
        self._asked.add(uri)

    def edited(self, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in self._asked:  # a request came after the previous edit: it asks per edit
            self._asked.discard(uri)
            return
        features = self.server.settings.features
        if not (features.inline_completion or features.completion) or not params.content_changes:
            return
        change = params.content_changes[-1]
        if not isinstance(change, types.TextDocumentContentChangePartial):
            return  # the whole text: no cursor to read at
        running = self._tasks.get(uri)
        now = self._clock()
        if running is not None and not running.done():
            return
        if now - self._started.get(uri, -WARM_EVERY_S) < WARM_EVERY_S:
            return
        self._started[uri] = now
        self._tasks[uri] = asyncio.create_task(
            self._warm(uri, change.range.start, change.text), name="edit-warm"
        )

    def closed(self, uri: str) -> None:
        """The document closed: a warm-up still building its pieces never reaches the model."""
        task = self._tasks.pop(uri, None)
        if task is not None and not task.done():
            task.cancel()
        self._asked.discard(uri)
        self._started.pop(uri, None)

    async def _warm(self, uri: str, start: types.Position, inserted: str) -> None:
        try:
            snapshot = self.server.snapshot(uri, quiet=True)  # the request says why not
            if snapshot is None:
                return
            end = after_insertion(from_client(snapshot, start, self.server.encoding), inserted)
            cursor = snapshot.clamp(end.line, end.character)
            async with self.server.using_assistant() as assistant:
                if assistant is not None:
                    await assistant.warm(snapshot, cursor)
        except asyncio.CancelledError:
            raise
        except Exception:  # reading ahead is an optimisation: it must never break an edit
            log.exception("warming the model after an edit failed")
