"""The rule machinery: a rule (its pattern, prefilters and span finder), the context it reads (the
current line, its open quotes) and its budget of matches per segment, which keeps time linear."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codex_lsp.engine.secrets.text import _BLOCK, Span

if TYPE_CHECKING:
    from codex_lsp.engine.secrets.scan import _Window

# --- rules ------------------------------------------------------------------------------------
# Matches of a rule judged one by one per _BLOCK characters; past that (a credentials dump, or
# text made to be slow) the rest of the segment is redacted line by line, so the time stays
# linear.
_BUDGET = 48


class _Context:
    """Per rule and segment: the current line and the quotes opened on it, kept incrementally
    (positions only grow) so that many matches on one long line cost linear time. Quotes in
    `skips` (text redacted by other rules, sorted) or in this rule's own redactions do not
    count: after redaction they are gone, and text redacted again must be judged the same."""

    # The last command word on the current line, read up to `tool_read` (see _after_a_tool).
    tool: re.Match[str] | None = None
    tool_read = -1

    def __init__(self, text: str, start: int, skips: list[Span], end: int) -> None:
        self.text = text
        # The segment's bounds: a rule reading past its match's line stays within them, so a
        # segment is still judged on its own text alone.
        self.start, self.end = start, end
        self.line_start = self.counted_to = text.rfind("\n", 0, start) + 1
        self.double = self.single = self.backtick = 0
        self.skips, self.next_skip = skips, 0

    def add_skips(self, pos: int, spans: list[Span]) -> None:
        """Adds the redactions found in the window starting at pos (none reaches before it)."""
        if spans:
            self.start_of_line(pos)
            self._count_to(pos)  # so that skips already passed can be dropped
            kept = [span for span in self.skips[self.next_skip :] if span[1] > self.counted_to]
            self.skips, self.next_skip = sorted(kept + spans), 0

    def start_of_line(self, pos: int) -> int:
        newline = self.text.rfind("\n", self.counted_to, pos)
        if newline != -1:
            self.line_start = self.counted_to = newline + 1
            self.double = self.single = self.backtick = 0
        return self.line_start

    def _count_to(self, pos: int) -> None:
        start, skips = self.counted_to, self.skips
        if start >= pos:
            return
        while self.next_skip < len(skips) and skips[self.next_skip][1] <= start:
            self.next_skip += 1
        index = self.next_skip
        while start < pos:
            gap_end = pos
            if index < len(skips) and skips[index][0] < pos:
                gap_end = max(start, skips[index][0])
            text = self.text
            self.double += text.count('"', start, gap_end)
            self.single += text.count("'", start, gap_end)
            self.backtick += text.count("`", start, gap_end)
            start = gap_end
            if gap_end < pos:
                start = max(start, skips[index][1])
                index += 1
        self.counted_to = max(self.counted_to, start)

    def open_quotes(self, pos: int) -> str:
        """The quote characters of which an odd number precede pos on its line: the kinds of
        string pos is inside (roughly: escaped quotes count too). Call start_of_line first."""
        self._count_to(pos)
        return (
            ('"' if self.double % 2 else "")
            + ("'" if self.single % 2 else "")
            + ("`" if self.backtick % 2 else "")
        )

    def skip(self, span: Span) -> None:
        """Quotes inside a value this rule redacted do not count either."""
        start, end = span
        if end > self.counted_to:
            self.start_of_line(start)
            self._count_to(start)
            self.counted_to = max(self.counted_to, end)


class _Budget:
    """How many more matches of a rule may be judged one by one in a segment (see _BUDGET)."""

    def __init__(self, size: int) -> None:
        self.left = _BUDGET * (1 + size // _BLOCK)
        self.exhausted_at = -1


# A rule's spans for a match: one, or several (the items of a list), or None.
SpanFinder = Callable[[_Context, re.Match[str], int], "Span | list[Span] | None"]


@dataclass(frozen=True)
class _Rule:
    """A pattern and what to redact of each match. `needles`: a window holding none of them is
    skipped; `hinted` needles come from the hint search (_TOKEN_HINT, _WORD_HINT), others are
    found with str.find; a rule with none is searched for first (_SEARCHES). A rule with a
    `fallback` runs its pattern on the lowered window (far faster than re.IGNORECASE), and the
    fallback, case-insensitive, where lowering changes the window's length."""

    pattern: re.Pattern[str]
    span: SpanFinder
    needles: frozenset[str] = frozenset()
    hinted: bool = False
    fallback: re.Pattern[str] | None = None
    operators: str = ""  # and one of these characters must be in the window
    # Matches at a match's end when its value is already redacted: skipped without cost, so
    # text redacted once is redacted again the same way, however dense.
    redacted: re.Pattern[str] | None = None
    # A test of a match, costing no more than linear time over the segment, that turns it down
    # without spending the budget: for a pattern that matches often in text it has no say about.
    worth: Callable[[_Context, re.Match[str], int], bool] | None = None

    def wanted(self, window: _Window) -> bool:
        if self.hinted:
            return not window.hints().isdisjoint(self.needles)
        if self.fallback is not None:
            lowered = window.lowered()
            if lowered and not any(needle in lowered for needle in self.needles):
                return False
            return any(char in lowered for char in self.operators) if lowered else True
        text, pos, end = window.text, window.pos, window.end
        return not self.needles or any(text.find(n, pos, end) != -1 for n in self.needles)

    def collect(
        self, ctx: _Context, window: _Window, start: int, spans: list[Span], budget: _Budget
    ) -> int:
        """Spans of matches starting in [start, window.own); returns how far this rule has
        redacted (a later match starting before that is inside a value already redacted)."""
        subject, offset, pattern = window.text, 0, self.pattern
        if self.fallback is not None:
            subject, offset = window.lowered(), window.pos
            if not subject:
                subject, offset, pattern = window.text, 0, self.fallback
        covered, pos, stop = start, start - offset, window.end - offset
        while (match := pattern.search(subject, pos, stop)) is not None:
            found = match.start() + offset
            if found >= window.own:
                break
            pos = match.end()
            if found < covered:
                pos = max(pos, covered - offset)
                continue
            if self.redacted is not None and self.redacted.match(ctx.text, match.end() + offset):
                continue
            if self.worth is not None and not self.worth(ctx, match, offset):
                continue
            budget.left -= 1
            if budget.left < 0:
                budget.exhausted_at = found
                break
            found_spans = self.span(ctx, match, offset)
            if not found_spans:
                pos = match.start() + 1  # a match turned down may hide one starting inside it
                continue
            for span in [found_spans] if isinstance(found_spans, tuple) else found_spans:
                spans.append(span)
                ctx.skip(span)
                covered = max(covered, span[1])
        return covered
