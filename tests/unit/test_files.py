"""Whole-line edits on a file's own line breaks, found again after the file changed, and an
atomic replacement that writes nothing over a file that changed under it."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_lsp.files import (
    LineEdit,
    apply_line_edits,
    exclusive_lock,
    line_texts,
    relocate,
    replace_file,
)

SECOND = LineEdit(1, ("b",), "B1\nB2")


@pytest.mark.parametrize(
    ("text", "edits", "expected"),
    [
        ("a\nb\nc\n", [SECOND], "a\nB1\nB2\nc\n"),
        ("a\r\nb\r\nc\r\n", [SECOND], "a\r\nB1\r\nB2\r\nc\r\n"),
        ("a\r\nb\nc\r\n", [SECOND], "a\r\nB1\r\nB2\nc\r\n"),  # b's own break stays
        ("a\rb\rc", [SECOND], "a\rB1\rB2\rc"),
        ("a\nb", [SECOND], "a\nB1\nB2"),
        ("a\nb", [LineEdit(1, ("b",), "B\n")], "a\nB"),  # still no final break
        ("a\nb\n", [LineEdit(1, ("b", ""), "B")], "a\nB\n"),  # still a final break
        ("a\nb\nc\n", [LineEdit(0, ("a",), "A"), SECOND], "A\nB1\nB2\nc\n"),
        ("a\nb\nc\n", [LineEdit(1, ("b", "c"), "")], "a\n\n"),
    ],
    ids=[
        "lf",
        "crlf",
        "mixed",
        "cr",
        "no-final-break",
        "no-final-break-kept",
        "final-break-kept",
        "two-edits",
        "lines-removed",
    ],
)
def test_apply_line_edits(text: str, edits: list[LineEdit], expected: str) -> None:
    assert apply_line_edits(text, edits) == expected


@pytest.mark.parametrize(
    ("now", "placed", "reason"),
    [
        ("a\nb\nc", [1], None),
        ("new\na\nb\nc", [2], None),
        ("a\nc", [], "its lines were changed"),
        ("b\na\nb", [], "its lines now occur more than once"),
    ],
    ids=["in-place", "moved-down", "changed", "ambiguous"],
)
def test_relocate(now: str, placed: list[int], reason: str | None) -> None:
    moved, skipped = relocate([SECOND], line_texts(now))
    assert [edit.first for edit in moved] == placed
    assert [why for _, why in skipped] == ([reason] if reason else [])


def test_edits_that_now_overlap_are_not_both_placed() -> None:
    first, second = LineEdit(0, ("x", "y"), "X"), LineEdit(2, ("y", "z"), "Z")
    moved, skipped = relocate([second, first], ["x", "y", "z"])
    assert moved == [LineEdit(1, ("y", "z"), "Z")]
    assert skipped == [(first, "its lines now overlap another fix")]


def test_replace_file_writes_nothing_over_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "f.py"
    path.write_bytes(b"user's newer text\n")
    assert not replace_file(path, b"fixed\n", expected=b"older text\n")
    assert path.read_bytes() == b"user's newer text\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.py"]


def test_replace_file_creates_a_missing_file(tmp_path: Path) -> None:
    assert replace_file(tmp_path / "new.json", b"{}")
    assert (tmp_path / "new.json").read_bytes() == b"{}"


def test_a_lock_in_a_missing_folder_runs_the_block_unlocked(tmp_path: Path) -> None:
    with exclusive_lock(tmp_path / "missing" / "x.lock") as held:
        assert held is False
    with exclusive_lock(tmp_path / "x.lock") as held:
        assert held is True
