"""Open documents as the server keeps them: pygls' `TextDocument`, with incremental changes
applied in time that does not grow with the document.

pygls applies each change by splitting the whole text into lines and writing it out again line
by line: 0.2 s for one keystroke in a 5 MB file (a 100 KB file: 3 ms), the event loop held, so
typing in a large file starved every request; and it converts positions character by character
(25 ms a keystroke at the end of a 64 KB line). Here a change finds its lines from the last
changed line (typing stays on one line) and splices the text once, with pygls' results exactly
(its position conversion, clamping and quirks), for documents that break lines with "\\n" only;
others (\\r, form feeds, Unicode line separators, which pygls also counts as line breaks) keep
pygls' own path.
"""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace
from pygls.workspace.position_codec import Utf16, Utf32

# What `str.splitlines` (pygls' lines) breaks on besides "\n".
OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 code units each


class _Lines:
    """`source.splitlines(True)` as far as pygls' position codec reads it (len, [k], [-1]),
    found from an anchor line whose start is known."""

    def __init__(self, source: str, anchor: tuple[int, int]) -> None:
        self.source = source
        self.anchor = anchor
        self.count = source.count("\n") + (0 if not source or source.endswith("\n") else 1)

    def __len__(self) -> int:
        return self.count

    def start(self, row: int) -> int:
        line, offset = self.anchor
        source = self.source
        while line < row:
            offset = source.index("\n", offset) + 1
            line += 1
        while line > row:
            offset = source.rfind("\n", 0, offset - 1) + 1
            line -= 1
        self.anchor = (line, offset)
        return offset

    def __getitem__(self, row: int) -> str:
        if row < 0:
            row += self.count
        if not 0 <= row < self.count:
            raise IndexError(row)
        start = self.start(row)
        end = self.source.find("\n", start)
        return self.source[start:] if end == -1 else self.source[start : end + 1]


class CodexTextDocument(TextDocument):
    _anchor: tuple[int, int] = (0, 0)  # a line and its start's offset in the current source
    _plain: bool | None = None  # whether the source breaks lines with "\n" only (None: unknown)

    def _apply_full_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        super()._apply_full_change(change)
        self._anchor, self._plain = (0, 0), None

    def _apply_none_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        super()._apply_none_change(change)
        self._anchor, self._plain = (0, 0), None

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        source = self.source
        if self._plain is None:
            self._plain = OTHER_BREAKS.search(source) is None
        if not self._plain or OTHER_BREAKS.search(change.text):
            self._plain = False
            super()._apply_incremental_change(change)
            return
        lines = _Lines(source, self._anchor)
        start = self._from_client(lines, change.range.start)
        end = self._from_client(lines, change.range.end)
        if start.line == len(lines):  # an empty document
            self._source = source + change.text
            return
        if end.line < start.line:  # pygls writes such a change as no change
            return
        start_at = lines.start(start.line)
        begin = start_at + min(start.character, len(lines[start.line]))
        finish = lines.start(end.line) + min(end.character, len(lines[end.line]))
        self._source = source[:begin] + change.text + source[finish:]
        self._anchor = (start.line, start_at)  # the change starts on that line: still its start

    def _from_client(self, lines: _Lines, position: types.Position) -> types.Position:
        """pygls' conversion to code points (`position_from_client_units`, which also clamps
        `position` in place), without its loop over each character for a line of one code unit
        a character: at the end of a 64 KB line that loop cost 25 ms a keystroke."""
        if position.line < len(lines):
            line = lines[position.line]
            if line and _one_unit_each(line, self._position_codec.impl):
                if position.character > len(line):
                    position.character = len(line) - 1
                return types.Position(position.line, position.character)
        codec: Any = self._position_codec
        found = codec.position_from_client_units(lines, position)
        return types.Position(found.line, found.character)


def _one_unit_each(line: str, units: object) -> bool:
    """Whether each character of `line` is one code unit in the negotiated encoding."""
    if isinstance(units, Utf32):
        return True
    if isinstance(units, Utf16):
        return line.isascii() or ASTRAL.search(line) is None
    return line.isascii()


class CodexWorkspace(Workspace):
    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return CodexTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self._position_codec,
        )
