"""Document snapshots and positions: what every engine call is computed against.

A `Snapshot` freezes a document's text and version at the start of a request; results carry it
back so adapters can drop anything computed for an older version. Every prompt is cut from the
snapshot's redacted lines (the whole document redacted once, line for line), never from a
slice redacted on its own: a slice that starts inside a private key would not look like one.
Columns here are Python string indices (code points); adapters convert to the client's
negotiated encoding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from codex_lsp.engine.secrets import redact


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
    # The document redacted as a whole, one entry per line; computed on first use when the
    # caller did not attach it (see `RedactedDocuments`, which computes it once per version).
    redacted: tuple[str, ...] | None = field(default=None, repr=False, compare=False)
    lines: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Keep line endings out of the lines; "\r\n" and "\r" count as one break, as in LSP.
        normalized = self.text.replace("\r\n", "\n").replace("\r", "\n")
        object.__setattr__(self, "lines", tuple(normalized.split("\n")))
        if self.redacted is not None and len(self.redacted) != len(self.lines):
            object.__setattr__(self, "redacted", None)  # not this text's: compute it again

    @property
    def redacted_lines(self) -> tuple[str, ...]:
        if self.redacted is None:
            object.__setattr__(self, "redacted", redact_lines(self.lines))
        assert self.redacted is not None
        return self.redacted

    def redacted_text(self) -> str:
        return "\n".join(self.redacted_lines)

    def redacted_in(self, span: Span) -> str:
        """The redacted text between two positions, cut from the redacted document."""
        start, end = self.clamp(*_pair(span.start)), self.clamp(*_pair(span.end))
        redacted = self.redacted_lines
        first = redacted_column(self.lines[start.line], redacted[start.line], start.character)
        last = redacted_column(self.lines[end.line], redacted[end.line], end.character)
        if start.line == end.line:
            return redacted[start.line][first:last]
        middle = redacted[start.line + 1 : end.line]
        return "\n".join((redacted[start.line][first:], *middle, redacted[end.line][:last]))

    def redacted_split_at(self, position: Position) -> tuple[str, str]:
        """Redacted text before and after a position."""
        last = self.clamp(len(self.lines) - 1, len(self.lines[-1]))
        return self.redacted_in(Span(Position(0, 0), position)), self.redacted_in(
            Span(position, last)
        )

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


def _pair(position: Position) -> tuple[int, int]:
    return position.line, position.character


def redact_lines(lines: Sequence[str]) -> tuple[str, ...]:
    """The lines of a document redacted as one text (a key's body spans lines)."""
    redacted = tuple(redact("\n".join(lines)).split("\n"))
    if len(redacted) != len(lines):  # redaction keeps lines; never trust a slip with secrets
        raise ValueError("redaction changed the number of lines")
    return redacted


def redacted_column(original: str, redacted: str, column: int) -> int:
    """Where `column` of a line falls in its redacted form. Text the redaction kept maps one to
    one (the line's unchanged start and end); a column inside a redacted value maps to the end
    of the changed middle, so a cut there never splits a secret's remains across two pieces."""
    if original == redacted:
        return column
    prefix = _common_prefix(original, redacted)
    if column <= prefix:
        return column
    suffix = _common_suffix(original[prefix:], redacted[prefix:])
    if column >= len(original) - suffix:
        return len(redacted) - (len(original) - column)
    return len(redacted) - suffix


def _common_prefix(a: str, b: str) -> int:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return size


def _common_suffix(a: str, b: str) -> int:
    size = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        size += 1
    return size
