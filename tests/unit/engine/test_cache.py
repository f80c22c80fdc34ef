"""Anchors, diffs, typed-through reuse and byte caps (engine/cache.py)."""

from __future__ import annotations

import asyncio
import gc
import itertools
import time
import tracemalloc
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_lsp.engine import cache, secrets
from codex_lsp.engine.cache import (
    AnchorStore,
    CacheKeyShards,
    Fingerprint,
    Hunk,
    RedactedDocuments,
    TypedThrough,
    diff_hunks,
    render_hunks,
    shared_lines,
)
from codex_lsp.engine.context import Position, Snapshot, Span, redact_lines
from codex_lsp.engine.review import ReviewFinding, ReviewMemory

OLD = ("a", "b", "c", "d", "e")


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (OLD, []),
        (("a", "B", "c", "d", "e"), [Hunk(1, 2, 1, 2, ("B",))]),
        (("a", "b", "x", "y", "c", "d", "e"), [Hunk(2, 2, 2, 4, ("x", "y"))]),
        (("a", "d", "e"), [Hunk(1, 3, 1, 1, ())]),
        (("Z", "b", "c", "d", "E"), [Hunk(0, 1, 0, 1, ("Z",)), Hunk(4, 5, 4, 5, ("E",))]),
    ],
    ids=["unchanged", "replace-one", "insert-two", "delete-two", "edits-at-both-ends"],
)
def test_diff_hunks(new: tuple[str, ...], expected: list[Hunk]) -> None:
    assert diff_hunks(OLD, new) == expected


def test_render_hunks_uses_one_based_snapshot_lines() -> None:
    hunks = [Hunk(1, 2, 1, 2, ("B",)), Hunk(2, 2, 2, 4, ("x", "y")), Hunk(3, 5, 5, 5, ())]
    assert render_hunks(hunks) == (
        "replace snapshot lines 2-2 with:\nB\n"
        "after snapshot line 2, insert:\nx\ny\n"
        "delete snapshot lines 4-5\n"
    )


def test_anchor_is_kept_until_reset_and_redacted_once() -> None:
    store = AnchorStore()
    first = store.anchor(Snapshot("file:///a.py", 0, 'token = "ghp_' + "x" * 36 + '"\nprint(1)'))
    again = store.anchor(Snapshot("file:///a.py", 0, "something else entirely"))
    assert again is first
    assert first.redacted_lines == ('token = "[REDACTED]"', "print(1)")
    assert store.reset(Snapshot("file:///a.py", 0, "new")).lines == ("new",)
    assert store.reanchors == 1


def test_reanchor_when_the_diff_outgrows_a_share_of_the_document() -> None:
    store = AnchorStore(drift_ratio=0.25)
    anchor = store.anchor(Snapshot("file:///a.py", 0, "x = 1\n" * 2000))  # about 8000 tokens
    assert not store.needs_reanchor(anchor, "replace snapshot lines 3-3 with:\ny = 2\n")
    assert store.needs_reanchor(anchor, "z = 3\n" * 800)


def test_anchor_store_is_bounded_by_bytes() -> None:
    store = AnchorStore(max_bytes=1500)
    store.anchor(Snapshot("file:///a.py", 0, "a" * 300))  # about 950 bytes held
    store.anchor(Snapshot("file:///b.py", 0, "b" * 300))  # evicts a.py
    assert store.anchor(Snapshot("file:///b.py", 0, "kept")).lines == ("b" * 300,)
    assert store.anchor(Snapshot("file:///a.py", 0, "fresh")).lines == ("fresh",)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("x = ", "\n", ["compute(a, b)", "0"]),
        ("x = comp", "\n", ["ute(a, b)"]),
        ("x = compute(a, b)", "\n", None),
        ("x = q", "\n", None),
        ("x = comp", "\nchanged after", None),
        ("y = comp", "\n", None),
    ],
    ids=["identical", "typed-into", "typed-all", "diverged", "after-changed", "before-changed"],
)
def test_typed_through(before: str, after: str, expected: list[str] | None) -> None:
    cache = TypedThrough()
    cache.remember("file:///a.py", "x = ", "\n", ["compute(a, b)", "0"])
    assert cache.lookup("file:///a.py", before, after) == expected


def test_key_shards_keep_each_key_under_the_per_minute_rate() -> None:
    now = [0.0]
    shards = CacheKeyShards(per_minute=3, clock=lambda: now[0])
    keys = []
    for second in range(8):  # 8 requests in 8 seconds: 3 per key at most
        now[0] = float(second)
        keys.append(shards.key("k", "completion"))
    now[0] = 62.5  # the first two requests left the window: the first key has room again...
    keys.append(shards.key("k", "completion"))  # ...but the key in use still has room
    now[0] = 63.0
    keys.append(shards.key("k", "completion"))  # now it is full: the first key with room

    assert keys == ["k", "k", "k", "k-1", "k-1", "k-1", "k-2", "k-2", "k-2", "k"]
    assert shards.key("k", "diagnostics") == "k"  # another feature is another prefix


def test_a_minute_counted_on_arrival_gets_no_16th_request() -> None:
    """The provider counts a request when it arrives, a moment after it was sent: a request sent
    just past a minute after the first may still land inside the provider's minute."""
    now = [0.0]
    shards = CacheKeyShards(per_minute=15, clock=lambda: now[0])
    for second in range(15):
        now[0] = float(second)
        assert shards.key("k", "completion") == "k"
    now[0] = 60.5  # arrives at ~60.6 s: the first request's minute is not over there
    assert shards.key("k", "completion") == "k-1"


def test_a_second_key_gets_its_requests_in_a_run() -> None:
    """Four requests a minute over the limit: the second key gets them one after another,
    not one whenever the first key's window frees a place."""
    now = [0.0]
    shards = CacheKeyShards(per_minute=15, clock=lambda: now[0])
    keys = []
    for n in range(19 * 3):  # 19 requests a minute for three minutes
        now[0] = n * 60 / 19
        keys.append(shards.key("k", "completion"))
    switches = sum(1 for a, b in itertools.pairwise(keys) if a != b)
    assert set(keys) == {"k", "k-1"}
    assert switches <= 6, keys  # long runs on each key, not alternation
    for start in range(len(keys)):  # no key over 15 in any minute
        window = [
            k for i, k in enumerate(keys) if start * 60 / 19 <= i * 60 / 19 < start * 60 / 19 + 60
        ]
        assert window.count("k") <= 15 and window.count("k-1") <= 15


# --- diff_hunks: any lines, any budget (hypothesis) ---------------------------------------------

LINES = st.lists(st.sampled_from(["", "}", "x = 1", "y = 2", "return x", "pass"]), max_size=40)
WORK = st.none() | st.integers(0, 400)  # None: the default budget; small ones cut Myers short


def applied(old: tuple[str, ...], hunks: list[Hunk]) -> tuple[str, ...]:
    """`old` with the hunks applied, checking where each hunk says it lands in the new text."""
    result: list[str] = []
    kept_until = 0
    for hunk in hunks:
        assert kept_until <= hunk.start <= hunk.end
        assert hunk.lines or hunk.start < hunk.end  # never an empty hunk
        result += old[kept_until : hunk.start]
        assert hunk.new_start == len(result)
        result += hunk.lines
        assert hunk.new_end == len(result)
        kept_until = hunk.end
    return (*result, *old[kept_until:])


@settings(max_examples=500, deadline=None)
@given(LINES, LINES, WORK)
def test_applying_the_hunks_to_old_gives_new(
    old: list[str], new: list[str], work: int | None
) -> None:
    hunks = diff_hunks(tuple(old), tuple(new), max_work=work)
    assert applied(tuple(old), hunks) == tuple(new)
    # two hunks have a kept line between them, else they would be one
    assert all(b.start > a.end and b.new_start > a.new_end for a, b in itertools.pairwise(hunks))


@settings(max_examples=500, deadline=None)
@given(LINES, st.data())
def test_one_edit_gives_a_diff_no_larger_than_it(old: list[str], data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(old)))
    end = data.draw(st.integers(start, len(old)))
    inserted = data.draw(LINES)
    new = (*old[:start], *inserted, *old[end:])
    hunks = diff_hunks(tuple(old), new)
    size = sum(hunk.end - hunk.start + len(hunk.lines) for hunk in hunks)
    assert size <= end - start + len(inserted)
    if start == end or not inserted:  # a pure insertion or deletion is one hunk of its size
        assert len(hunks) == (start < end or bool(inserted))
        assert size == end - start + len(inserted)


def records(count: int, kind: str) -> tuple[str, ...]:
    """A JSON-ish file of repeated records: every line but one per record occurs everywhere."""
    record = ("{", f'    "kind": "{kind}",', '    "value": 1,', "},", "")
    return record * (count // len(record))


def diff_seconds(old: tuple[str, ...], new: tuple[str, ...]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        diff_hunks(old, new)
        best = min(best, time.perf_counter() - started)
    return best


def test_diff_time_is_linear_in_the_lines_on_a_replace_all_of_repeated_records() -> None:
    ratios = []
    for _ in range(3):  # a busy machine can slow one timing; a quadratic diff fails them all
        small = diff_seconds(records(1000, "a"), records(1000, "b"))
        large = diff_seconds(records(8000, "a"), records(8000, "b"))
        ratios.append(large / small)
        if ratios[-1] < 16:
            break
    assert min(ratios) < 16, f"8x the lines took {min(ratios):.1f}x the time"
    # difflib took 0.9 s at 1,000 lines and 37 s at 3,500; past the work budget: one hunk
    assert diff_hunks(records(8000, "a"), records(8000, "b")) == [
        Hunk(1, 7997, 1, 7997, records(8000, "b")[1:-3])
    ]


# --- every byte-bounded cache holds no more than its cap, as tracemalloc measures it -----------

CAP = 1_000_000


def document(seed: int) -> str:
    """600 short lines as in real code, a few with a non-ASCII comment (which makes a string
    of the whole text 2 bytes a character), none shared with another document."""
    return "\n".join(f"value_{seed}_{n} = f({n})" + "  # → ok" * (n % 10 == 0) for n in range(600))


def fill_anchors() -> object:
    store = AnchorStore(max_bytes=CAP)
    for seed in range(40):
        store.anchor(Snapshot(f"file:///w/{seed}.py", 0, document(seed)))
    return store


def fill_typed_through() -> object:
    cache = TypedThrough(max_bytes=CAP)
    for seed in range(40):
        before, after = document(seed), document(-seed)  # the cursor in a 1,200-line file
        cache.remember(f"file:///w/{seed}.py", before, after, ["x", "y = 2"])
    return cache


def fill_redacted() -> object:
    documents = RedactedDocuments(max_bytes=CAP)

    async def fill() -> None:
        for seed in range(40):
            await documents.attach(Snapshot(f"file:///w/{seed}.py", 0, document(seed)))

    asyncio.run(fill())
    return documents


def fill_reviews() -> object:
    memory = ReviewMemory(max_bytes=CAP)
    for seed in range(40):
        lines = tuple(document(seed).split("\n"))
        findings = [
            ReviewFinding(Span(Position(n, 0), Position(n, 5)), "error", "bug", f"bad {seed} {n}")
            for n in range(0, len(lines), 10)
        ]
        memory.remember(f"file:///w/{seed}.py", lines, findings)
    return memory


@pytest.mark.parametrize(
    "fill",
    [fill_anchors, fill_redacted, fill_reviews],
    ids=["AnchorStore", "RedactedDocuments", "ReviewMemory"],
)
def test_a_cache_filled_past_its_cap_holds_about_the_cap(fill: Callable[[], object]) -> None:
    fill()  # once untraced: module state built on first use is not the cache's
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cache = fill()  # about 4 MB passes through it
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert cache is not None
    assert 0.5 * CAP < held < 1.5 * CAP, f"holds {held:,} bytes for a cap of {CAP:,}"


def test_typed_through_keeps_fingerprints_not_the_document() -> None:
    fill_typed_through()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cache = fill_typed_through()  # 40 documents of 1,200 lines, cursor in the middle
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert cache is not None
    assert held < 40 * 2_000, f"holds {held:,} bytes"


@given(st.text(max_size=300), st.text(max_size=300), st.text(max_size=300))
def test_a_fingerprint_matches_exactly_the_texts_that_start_with_its_text(
    text: str, added: str, other: str
) -> None:
    print_ = Fingerprint.of(text)
    assert print_.matches_start_of(text)
    assert print_.matches_start_of(text + added)
    assert print_.matches_start_of(other) == other.startswith(text)


def test_typed_through_sees_a_change_far_from_the_cursor() -> None:
    cache = TypedThrough()
    before, after = "x = 1\n" * 500 + "y = comp", "\n" + "z = 2\n" * 500
    cache.remember("file:///a.py", before, after, ["ute(a)"])
    assert cache.lookup("file:///a.py", before + "u", after) == ["te(a)"]
    edited_above = "X" + before[1:] + "u"  # same length, same tail: only the hash differs
    assert cache.lookup("file:///a.py", edited_above, after) is None
    edited_below = after[:-2] + "3\n"
    assert cache.lookup("file:///a.py", before + "u", edited_below) is None


def naive_common_ends(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[int, int]:
    limit = min(len(old), len(new))
    head = next((i for i in range(limit) if old[i] != new[i]), limit)
    room = limit - head
    tail = next((i for i in range(room) if old[-1 - i] != new[-1 - i]), room)
    return head, tail


lines_of = st.lists(st.sampled_from(["x = 1", "y = 2", "pass", "  "]), max_size=400).map(tuple)


@given(lines_of, lines_of)
def test_shared_lines_are_the_new_lines_whatever_the_edit(
    old: tuple[str, ...], new: tuple[str, ...]
) -> None:
    assert shared_lines(old, new) == new  # lines removed at the end too (a deleted last line)
    assert shared_lines(old, old[:-1]) == old[:-1]
    assert shared_lines(old, old[1:]) == old[1:]


@given(lines_of, lines_of, st.integers(0, 200))
def test_shared_lines_equal_the_new_lines_and_reuse_the_old_ones(
    common: tuple[str, ...], other: tuple[str, ...], cut: int
) -> None:
    old = tuple((line + "!")[:-1] for line in common)  # equal text, other objects
    new = common[:cut] + other + common[cut:]
    assert not any(a is b for a, b in zip(old, common, strict=True))
    shared = shared_lines(old, new)
    assert shared == new
    head, tail = naive_common_ends(old, new)
    assert all(shared[i] is old[i] for i in range(head))
    assert all(shared[-1 - i] is old[-1 - i] for i in range(tail))


def test_a_new_version_of_a_document_shares_its_unchanged_lines() -> None:
    documents = RedactedDocuments()
    secret = 'token = "ghp_' + "x" * 36 + '"'
    lines = [f"line_{n} = {n}" for n in range(300)] + [secret]

    async def two_versions() -> tuple[Snapshot, Snapshot]:
        first = await documents.attach(Snapshot("file:///a.py", 1, "\n".join(lines)))
        edited = [*lines[:150], "inserted = True", *lines[150:]]
        return first, await documents.attach(Snapshot("file:///a.py", 2, "\n".join(edited)))

    first, second = asyncio.run(two_versions())
    assert second.lines[:150] == first.lines[:150]
    assert all(a is b for a, b in zip(second.lines[:150], first.lines[:150], strict=True))
    assert all(a is b for a, b in zip(second.lines[151:], first.lines[150:], strict=True))
    assert second.redacted is not None and second.redacted[0] is second.lines[0]
    assert second.redacted[-1] == 'token = "[REDACTED]"'
    again = asyncio.run(documents.attach(Snapshot("file:///a.py", 2, "\n".join(second.lines))))
    assert again.lines is second.lines


def test_a_new_version_reuses_the_redaction_of_what_the_edit_left_and_redacts_the_rest() -> None:
    documents = RedactedDocuments()
    uri = "file:///a.py"
    lines = [f"value_{n} = compute({n}, 'a line of ordinary code')" for n in range(2000)]
    secret = 'API_KEY = "sk-proj-' + "Ab3dEf6hIj9kLm2nOp5q" * 2 + '"'

    async def versions() -> list[Snapshot]:
        texts = ["\n".join(lines), "\n".join([*lines[:1500], secret, *lines[1500:]])]
        texts.append("\n".join(lines))  # and the secret deleted again
        return [await documents.attach(Snapshot(uri, n, text)) for n, text in enumerate(texts)]

    first, second, third = asyncio.run(versions())
    assert second.redacted is not None and second.redacted[1500] == 'API_KEY = "[REDACTED]"'
    assert second.redacted[:1500] == first.redacted_lines[:1500]
    assert second.redacted_lines == redact_lines(second.lines)
    assert third.redacted_lines == tuple(lines)


def test_only_the_documents_redacted_last_keep_their_segments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An edit re-redacts only the segments it changed, in the documents being edited; the
    other open documents keep no segments (each would be a copy of its text)."""
    documents = RedactedDocuments()
    lines = [f"value_{n} = compute({n}, 'a line of ordinary code')" for n in range(2000)]
    edited = "\n".join([*lines[:-1], "value = 'the last line, edited'"])
    redacted: list[int] = []
    plain = secrets._plain

    def counted(text: str, pos: int, end: int) -> tuple[str, int, int]:
        redacted.append(pos)
        return plain(text, pos, end)

    monkeypatch.setattr(secrets, "_plain", counted)
    count = RedactedDocuments.SEGMENT_DOCUMENTS + 1

    async def segments_redacted_again() -> tuple[int, int]:
        for n in range(count):
            await documents.attach(Snapshot(f"file:///{n}.py", 1, "\n".join(lines)))
        redacted.clear()
        await documents.attach(Snapshot(f"file:///{count - 1}.py", 2, edited))
        recent = len(redacted)
        redacted.clear()
        await documents.attach(Snapshot("file:///0.py", 2, edited))
        return recent, len(redacted)

    recent, oldest = asyncio.run(segments_redacted_again())
    assert recent == 1 and oldest > 10


def _code_in_paragraphs(count: int) -> list[str]:
    """Lines of code in small blocks separated by blank lines, as most source files are."""
    return [
        "" if n % 7 == 6 else f"value_{n} = compute({n}, 'a line of ordinary code')"
        for n in range(count)
    ]


def test_a_line_inserted_at_the_top_redacts_again_only_the_segments_near_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Segments end at blank lines chosen by the text near them, so an insertion does not move
    every later cut (which made the whole text be redacted again)."""
    lines = _code_in_paragraphs(2000)
    text = "\n".join(lines)
    found: secrets.Segments = {}
    secrets.redact(text, None, found)
    redacted: list[int] = []
    plain = secrets._plain

    def counted(text: str, pos: int, end: int) -> tuple[str, int, int]:
        redacted.append(end - pos)
        return plain(text, pos, end)

    monkeypatch.setattr(secrets, "_plain", counted)
    edited = "\n".join([*lines[:10], "inserted = 'a new line near the top'", *lines[10:]])
    again = secrets.redact(edited, found, {})

    assert again == edited  # nothing secret in it
    assert 0 < sum(redacted) <= 2 * 4096  # of 106 KB
    assert len(redacted) <= 2


def test_a_small_edit_of_a_large_document_is_redacted_on_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker thread for the whole text at first; after a small edit only the segments near it
    are redacted again, on the loop: the thread hop and the GIL handover would cost more."""
    documents = RedactedDocuments()
    lines = _code_in_paragraphs(2000)
    secret = 'API_KEY = "sk-proj-' + "Ab3dEf6hIj9kLm2nOp5q" * 2 + '"'
    threads: list[object] = []
    to_thread = asyncio.to_thread

    async def counted(function: Callable[..., object], *args: object) -> object:
        threads.append(function)
        return await to_thread(function, *args)

    monkeypatch.setattr(cache.asyncio, "to_thread", counted)

    async def versions() -> list[Snapshot]:
        texts = ["\n".join(lines), "\n".join([*lines[:700], secret, *lines[700:]])]
        return [await documents.attach(Snapshot("file:///a.py", n, t)) for n, t in enumerate(texts)]

    _, second = asyncio.run(versions())
    assert len(threads) == 1  # the first version only
    assert second.redacted_lines[700] == 'API_KEY = "[REDACTED]"'
    assert second.redacted_lines == redact_lines(second.lines)
