"""Prompt-cache simulation, in OpenAI's two regimes.

Implicit (older models): every prompt of >= 1024 tokens is cached on the machine its request
is routed to; routing hashes the first 256 tokens together with ``prompt_cache_key``. A hit is
the longest prefix shared with an earlier prompt on that machine, counted in whole 128-token
blocks, and only from 1024 tokens up. Entries expire after ``ttl_s`` of idle time. A machine
serves at most ``per_prefix_rpm`` requests per minute for one routing key; the overflow goes
to a cold machine (a miss), which is why very hot prefixes cache worse than expected.

Explicit (gpt-5.6 and later): only breakpoint prefixes are written: the end of every content
block carrying ``prompt_cache_breakpoint`` plus, unless ``prompt_cache_options.mode`` is
``explicit``, one implicit breakpoint at the end of the whole prompt. A hit is the longest
written prefix the prompt starts with exactly (no 128-token steps, still >= 1024 tokens), and
``cache_write_tokens`` counts the tokens newly written. Explicit caches are partitioned by
``prompt_cache_key`` only and have no per-machine rate limit.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

from .prompt import MAX_EXPLICIT_BREAKPOINTS, Breakpoint, Prompt

__all__ = ["BLOCK_TOKENS", "MIN_CACHED_TOKENS", "CacheOutcome", "PromptCache"]

MIN_CACHED_TOKENS = 1024
BLOCK_TOKENS = 128
ROUTING_PREFIX_TOKENS = 256
RATE_WINDOW_S = 60.0
# Bounds memory in long benchmarks; the least recently used prompt goes first.
MAX_ENTRIES_PER_BUCKET = 256
_TTL_30M = 1800.0

Clock = Callable[[], float]
_Tokens = tuple[Hashable, ...]


@dataclass(frozen=True)
class CacheOutcome:
    """What a request got from the cache and wrote to it."""

    cached_tokens: int = 0
    cache_write_tokens: int = 0
    write_30m_tokens: int = 0
    write_12h_tokens: int = 0
    overflowed: bool = False


@dataclass
class _Bucket:
    """One machine's cache for one routing key."""

    last_used: dict[_Tokens, float] = field(default_factory=dict)
    served_at: deque[float] = field(default_factory=deque)


@dataclass
class _Written:
    ttl_s: float
    last_used: float


class PromptCache:
    """Thread-safe cache simulation; ``lookup`` both reads and writes, like a real request."""

    def __init__(
        self, *, ttl_s: float = 600.0, per_prefix_rpm: int | None = 15, clock: Clock
    ) -> None:
        self.ttl_s = ttl_s
        self.per_prefix_rpm = per_prefix_rpm
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[_Tokens, str | None], _Bucket] = {}
        # key -> prefix length -> prefix -> entry; lengths let lookups probe exact prefixes.
        self._written: dict[str | None, dict[int, dict[_Tokens, _Written]]] = {}

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._written.clear()

    def lookup(self, prompt: Prompt, explicit: bool) -> CacheOutcome:
        with self._lock:
            if explicit:
                return self._explicit(prompt)
            return self._implicit(prompt)

    # Implicit regime -------------------------------------------------------------------

    def _implicit(self, prompt: Prompt) -> CacheOutcome:
        tokens = tuple(prompt.tokens)
        if len(tokens) < MIN_CACHED_TOKENS:
            return CacheOutcome()
        now = self._clock()
        bucket = self._buckets.setdefault(
            (tokens[:ROUTING_PREFIX_TOKENS], prompt.cache_key), _Bucket()
        )
        if not self._admit(bucket, now):
            return CacheOutcome(overflowed=True)
        self._expire(bucket, now)
        best, best_entry = 0, None
        for entry in bucket.last_used:
            shared = _shared_blocks(tokens, entry)
            if shared > best:
                best, best_entry = shared, entry
        if best_entry is not None and best >= MIN_CACHED_TOKENS:
            bucket.last_used[best_entry] = now
        else:
            best = 0
        bucket.last_used[tokens] = now
        self._evict(bucket)
        return CacheOutcome(cached_tokens=best)

    def _admit(self, bucket: _Bucket, now: float) -> bool:
        """Count the request against its machine; False when it overflows elsewhere."""
        while bucket.served_at and bucket.served_at[0] <= now - RATE_WINDOW_S:
            bucket.served_at.popleft()
        if self.per_prefix_rpm is not None and len(bucket.served_at) >= self.per_prefix_rpm:
            return False
        bucket.served_at.append(now)
        return True

    def _expire(self, bucket: _Bucket, now: float) -> None:
        stale = [key for key, used in bucket.last_used.items() if now - used > self.ttl_s]
        for key in stale:
            del bucket.last_used[key]

    @staticmethod
    def _evict(bucket: _Bucket) -> None:
        while len(bucket.last_used) > MAX_ENTRIES_PER_BUCKET:
            oldest = min(bucket.last_used, key=bucket.last_used.__getitem__)
            del bucket.last_used[oldest]

    # Explicit regime -------------------------------------------------------------------

    def _explicit(self, prompt: Prompt) -> CacheOutcome:
        now = self._clock()
        written = self._written.setdefault(prompt.cache_key, {})
        _expire_written(written, now)
        tokens = tuple(prompt.tokens)
        hit = 0
        for length in sorted(written, reverse=True):
            entry = written[length].get(tokens[:length]) if length <= len(tokens) else None
            if entry is not None:
                entry.last_used = now
                hit = length
                break
        return self._write(written, tokens, _breakpoints_to_write(prompt), hit, now)

    @staticmethod
    def _write(
        written: dict[int, dict[_Tokens, _Written]],
        tokens: _Tokens,
        breakpoints: list[Breakpoint],
        hit: int,
        now: float,
    ) -> CacheOutcome:
        covered, by_ttl = hit, {_TTL_30M: 0}
        for point in sorted(breakpoints, key=lambda b: b.offset):
            if point.offset < MIN_CACHED_TOKENS:
                continue
            prefix = tokens[: point.offset]
            entry = written.setdefault(point.offset, {}).get(prefix)
            if entry is not None:
                entry.ttl_s, entry.last_used = max(entry.ttl_s, point.ttl_s), now
                continue
            written[point.offset][prefix] = _Written(point.ttl_s, now)
            if point.offset > covered:
                by_ttl[point.ttl_s] = by_ttl.get(point.ttl_s, 0) + point.offset - covered
                covered = point.offset
        return CacheOutcome(
            cached_tokens=hit,
            cache_write_tokens=sum(by_ttl.values()),
            write_30m_tokens=sum(n for ttl, n in by_ttl.items() if ttl <= _TTL_30M),
            write_12h_tokens=sum(n for ttl, n in by_ttl.items() if ttl > _TTL_30M),
        )


def _breakpoints_to_write(prompt: Prompt) -> list[Breakpoint]:
    """The latest explicit breakpoints that fit in the per-request limit, plus the implicit."""
    if not prompt.implicit_breakpoint:
        return prompt.breakpoints[-MAX_EXPLICIT_BREAKPOINTS:]
    # The implicit breakpoint takes one of the four slots.
    explicit = prompt.breakpoints[-(MAX_EXPLICIT_BREAKPOINTS - 1) :]
    return [*explicit, Breakpoint(len(prompt.tokens), prompt.default_ttl_s, explicit=False)]


def _expire_written(written: dict[int, dict[_Tokens, _Written]], now: float) -> None:
    for length in list(written):
        prefixes = written[length]
        for prefix in [p for p, e in prefixes.items() if now - e.last_used > e.ttl_s]:
            del prefixes[prefix]
        if not prefixes:
            del written[length]


def _shared_blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Length of the common prefix of ``a`` and ``b``, in whole 128-token blocks."""
    limit = min(len(a), len(b)) // BLOCK_TOKENS * BLOCK_TOKENS
    shared = 0
    # Slices compare in C; a block at a time is all the precision the cache reports anyway.
    while shared < limit and a[shared : shared + BLOCK_TOKENS] == b[shared : shared + BLOCK_TOKENS]:
        shared += BLOCK_TOKENS
    return shared
