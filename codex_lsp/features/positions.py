"""Converts engine positions (code points) to and from the client's negotiated encoding.

pygls' own codec clamps an out-of-range column to one before the end of the line; positions
here clamp to the line's end and to the last line, so hostile input can never index past a
document.
"""

from __future__ import annotations

from lsprotocol import types

from codex_lsp.engine.context import Position, Snapshot, Span


def _units(char: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf8:
        return len(char.encode("utf-8"))
    if encoding == types.PositionEncodingKind.Utf32:
        return 1
    return 2 if ord(char) > 0xFFFF else 1


def from_client(snapshot: Snapshot, position: types.Position, encoding: str) -> Position:
    line = min(max(position.line, 0), len(snapshot.lines) - 1)
    text = snapshot.lines[line]
    if position.line >= len(snapshot.lines):
        return Position(line, len(text))
    wanted, used = max(position.character, 0), 0
    for index, char in enumerate(text):
        if used >= wanted:
            return Position(line, index)
        used += _units(char, encoding)
    return Position(line, len(text))


def to_client(snapshot: Snapshot, position: Position, encoding: str) -> types.Position:
    pos = snapshot.clamp(position.line, position.character)
    prefix = snapshot.lines[pos.line][: pos.character]
    return types.Position(pos.line, sum(_units(c, encoding) for c in prefix))


def range_from_client(snapshot: Snapshot, rng: types.Range, encoding: str) -> Span:
    start = from_client(snapshot, rng.start, encoding)
    end = from_client(snapshot, rng.end, encoding)
    return (
        Span(start, end)
        if (start.line, start.character) <= (end.line, end.character)
        else Span(end, start)
    )


def range_to_client(snapshot: Snapshot, span: Span, encoding: str) -> types.Range:
    return types.Range(
        to_client(snapshot, span.start, encoding), to_client(snapshot, span.end, encoding)
    )
