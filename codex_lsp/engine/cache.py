"""LRU caches (cachetools, bounded by bytes) that turn editing into prompt-cache hits or no call.

- `AnchorStore`: per document, the snapshot text the prompt shows as its stable middle. Edits
  since then are sent as a small diff after it, so the provider's cached prefix survives typing
  anywhere in the file; it re-anchors once the diff grows past a threshold.
- `TypedThrough`: the suggestions last shown per document; when the user types characters a
  suggestion already contains, the rest is served without a model call (also covers an
  identical repeated request).
- `CacheKeyShards`: keeps each prompt-cache key under the provider's per-prefix request rate.
- `RedactedDocuments`: each document redacted whole once per version, the text every prompt
  is cut from; a large one is redacted in a worker thread so the event loop keeps answering.
The response cache keyed by the exact prompt lives in `engine/calls.py`, beside its only user.
"""

from __future__ import annotations

import asyncio
import difflib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import LRUCache

from codex_lsp.engine.context import Snapshot, redact_lines
from codex_lsp.engine.tokens import estimate_tokens


@dataclass(frozen=True)
class Hunk:
    """Anchor lines [start, end) were replaced by `lines` (current lines [new_start, new_end))."""

    start: int
    end: int
    new_start: int
    new_end: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Anchor:
    text: str
    lines: tuple[str, ...]
    redacted_lines: tuple[str, ...]  # the snapshot's, redacted as a whole document
    tokens: int

    @classmethod
    def of(cls, snapshot: Snapshot) -> Anchor:
        redacted = snapshot.redacted_lines
        text = snapshot.normalized_text()
        return cls(text, snapshot.lines, redacted, estimate_tokens("\n".join(redacted)))


def diff_hunks(old: tuple[str, ...], new: tuple[str, ...]) -> list[Hunk]:
    """Line hunks from old to new; the common head and tail are skipped cheaply first."""
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    if not old_mid and not new_mid:
        return []
    matcher = difflib.SequenceMatcher(a=old_mid, b=new_mid, autojunk=False)
    hunks = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag != "equal":
            hunks.append(Hunk(head + a0, head + a1, head + b0, head + b1, new_mid[b0:b1]))
    return hunks


def render_hunks(hunks: list[Hunk]) -> str:
    """A compact, model-readable diff; line numbers are 1-based, of the snapshot."""
    chunks = []
    for hunk in hunks:
        if hunk.start == hunk.end:
            where = f"after snapshot line {hunk.start}, insert:"
        elif not hunk.lines:
            chunks.append(f"delete snapshot lines {hunk.start + 1}-{hunk.end}\n")
            continue
        else:
            where = f"replace snapshot lines {hunk.start + 1}-{hunk.end} with:"
        chunks.append(where + "\n" + "\n".join(hunk.lines) + "\n")
    return "".join(chunks)


class AnchorStore:
    """Anchors per document URI, bounded by the bytes of text they hold."""

    def __init__(self, max_bytes: int = 16_000_000, drift_ratio: float = 0.1) -> None:
        self._anchors: LRUCache[str, Anchor] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda anchor: len(anchor.text) + 1
        )
        self._drift_ratio = drift_ratio
        self._regions: LRUCache[str, tuple[int, int]] = LRUCache(maxsize=4096)
        self.reanchors = 0

    def anchor(self, snapshot: Snapshot) -> Anchor:
        current = self._anchors.get(snapshot.uri)
        return current if current is not None else self._set(snapshot)

    def needs_reanchor(
        self, anchor: Anchor, edits_text: str, shown_tokens: int | None = None
    ) -> bool:
        """Re-anchor when the diff would cost more than a share of the snapshot it amends."""
        shown = anchor.tokens if shown_tokens is None else min(shown_tokens, anchor.tokens)
        return estimate_tokens(edits_text) > max(256, self._drift_ratio * shown)

    def last_region(self, uri: str) -> tuple[int, int] | None:
        """The lines of the snapshot the document's last completion prompt showed."""
        return self._regions.get(uri)

    def show_region(self, uri: str, region: tuple[int, int]) -> None:
        self._regions[uri] = region

    def reset(self, snapshot: Snapshot) -> Anchor:
        self.reanchors += 1
        return self._set(snapshot)

    def forget(self, uri: str) -> None:
        self._anchors.pop(uri, None)
        self._regions.pop(uri, None)

    def _set(self, snapshot: Snapshot) -> Anchor:
        anchor = Anchor.of(snapshot)
        if len(anchor.text) < self._anchors.maxsize:
            self._anchors[snapshot.uri] = anchor
        return anchor


@dataclass(frozen=True)
class Shown:
    before: str
    after: str
    suggestions: tuple[str, ...]


class TypedThrough:
    """Serves the rest of a shown suggestion when the user types into it."""

    def __init__(self, max_bytes: int = 8_000_000) -> None:
        self._shown: LRUCache[str, Shown] = LRUCache(
            maxsize=max_bytes,
            getsizeof=lambda s: len(s.before) + len(s.after) + sum(map(len, s.suggestions)) + 1,
        )

    def remember(self, uri: str, before: str, after: str, suggestions: list[str]) -> None:
        shown = Shown(before, after, tuple(suggestions))
        if suggestions and self._shown.getsizeof(shown) < self._shown.maxsize:
            self._shown[uri] = shown

    def lookup(self, uri: str, before: str, after: str) -> list[str] | None:
        shown = self._shown.get(uri)
        if shown is None or after != shown.after or not before.startswith(shown.before):
            return None
        typed = before[len(shown.before) :]
        rest = [s[len(typed) :] for s in shown.suggestions if s.startswith(typed) and s != typed]
        return rest or None

    def forget(self, uri: str) -> None:
        self._shown.pop(uri, None)


class CacheKeyShards:
    """Spreads a document's requests over as few `prompt_cache_key`s as keep each key under the
    provider's per-prefix rate. OpenAI serves about 15 requests a minute per prefix and key from
    one cache machine; above that, requests spill to machines that have not seen the prefix and
    miss. A fast typist sends more, so the overflow goes to a second key, which warms up once
    and then hits, instead of missing on a random machine every time."""

    WINDOW_S = 60.0

    def __init__(self, per_minute: int = 14, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._calls: LRUCache[str, list[deque[float]]] = LRUCache(maxsize=1024)

    def key(self, base: str, feature: str) -> str:
        now = self._clock()
        shards = self._calls.setdefault(f"{feature}:{base}", [])
        for index, times in enumerate(shards):
            while times and now - times[0] > self.WINDOW_S:
                times.popleft()
            if len(times) < self._per_minute:
                times.append(now)
                return _shard_key(base, index)
        shards.append(deque([now]))
        return _shard_key(base, len(shards) - 1)


def _shard_key(base: str, index: int) -> str:
    return base if index == 0 else f"{base}-{index}"


class RedactedDocuments:
    """Each document's redacted lines, computed once per text and kept per URI."""

    OFF_LOOP_CHARS = 32_000  # larger texts are redacted in a worker thread

    def __init__(self, max_bytes: int = 32_000_000) -> None:
        self._done: LRUCache[str, tuple[tuple[str, ...], tuple[str, ...]]] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda entry: 2 * sum(len(line) + 1 for line in entry[0])
        )

    async def attach(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with its redacted lines, from the cache when its text was seen."""
        if snapshot.redacted is not None:
            return snapshot
        cached = self._done.get(snapshot.uri)
        if cached is not None and cached[0] == snapshot.lines:
            redacted = cached[1]
        elif len(snapshot.text) > self.OFF_LOOP_CHARS:
            redacted = await asyncio.to_thread(redact_lines, snapshot.lines)
        else:
            redacted = redact_lines(snapshot.lines)
        entry = (snapshot.lines, redacted)
        if self._done.getsizeof(entry) < self._done.maxsize:
            self._done[snapshot.uri] = entry
        return Snapshot(
            snapshot.uri, snapshot.version, snapshot.text, snapshot.language_id, redacted
        )

    def forget(self, uri: str) -> None:
        self._done.pop(uri, None)
