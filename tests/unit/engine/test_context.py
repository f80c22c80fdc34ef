"""Snapshots: line splitting as LSP counts lines, clamping, offsets and slices."""

from __future__ import annotations

import pytest

from codex_lsp.engine.context import LINE_CUT, MAX_LINE_CHARS, Position, Snapshot, Span


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\nb", ("a", "b")),
        ("a\r\nb\r\n", ("a", "b", "")),
        ("a\rb", ("a", "b")),
        ("", ("",)),
        ("中文\n😀", ("中文", "😀")),
    ],
    ids=["lf", "crlf", "cr", "empty", "non-ascii"],
)
def test_lines(text: str, lines: tuple[str, ...]) -> None:
    assert Snapshot("file:///x", 1, text).lines == lines


DOC = Snapshot("file:///x.py", 4, "ab\r\ncdef\nxyz")


@pytest.mark.parametrize(
    ("line", "character", "expected", "offset"),
    [
        (0, 0, Position(0, 0), 0),
        (1, 2, Position(1, 2), 5),
        (1, 99, Position(1, 4), 7),
        (9, 1, Position(2, 1), 9),
        (-1, -5, Position(0, 0), 0),
        (2, 3, Position(2, 3), 11),
    ],
    ids=["start", "middle", "past-line-end", "past-last-line", "negative", "end"],
)
def test_clamp_and_offset(line: int, character: int, expected: Position, offset: int) -> None:
    assert DOC.clamp(line, character) == expected
    assert DOC.offset(Position(line, character)) == offset


def test_split_at_uses_normalized_line_ends() -> None:
    assert DOC.split_at(Position(1, 2)) == ("ab\ncd", "ef\nxyz")


@pytest.mark.parametrize(
    ("first", "last", "expected", "text"),
    [
        (0, 0, Span(Position(0, 0), Position(0, 2)), "ab"),
        (0, 1, Span(Position(0, 0), Position(1, 4)), "ab\ncdef"),
        (-2, 9, Span(Position(0, 0), Position(2, 3)), "ab\ncdef\nxyz"),
    ],
    ids=["one-line", "two-lines", "clamped"],
)
def test_line_span_and_text_in(first: int, last: int, expected: Span, text: str) -> None:
    assert DOC.line_span(first, last) == expected
    assert DOC.text_in(expected) == text


def test_a_long_line_is_cut_in_what_prompts_show_and_short_lines_are_not_copied() -> None:
    long_line = "x = [" + "1, " * 2_000 + "]"
    snapshot = Snapshot("file:///a.py", 1, f"a = 1\n{long_line}\nb = 2")
    shown = snapshot.redacted_lines
    assert shown[0] == "a = 1" and shown[2] == "b = 2"
    assert len(shown[1]) == MAX_LINE_CHARS and shown[1].endswith(LINE_CUT)
    short = Snapshot("file:///b.py", 1, "a = 1\nb = 2")
    assert short.redacted_lines is short.redacted  # nothing to cut: the redacted lines as they are
