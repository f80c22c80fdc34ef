"""LRU caches (cachetools, bounded by the bytes they hold) that turn editing into prompt-cache
hits or no call.

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
import sys
import time
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress
from math import isqrt
from operator import is_not
from typing import Generic, TypeVar

from cachetools import LRUCache

from codex_lsp.engine.context import Snapshot, redact_lines
from codex_lsp.engine.secrets import Segments
from codex_lsp.engine.tokens import estimate_tokens

ENTRY_BYTES = 400  # an entry's object, tuple and LRU bookkeeping (about 330 on CPython 3.11)

V = TypeVar("V")


def held_bytes(*parts: str | tuple[str, ...]) -> int:
    """The bytes an entry made of these strings and tuples of strings keeps alive, as
    `sys.getsizeof` measures them: a line costs about 50 bytes before its first character, so
    counting characters undercounts a many-line document several times over."""
    total = ENTRY_BYTES
    for part in parts:
        total += sys.getsizeof(part)
        if isinstance(part, tuple):
            total += sum(map(sys.getsizeof, part))
    return total


class BytesLRU(Generic[V]):
    """Entries per document URI, least recently used first out past `max_bytes`. Each entry is
    measured once, when stored, by the memory it holds (`held_bytes`) and keeps that size."""

    def __init__(self, max_bytes: int) -> None:
        self._entries: LRUCache[str, tuple[V, int]] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda entry: entry[1]
        )

    def get(self, uri: str) -> V | None:
        entry = self._entries.get(uri)
        return None if entry is None else entry[0]

    def put(self, uri: str, value: V, size: int) -> None:
        """Keeps `value` (of `size` bytes, key included) unless it alone is over the cap."""
        if size < self._entries.maxsize:
            self._entries[uri] = (value, size)

    def pop(self, uri: str) -> None:
        self._entries.pop(uri, None)


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
    lines: tuple[str, ...]
    redacted_lines: tuple[str, ...]  # the snapshot's, redacted as a whole document
    tokens: int

    @classmethod
    def of(cls, snapshot: Snapshot) -> Anchor:
        redacted = snapshot.redacted_lines
        return cls(snapshot.lines, redacted, estimate_tokens("\n".join(redacted)))


DIFF_WORK = 20_000  # steps any diff may take (about 4 ms)...
DIFF_WORK_PER_LINE = 4  # ...and more per line that differs


def diff_hunks(
    old: tuple[str, ...], new: tuple[str, ...], max_work: int | None = None
) -> list[Hunk]:
    """Line hunks from old to new; the common head and tail are skipped cheaply first.

    In between, lines that occur once on each side anchor the diff (patience diff) and Myers'
    diff matches what is left, within `max_work` steps (by default linear in the lines that
    differ). Past it, each region left is one hunk: correct, only larger. difflib took 21 s on
    a replace-all of 3,500 lines of repeated records, and such an edit re-anchors anyway."""
    head, tail = common_ends(old, new)
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    if not old_mid and not new_mid:
        return []
    # Compare small ints, not strings, in the loops below; numbered in C (which int a line
    # gets does not matter, only which lines are equal).
    distinct = set(old_mid)
    distinct.update(new_mid)
    ids = dict(zip(distinct, range(len(distinct)), strict=True))
    a, b = list(map(ids.__getitem__, old_mid)), list(map(ids.__getitem__, new_mid))
    work = DIFF_WORK + DIFF_WORK_PER_LINE * (len(a) + len(b)) if max_work is None else max_work
    hunks = []
    i = j = 0
    for match_i, match_j in [*_matches(a, b, _Budget(work)), (len(a), len(b))]:
        if match_i > i or match_j > j:
            hunk = Hunk(head + i, head + match_i, head + j, head + match_j, new_mid[j:match_j])
            hunks.append(hunk)
        i, j = match_i + 1, match_j + 1
    return hunks


def common_ends(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[int, int]:
    """How many items (lines, or a line's tokens) `old` and `new` share at their start, then at
    their end (not overlapping the start). Blocks of lines are compared as tuples first: in C,
    and at once where they are the same objects, as `shared_lines` makes most of them."""
    limit, n, m = min(len(old), len(new)), len(old), len(new)
    head = 0
    while head + _BLOCK <= limit and old[head : head + _BLOCK] == new[head : head + _BLOCK]:
        head += _BLOCK
    while head < limit and old[head] == new[head]:
        head += 1
    room, tail = limit - head, 0
    while (
        tail + _BLOCK <= room
        and old[n - tail - _BLOCK : n - tail] == new[m - tail - _BLOCK : m - tail]
    ):
        tail += _BLOCK
    while tail < room and old[n - 1 - tail] == new[m - 1 - tail]:
        tail += 1
    return head, tail


_BLOCK = 64  # lines compared at once before line by line


class _Budget:
    """Steps a diff may still take; regions past it are left as one hunk each."""

    def __init__(self, steps: int) -> None:
        self.left = steps

    def spend(self, steps: int) -> bool:
        self.left -= steps
        return self.left >= 0


_Region = tuple[int, int, int, int]  # a[a0:a1] against b[b0:b1]


def _matches(a: list[int], b: list[int], budget: _Budget) -> list[tuple[int, int]]:
    """Pairs (i, j) with a[i] == b[j], increasing in both: the lines the diff keeps."""
    found: list[tuple[int, int]] = []
    regions: list[_Region] = [(0, len(a), 0, len(b))]
    while regions:
        a0, a1, b0, b1 = _trimmed(a, b, regions.pop(), found)
        if a0 == a1 or b0 == b1 or not budget.spend(a1 - a0 + b1 - b0):
            continue
        in_a, in_b = Counter(a[a0:a1]), Counter(b[b0:b1])
        if in_a.keys().isdisjoint(in_b):
            continue  # nothing in common: one hunk
        anchors = _unique_anchors(a, b, (a0, a1, b0, b1), in_a, in_b)
        if anchors:
            found += anchors
            starts = [(a0 - 1, b0 - 1), *anchors]
            ends = [*anchors, (a1, b1)]
            regions += [
                (i + 1, k, j + 1, m)
                for (i, j), (k, m) in zip(starts, ends, strict=True)
                if k > i + 1 and m > j + 1  # lines on both sides between two anchors
            ]
        else:
            found += _myers(a, b, (a0, a1, b0, b1), budget)
    found.sort()
    return found


def _trimmed(a: list[int], b: list[int], region: _Region, found: list[tuple[int, int]]) -> _Region:
    """The region without its common head and tail, whose pairs go to `found`."""
    a0, a1, b0, b1 = region
    while a0 < a1 and b0 < b1 and a[a0] == b[b0]:
        found.append((a0, b0))
        a0, b0 = a0 + 1, b0 + 1
    while a0 < a1 and b0 < b1 and a[a1 - 1] == b[b1 - 1]:
        a1, b1 = a1 - 1, b1 - 1
        found.append((a1, b1))
    return a0, a1, b0, b1


def _unique_anchors(
    a: list[int], b: list[int], region: _Region, in_a: Counter[int], in_b: Counter[int]
) -> list[tuple[int, int]]:
    """The longest run, in order on both sides, of lines that occur once on each side."""
    a0, a1, b0, b1 = region
    where = {b[j]: j for j in range(b0, b1) if in_b[b[j]] == 1 and in_a[b[j]] == 1}
    pairs = [(i, where[a[i]]) for i in range(a0, a1) if a[i] in where]
    return _longest_increasing(pairs)


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence whose second items increase too (patience sorting)."""
    seconds = [j for _, j in pairs]
    if seconds == sorted(seconds):  # no line moved: all of them (the usual case, checked in C)
        return pairs
    tops: list[int] = []  # second item ending the best run of each length
    top_index: list[int] = []
    back = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        size = bisect_left(tops, j)
        back[index] = top_index[size - 1] if size else -1
        if size == len(tops):
            tops.append(j)
            top_index.append(index)
        else:
            tops[size], top_index[size] = j, index
    run = []
    index = top_index[-1] if top_index else -1
    while index >= 0:
        run.append(pairs[index])
        index = back[index]
    return run[::-1]


def _myers(a: list[int], b: list[int], region: _Region, budget: _Budget) -> list[tuple[int, int]]:
    """The pairs a shortest edit script keeps (Myers' greedy algorithm); none past the budget.
    Edit distance d costs at least d steps, so the budget also bounds the trace kept."""
    a0, a1, b0, b1 = region
    n, m = a1 - a0, b1 - b0
    reach = min(n + m, isqrt(2 * max(budget.left, 0)) + 1)
    offset = reach + 1
    v = [0] * (2 * reach + 3)  # v[offset + k]: the furthest x reached on diagonal k = x - y
    trace: list[list[int]] = []
    steps = 0
    for d in range(reach + 1):
        trace.append(v[offset - d - 1 : offset + d + 2])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[offset + k - 1] < v[offset + k + 1]):
                x = v[offset + k + 1]  # down: b[y] inserted
            else:
                x = v[offset + k - 1] + 1  # right: a[x] deleted
            start = x
            while x < n and x - k < m and a[a0 + x] == b[b0 + x - k]:
                x += 1
            v[offset + k] = x
            if x >= n and x - k >= m:
                budget.spend(steps)
                return [(a0 + i, b0 + j) for i, j in _replayed(trace, n, m)]
            steps += 1 + x - start
            if steps > budget.left:  # checked per diagonal: one level's snakes can be long
                budget.spend(steps)
                return []
    return []


def _replayed(trace: list[list[int]], n: int, m: int) -> list[tuple[int, int]]:
    """The matched pairs along the path to (n, m), walking the levels back."""
    pairs = []
    x, y = n, m
    for d in range(len(trace) - 1, -1, -1):
        v, k = trace[d], x - y  # v[d + 1 + k]: diagonal k before level d
        down = k == -d or (k != d and v[d + k] < v[d + k + 2])
        previous_k = k + 1 if down else k - 1
        previous_x = v[d + 1 + previous_k]
        previous_y = previous_x - previous_k
        while x > previous_x and y > previous_y:
            x, y = x - 1, y - 1
            pairs.append((x, y))
        x, y = previous_x, previous_y
    return pairs[::-1]


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
    """Anchors per document URI, bounded by the bytes they hold: lines and redacted lines."""

    def __init__(self, max_bytes: int = 16_000_000, drift_ratio: float = 0.1) -> None:
        self._anchors: BytesLRU[Anchor] = BytesLRU(max_bytes)
        self._drift_ratio = drift_ratio
        self._regions: LRUCache[str, tuple[int, int]] = LRUCache(maxsize=4096)
        # Per document being edited: the last diff from its anchor, and what it was taken of.
        self._hunks: LRUCache[str, _Diff] = LRUCache(maxsize=self.DIFF_DOCUMENTS)
        self.reanchors = 0

    DIFF_DOCUMENTS = 4

    def anchor(self, snapshot: Snapshot) -> Anchor:
        current = self._anchors.get(snapshot.uri)
        return current if current is not None else self._set(snapshot)

    def existing(self, uri: str) -> Anchor | None:
        """The document's anchor, without making one."""
        return self._anchors.get(uri)

    def hunks(self, uri: str, anchor: Anchor, redacted: tuple[str, ...]) -> list[Hunk]:
        """`diff_hunks` from the anchor to `redacted` (a version's redacted lines), computed
        once: the server diffs a new version while the user types (`Assistant.prepare`), and
        the request at the pause finds it done."""
        last = self._hunks.get(uri)
        if last is not None and last.anchor is anchor and last.redacted is redacted:
            return list(last.hunks)
        hunks = diff_hunks(anchor.redacted_lines, redacted)
        self._hunks[uri] = _Diff(anchor, redacted, tuple(hunks))
        return hunks

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
        self._anchors.pop(uri)
        self._regions.pop(uri, None)
        self._hunks.pop(uri, None)

    def _set(self, snapshot: Snapshot) -> Anchor:
        anchor = Anchor.of(snapshot)
        size = lines_bytes(snapshot.uri, anchor.lines, anchor.redacted_lines)
        self._anchors.put(snapshot.uri, anchor, size)
        return anchor


@dataclass(frozen=True)
class _Diff:
    """A diff and its two sides, compared by identity: a version's redacted lines are one
    tuple for as long as the redaction cache keeps it."""

    anchor: Anchor
    redacted: tuple[str, ...]
    hunks: tuple[Hunk, ...]


@dataclass(frozen=True)
class Shown:
    """Suggestions shown at a cursor, and the text around it as a fingerprint: the text itself
    (the whole document, twice) would be kept per document for one comparison."""

    before: Fingerprint
    after: Fingerprint
    suggestions: tuple[str, ...]


@dataclass(frozen=True)
class Fingerprint:
    """A text's length, hash and last characters: equal texts have equal fingerprints, and
    different ones practically never do (a 64-bit hash and the tail must both match)."""

    length: int
    digest: int
    tail: str

    @classmethod
    def of(cls, text: str) -> Fingerprint:
        return cls(len(text), hash(text), text[-TAIL_CHARS:])

    def matches_start_of(self, text: str) -> bool:
        """Whether `text` starts with the text this is the fingerprint of."""
        if len(text) < self.length or not text.startswith(self.tail, self.length - len(self.tail)):
            return False
        return hash(text[: self.length]) == self.digest


TAIL_CHARS = 64


class TypedThrough:
    """Serves the rest of a shown suggestion when the user types into it."""

    def __init__(self, max_bytes: int = 8_000_000) -> None:
        self._shown: BytesLRU[Shown] = BytesLRU(max_bytes)

    def remember(self, uri: str, before: str, after: str, suggestions: list[str]) -> None:
        if suggestions:
            start, end = Fingerprint.of(before), Fingerprint.of(after)
            shown = Shown(start, end, tuple(suggestions))
            self._shown.put(uri, shown, held_bytes(uri, start.tail, end.tail, shown.suggestions))

    def lookup(self, uri: str, before: str, after: str) -> list[str] | None:
        shown = self._shown.get(uri)
        if shown is None or len(after) != shown.after.length:
            return None
        if not (shown.after.matches_start_of(after) and shown.before.matches_start_of(before)):
            return None
        typed = before[shown.before.length :]
        rest = [s[len(typed) :] for s in shown.suggestions if s.startswith(typed) and s != typed]
        return rest or None

    def forget(self, uri: str) -> None:
        self._shown.pop(uri)


class CacheKeyShards:
    """Spreads a document's requests over as few `prompt_cache_key`s as keep each key under the
    provider's per-prefix rate. OpenAI serves about 15 requests a minute per prefix and key from
    one cache machine; above that, requests spill to machines that have not seen the prefix and
    miss. A fast typist sends more, so the overflow goes to a second key, which warms up once
    and then hits, instead of missing on a random machine every time.

    A key is kept while it has room (not only the first key with room): the requests sent to
    a second key then come in a run whose prompts extend each other, so it warms; handing it
    one stray request whenever the first key is full sent it only cold, spread-out prompts
    (issue 13: all four calls to a second key missed)."""

    # The provider's minute, with a margin: it counts requests as they arrive, this class as
    # they leave (a request's network time later, by another clock), and a 16th request that
    # lands inside the provider's minute misses the whole prompt (session 9's replays: 2 of 7
    # runs sent 16 in a minute to one key with a window of exactly 60 s). Not more: every
    # second more sends more requests to a colder key (cost_proxy --rate, requests_auth:
    # 0.388x at 60 or 61 s, 0.396x at 62 s).
    WINDOW_S = 61.0

    def __init__(self, per_minute: int = 15, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._calls: LRUCache[str, _Shards] = LRUCache(maxsize=1024)

    def key(self, base: str, prompt_start: str) -> str:
        """The key for a request whose prompt starts with `prompt_start` (its schema's name:
        requests that share it share the first tokens the provider routes by)."""
        now = self._clock()
        shards = self._calls.setdefault(f"{prompt_start}:{base}", _Shards())
        for times in shards.windows:
            while times and now - times[0] > self.WINDOW_S:
                times.popleft()
        order = [shards.last, *range(len(shards.windows))] if shards.windows else []
        index = next((i for i in order if len(shards.windows[i]) < self._per_minute), None)
        if index is None:
            shards.windows.append(deque())
            index = len(shards.windows) - 1
        shards.windows[index].append(now)
        shards.last = index
        return _shard_key(base, index)


@dataclass
class _Shards:
    """A prefix's request times per key, and the key its last request went to."""

    windows: list[deque[float]] = field(default_factory=list)
    last: int = 0


def _shard_key(base: str, index: int) -> str:
    return base if index == 0 else f"{base}-{index}"


class RedactedDocuments:
    """Each document's redacted lines, computed once per text and kept per URI."""

    OFF_LOOP_CHARS = 32_000  # larger texts are redacted in a worker thread ...
    # ... unless an edit changed less than this of a version redacted before: only the segments
    # near it are redacted again (about a millisecond), less than the thread hop and handing the
    # GIL back and forth with the loop cost.
    OFF_LOOP_CHANGED_CHARS = 8_000
    # Documents whose segment redactions are kept for their next version: the ones being
    # edited. Every open document's would cost a copy of its text (issue 12's memory target).
    SEGMENT_DOCUMENTS = 4

    def __init__(self, max_bytes: int = 32_000_000) -> None:
        self._done: BytesLRU[_Redacted] = BytesLRU(max_bytes)
        self._segments: LRUCache[str, Segments] = LRUCache(maxsize=self.SEGMENT_DOCUMENTS)

    async def attach(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with its redacted lines, from the cache when its text was seen; a new
        version reuses the redaction of the parts of the text an edit left as they were."""
        if snapshot.redacted is not None:
            return snapshot
        cached = self._done.get(snapshot.uri)
        if cached is not None and cached.lines == snapshot.lines:
            return snapshot.with_redaction(cached.redacted, cached.lines)  # held and measured
        seen = None if cached is None else self._segments.get(snapshot.uri)
        if cached is None:
            lines, changed = snapshot.lines, len(snapshot.text)
        else:
            head, tail = common_ends(cached.lines, snapshot.lines)
            lines = _with_ends_of(cached.lines, snapshot.lines, head, tail)
            edited = snapshot.lines[head : len(snapshot.lines) - tail]
            changed = len(snapshot.text) if seen is None else sum(map(len, edited))
        found: Segments = {}
        if len(snapshot.text) > self.OFF_LOOP_CHARS and changed > self.OFF_LOOP_CHANGED_CHARS:
            redacted = await asyncio.to_thread(redact_lines, lines, seen, found)
        else:
            redacted = redact_lines(lines, seen, found)
        self._done.put(
            snapshot.uri, _Redacted(lines, redacted), lines_bytes(snapshot.uri, lines, redacted)
        )
        self._segments[snapshot.uri] = found
        return snapshot.with_redaction(redacted, lines)

    def forget(self, uri: str) -> None:
        self._done.pop(uri)
        self._segments.pop(uri, None)


@dataclass(frozen=True)
class _Redacted:
    """A document's last redacted version: its lines and them redacted."""

    lines: tuple[str, ...]
    redacted: tuple[str, ...]


def lines_bytes(uri: str, lines: tuple[str, ...], redacted: tuple[str, ...]) -> int:
    """What an entry holds: the lines, and of the redacted lines only those that are not the
    lines themselves (`redact_lines` keeps a line without a secret as the same object)."""
    if len(redacted) != len(lines):
        raise ValueError("redacted lines of another text")
    # Loops in C: at every new version of a document, a line costs a few nanoseconds here.
    changed = sum(map(sys.getsizeof, compress(redacted, map(is_not, redacted, lines))))
    return held_bytes(uri, lines) + sys.getsizeof(redacted) + changed


def shared_lines(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    """`new`, with the lines it has in common with `old` at its start and end taken from `old`:
    an edit changes a few lines, and every copy of the others would be kept again by each
    cache that holds a version of the document."""
    return _with_ends_of(old, new, *common_ends(old, new))


def _with_ends_of(
    old: tuple[str, ...], new: tuple[str, ...], head: int, tail: int
) -> tuple[str, ...]:
    return old[:head] + new[head : len(new) - tail] + old[len(old) - tail :]
