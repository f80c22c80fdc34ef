"""Engine positions (code points) to and from UTF-8, UTF-16 and UTF-32 client positions."""

from __future__ import annotations

import pytest
from lsprotocol import types

from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.features.positions import (
    from_client,
    range_from_client,
    range_to_client,
    to_client,
)

UTF8 = types.PositionEncodingKind.Utf8
UTF16 = types.PositionEncodingKind.Utf16
UTF32 = types.PositionEncodingKind.Utf32
ENCODINGS = [UTF8, UTF16, UTF32]

# "😀" is U+1F600: 4 UTF-8 bytes, 2 UTF-16 units, 1 code point.
# "中" and "文" are 3 UTF-8 bytes, 1 UTF-16 unit, 1 code point each.
DOC = Snapshot("file:///w/emoji.py", 1, "a😀b\n中文x")


@pytest.mark.parametrize(
    ("engine", "utf8", "utf16", "utf32"),
    [
        (Position(0, 0), 0, 0, 0),
        (Position(0, 1), 1, 1, 1),
        (Position(0, 2), 5, 3, 2),
        (Position(0, 3), 6, 4, 3),
        (Position(1, 1), 3, 1, 1),
        (Position(1, 2), 6, 2, 2),
        (Position(1, 3), 7, 3, 3),
    ],
    ids=[
        "line-start",
        "before-emoji",
        "after-emoji",
        "end-of-emoji-line",
        "after-one-cjk",
        "after-two-cjk",
        "end-of-cjk-line",
    ],
)
def test_round_trip_in_all_three_encodings(
    engine: Position, utf8: int, utf16: int, utf32: int
) -> None:
    for encoding, character in zip(ENCODINGS, [utf8, utf16, utf32], strict=True):
        client = types.Position(engine.line, character)
        assert to_client(DOC, engine, encoding) == client
        assert from_client(DOC, client, encoding) == engine


@pytest.mark.parametrize(
    ("client", "encoding", "expected"),
    [
        (types.Position(0, 99), UTF8, Position(0, 3)),
        (types.Position(0, 99), UTF16, Position(0, 3)),
        (types.Position(0, 99), UTF32, Position(0, 3)),
        (types.Position(1, 8), UTF8, Position(1, 3)),
        (types.Position(2, 0), UTF16, Position(1, 3)),
        (types.Position(50, 2), UTF8, Position(1, 3)),
        (types.Position(0, 2), UTF16, Position(0, 2)),
        (types.Position(0, 3), UTF8, Position(0, 2)),
    ],
    ids=[
        "past-line-end-utf8",
        "past-line-end-utf16",
        "past-line-end-utf32",
        "one-past-line-end-utf8",
        "line-past-the-end",
        "far-line-past-the-end",
        "inside-surrogate-pair-moves-past-it",
        "inside-utf8-sequence-moves-past-it",
    ],
)
def test_from_client_clamps(client: types.Position, encoding: str, expected: Position) -> None:
    assert from_client(DOC, client, encoding) == expected


@pytest.mark.parametrize(
    ("engine", "encoding", "expected"),
    [
        (Position(0, 40), UTF8, types.Position(0, 6)),
        (Position(0, 40), UTF16, types.Position(0, 4)),
        (Position(7, 1), UTF16, types.Position(1, 1)),
        (Position(-1, -1), UTF32, types.Position(0, 0)),
    ],
    ids=["past-line-end-utf8", "past-line-end-utf16", "line-past-the-end", "negative"],
)
def test_to_client_clamps(engine: Position, encoding: str, expected: types.Position) -> None:
    assert to_client(DOC, engine, encoding) == expected


def test_unknown_encoding_counts_as_utf16() -> None:
    assert to_client(DOC, Position(0, 3), "utf-7") == types.Position(0, 4)


@pytest.mark.parametrize(
    ("start", "end"),
    [((0, 1), (1, 2)), ((1, 2), (0, 1))],
    ids=["forward", "reversed-is-swapped"],
)
def test_range_from_client(start: tuple[int, int], end: tuple[int, int]) -> None:
    rng = types.Range(types.Position(*start), types.Position(*end))
    assert range_from_client(DOC, rng, UTF16) == Span(Position(0, 1), Position(1, 2))


def test_range_to_client() -> None:
    assert range_to_client(DOC, Span(Position(0, 1), Position(1, 2)), UTF8) == types.Range(
        types.Position(0, 1), types.Position(1, 6)
    )
