"""Document snapshots and positions: what every engine call is computed against.

A `Snapshot` freezes a document's text and version at the start of a request; results carry it
back so adapters can drop anything computed for an older version. Columns here are Python
string indices (code points); adapters convert to the client's negotiated encoding.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Position:
    line: int
    character: int


@dataclass(frozen=True)
class Span:
    start: Position
    end: Position


@dataclass(frozen=True)
class Snapshot:
    uri: str
    version: int | None
    text: str
    language_id: str = ""
    lines: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Keep line endings out of the lines; "\r\n" and "\r" count as one break, as in LSP.
        normalized = self.text.replace("\r\n", "\n").replace("\r", "\n")
        object.__setattr__(self, "lines", tuple(normalized.split("\n")))

    def clamp(self, line: int, character: int) -> Position:
        line = min(max(line, 0), len(self.lines) - 1)
        return Position(line, min(max(character, 0), len(self.lines[line])))

    def offset(self, position: Position) -> int:
        """Offset into the normalized text (lines joined with "\\n")."""
        pos = self.clamp(position.line, position.character)
        return sum(len(line) + 1 for line in self.lines[: pos.line]) + pos.character

    def normalized_text(self) -> str:
        return "\n".join(self.lines)

    def split_at(self, position: Position) -> tuple[str, str]:
        """Text before and after a position."""
        text = self.normalized_text()
        offset = self.offset(position)
        return text[:offset], text[offset:]

    def line_span(self, first: int, last: int) -> Span:
        """Whole lines first..last (0-based, inclusive), clamped to the document."""
        start = self.clamp(first, 0)
        end_line = self.clamp(last, 0).line
        return Span(start, Position(end_line, len(self.lines[end_line])))

    def text_in(self, span: Span) -> str:
        text = self.normalized_text()
        return text[self.offset(span.start) : self.offset(span.end)]
