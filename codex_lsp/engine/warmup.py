"""Ahead of the request, for the embedded model: warm the block the cursor reached, and prefetch
the suggestion after the one shown (llama.vscode and llama.vim do both).

Measured on `benchmarks/local_latency.py`: the first pause at a new place read 300-500 prefix
tokens cold (5-7 s on 2 cores), where a pause in a block already read costs under a second.
`warm` hands the provider the prefix the next completion will send, as soon as a request says
where the cursor is (before the debounce, so also while the user types on); `prefetch` hands
it the pieces of the completion after the one shown, as if the user takes it. The provider
decides whether a warm-up is needed and never lets one delay a real request
(`providers/infill_lane.py`).

Only for a `Warming` provider (the local one: idle CPU, no money) and the cache-aware layout.
The pieces are the ones `Assistant.complete` sends: the same redacted text, the same budget
(`completion_infill`, which a test keeps equal to the request's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codex_lsp.engine.context import Position, Snapshot, after_insertion
from codex_lsp.engine.prompts import file_budget, infill
from codex_lsp.providers.base import Infill, Warming

if TYPE_CHECKING:  # assistant.py may import this module for its warm and prefetch methods
    from codex_lsp.engine.assistant import Assistant


def warming(assistant: Assistant) -> Warming | None:
    """The provider when it reads ahead and the layout keeps a block's prefix still."""
    provider = assistant.caller.provider
    if not assistant.cache_aware or not isinstance(provider, Warming):
        return None
    return provider


async def completion_infill(assistant: Assistant, snapshot: Snapshot, cursor: Position) -> Infill:
    """The fill-in-the-middle pieces `Assistant.complete` would send for this cursor."""
    snapshot = await assistant.redactions.attach(snapshot)
    budget, _ = assistant.completion_budget(snapshot)
    # As completion_request (a warm-up only runs in the cache-aware layout).
    return infill(
        snapshot, cursor, file_budget(budget, naive=False, shared=assistant.shared_layout)
    )


async def warm(assistant: Assistant, snapshot: Snapshot, cursor: Position) -> None:
    """The cursor is here: have the provider read the prefix up to it (only the prefix: the
    suffix follows it in the prompt, so typing changes what comes after the prefix anyway)."""
    provider = warming(assistant)
    if provider is None:
        return
    pieces = await completion_infill(assistant, snapshot, cursor)
    provider.warm(reading(pieces), snapshot.uri)


def reading(pieces: Infill) -> Infill:
    """What a warm-up reads of `pieces`: the extra chunks and the prefix, of both windows."""
    short = None if pieces.short is None else reading(pieces.short)
    return Infill(pieces.prefix, "", 0, pieces.extra, short)


def forget(assistant: Assistant, uri: str) -> None:
    """The document closed: no reading ahead for it any more."""
    provider = assistant.caller.provider
    if isinstance(provider, Warming):  # whatever the layout now: it may have changed
        provider.forget(uri)


def accept(snapshot: Snapshot, cursor: Position, insertion: str) -> tuple[Snapshot, Position]:
    """The document after the user takes `insertion` at `cursor`, and the cursor after it."""
    before, after = snapshot.split_at(cursor)
    accepted = Snapshot(snapshot.uri, None, before + insertion + after, snapshot.language_id)
    return accepted, after_insertion(cursor, insertion)


async def prefetch(
    assistant: Assistant, snapshot: Snapshot, cursor: Position, insertion: str
) -> None:
    """`insertion` is shown at `cursor`: have the provider compute the completion after it."""
    provider = warming(assistant)
    if provider is None or not insertion:
        return
    accepted, after = accept(snapshot, cursor, insertion)
    provider.prefetch(
        await completion_infill(assistant, accepted, after), assistant.completion_output_tokens
    )
