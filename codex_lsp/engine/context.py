"""Document snapshots and positions: what every engine call is computed against.

A `Snapshot` freezes a document's text and version at the start of a request; results carry it
back so adapters can drop anything computed for an older version. Every prompt is cut from the
snapshot's redacted lines (the whole document redacted once, line for line), never from a
slice redacted on its own: a slice that starts inside a private key would not look like one.
Columns here are Python string indices (code points); adapters convert to the client's
negotiated encoding.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from codex_lsp.engine.secrets import Segments, redact

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Position:
    line: int
    character: int


def after_insertion(at: Position, text: str) -> Position:
    """Where the cursor ends after `text` is inserted at `at`."""
    lines = text.split("\n")
    return Position(
        at.line + len(lines) - 1, (at.character if len(lines) == 1 else 0) + len(lines[-1])
    )


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
        if not self.text.isascii() and _LONE_SURROGATE.search(self.text):
            # JSON lets a client send half a surrogate pair; no encoder can send it on. One
            # code point for one keeps every position (and it is one UTF-16 unit either way).
            object.__setattr__(self, "text", _LONE_SURROGATE.sub("\ufffd", self.text))
        # Keep line endings out of the lines; "\r\n" and "\r" count as one break, as in LSP.
        normalized = self.text.replace("\r\n", "\n").replace("\r", "\n")
        object.__setattr__(self, "lines", tuple(normalized.split("\n")))
        if self.redacted is not None and len(self.redacted) != len(self.lines):
            object.__setattr__(self, "redacted", None)  # not this text's: compute it again

    @property
    def redacted_lines(self) -> tuple[str, ...]:
        """What a prompt may show of each line: redacted, and cut to `MAX_LINE_CHARS` (a
        minified line must not blow a token budget that is trimmed in whole lines)."""
        shown = self.__dict__.get("_shown")
        if shown is None:
            shown = self._redacted_whole()
            if max(map(len, shown), default=0) > MAX_LINE_CHARS:  # rare: only then copy
                shown = tuple(cap_line(line) for line in shown)
            object.__setattr__(self, "_shown", shown)
        return shown

    def with_redaction(
        self, redacted: tuple[str, ...], lines: tuple[str, ...] | None = None
    ) -> Snapshot:
        """This snapshot with its redacted lines attached (its own lines are not split again).
        `lines`, equal to its own, replaces them: a cache's copy, so that every snapshot of
        a document shares the line objects its text has in common with the others."""
        if len(redacted) != len(self.lines) or (lines is not None and len(lines) != len(redacted)):
            raise ValueError("redacted lines of another text")  # equal texts: the caller's check
        clone = copy.copy(self)
        clone.__dict__.pop("_shown", None)
        object.__setattr__(clone, "redacted", redacted)
        if lines is not None:
            object.__setattr__(clone, "lines", lines)
        return clone

    def _redacted_whole(self) -> tuple[str, ...]:
        if self.redacted is None:
            object.__setattr__(self, "redacted", redact_lines(self.lines))
        assert self.redacted is not None
        return self.redacted

    def redacted_text(self) -> str:
        return "\n".join(self.redacted_lines)

    def redacted_in(self, span: Span) -> str:
        """The redacted text between two positions, cut from the redacted document; the lines
        at its ends keep the characters next to the cut (the cursor's side), others their
        start, each within `MAX_LINE_CHARS`."""
        start, end = self.clamp(*_pair(span.start)), self.clamp(*_pair(span.end))
        redacted = self._redacted_whole()
        first = redacted_column(self.lines[start.line], redacted[start.line], start.character)
        last = redacted_column(self.lines[end.line], redacted[end.line], end.character)
        if start.line == end.line:
            return cap_line(redacted[start.line][first:last], keep="end")
        middle = self.redacted_lines[start.line + 1 : end.line]
        head = cap_line(redacted[start.line][first:], keep="end")
        return "\n".join((head, *middle, cap_line(redacted[end.line][:last])))

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
        return sum(map(len, self.lines[: pos.line])) + pos.line + pos.character  # in C

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


MAX_LINE_CHARS = 1000
LINE_CUT = " [... line cut]"


def cap_line(line: str, keep: str = "start") -> str:
    """`line` within MAX_LINE_CHARS: its start (or end) and a mark saying it was cut."""
    if len(line) <= MAX_LINE_CHARS:
        return line
    size = MAX_LINE_CHARS - len(LINE_CUT)
    return line[:size] + LINE_CUT if keep == "start" else LINE_CUT.lstrip() + " " + line[-size:]


def _pair(position: Position) -> tuple[int, int]:
    return position.line, position.character


def redact_lines(
    lines: Sequence[str], seen: Segments | None = None, found: Segments | None = None
) -> tuple[str, ...]:
    """The lines of a document redacted as one text (a key's body spans lines). A line the
    redaction left as it was is the document's own line object, not a copy: most lines hold
    no secret, and a copy of every line doubled what each open document keeps. `seen` and
    `found`: as in `redact` (an edited document reuses the parts of its text left as they
    were)."""
    redacted = redact("\n".join(lines), seen, found).split("\n")
    if len(redacted) != len(lines):  # redaction keeps lines; never trust a slip with secrets
        raise ValueError("redaction changed the number of lines")
    return tuple(
        line if line == shown else shown for line, shown in zip(lines, redacted, strict=True)
    )


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
