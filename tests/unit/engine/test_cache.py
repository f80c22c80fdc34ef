"""Anchors, diffs and typed-through reuse (engine/cache.py)."""

from __future__ import annotations

import pytest

from codex_lsp.engine.cache import (
    AnchorStore,
    CacheKeyShards,
    Hunk,
    TypedThrough,
    diff_hunks,
    render_hunks,
)
from codex_lsp.engine.context import Snapshot

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
    assert store.reset(Snapshot("file:///a.py", 0, "new")).text == "new"
    assert store.reanchors == 1


def test_reanchor_when_the_diff_outgrows_a_share_of_the_document() -> None:
    store = AnchorStore(drift_ratio=0.25)
    anchor = store.anchor(Snapshot("file:///a.py", 0, "x = 1\n" * 2000))  # about 8000 tokens
    assert not store.needs_reanchor(anchor, "replace snapshot lines 3-3 with:\ny = 2\n")
    assert store.needs_reanchor(anchor, "z = 3\n" * 800)


def test_anchor_store_is_bounded_by_bytes() -> None:
    store = AnchorStore(max_bytes=1000)
    store.anchor(Snapshot("file:///a.py", 0, "a" * 600))
    store.anchor(Snapshot("file:///b.py", 0, "b" * 600))  # evicts a.py
    assert store.anchor(Snapshot("file:///a.py", 0, "fresh")).text == "fresh"


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
    now[0] = 61.5  # the first two requests left the window: the first key has room again
    keys.append(shards.key("k", "completion"))

    assert keys == ["k", "k", "k", "k-1", "k-1", "k-1", "k-2", "k-2", "k"]
    assert shards.key("k", "diagnostics") == "k"  # another feature is another prefix
