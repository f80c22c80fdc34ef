"""Shared by every part of redaction: REDACTED and spans, the segment and window sizes that
bound each regex call, a line's bounds, and regex tries for many literal needles."""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[REDACTED]"
Span = tuple[int, int]  # [start, end) of text to redact


# --- segments ---------------------------------------------------------------------------------
# Text is cut into segments of whole lines of at most _BLOCK characters; a longer line is scanned
# in windows of _BLOCK + _OVERLAP characters, so no regex call sees more than that, and a match
# starting in one window's first _BLOCK characters is whole in it (no pattern matches more than
# _OVERLAP characters; a longer value is followed by further bounded calls). Python code runs
# between calls, so a worker thread doing this gives the event loop the GIL often.
_BLOCK = 4096
_MIN_SEGMENT = 1024  # a segment ends at a blank line past this many characters, if one comes
_OVERLAP = 1024
_MAX_VALUE = 1024


def _segment_end(text: str, pos: int) -> int:
    """A segment ends before the first blank line past _MIN_SEGMENT characters, where there is
    one within _BLOCK: where a cut falls depends on the text near it, not on where the text
    starts, so the segments after an edit's are the same as before it and are not redacted
    again (cut at _BLOCK, a line inserted at the top would move every later cut). Else at the
    last line break within _BLOCK."""
    if len(text) - pos <= _BLOCK:
        return len(text)
    blank = _first_blank_line(text, pos + _MIN_SEGMENT, pos + _BLOCK)
    if blank != -1:
        return blank + 1
    cut = text.rfind("\n", pos, pos + _BLOCK)
    if cut != -1:
        return cut + 1
    newline = text.find("\n", pos + _BLOCK)
    return len(text) if newline == -1 else newline + 1


def _first_blank_line(text: str, start: int, end: int) -> int:
    """Where the line break before the first empty line in text[start:end] is, or -1."""
    lf, crlf = text.find("\n\n", start, end), text.find("\n\r\n", start, end)
    return lf if crlf == -1 or (lf != -1 and lf < crlf) else crlf


def _line_end(text: str, pos: int, limit: int) -> int:
    """Where the line holding pos ends, before its newline (and a carriage return)."""
    newline = text.find("\n", pos, limit)
    end = limit if newline == -1 else newline
    return end - 1 if end > pos and text[end - 1] == "\r" else end


def _line_bounds(text: str, pos: int, limit: int) -> tuple[int, int]:
    """Where the line holding pos ends (`_line_end`) and where the next one starts (`limit`
    when there is none)."""
    line_end = _line_end(text, pos, limit)
    newline = text.find("\n", line_end, limit)
    return line_end, limit if newline == -1 else newline + 1


_Trie = dict[str, "_Trie"]


def _trie(words: Iterable[str]) -> str:
    """One regex for many literal needles, shaped as a trie: Python's regex engine tries the
    branches of an alternation one by one, so sharing prefixes makes the scan several times
    faster than a flat `a|b|c`."""
    tree: _Trie = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    return emit(tree)


_INDENT = re.compile(r"[ \t]{0,256}")


def _skip_blanks_back(text: str, low: int, pos: int) -> int:
    while pos > low and text[pos - 1] in " \t":
        pos -= 1
    return pos


def _at_line_start(text: str, line_start: int, pos: int) -> bool:
    """Whether only indentation stands before pos on its line (read in bounded time)."""
    indent = _INDENT.match(text, line_start)
    return indent is not None and indent.end() == pos


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    return start, end


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _matched_end(pattern: re.Pattern[str], text: str, pos: int, end: int) -> int:
    """Where `pattern` (which matches the empty string too) stops, from pos."""
    found = pattern.match(text, pos, end)
    return pos if found is None else found.end()
