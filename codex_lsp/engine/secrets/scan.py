"""The scan: runs the rules over a segment in bounded windows, so the time stays linear, and
applies the spans they found."""

from __future__ import annotations

from typing import cast

from codex_lsp.engine.secrets.formats import _TOKEN_HINT, _TOKEN_RUN, _WORD_HINT
from codex_lsp.engine.secrets.rule import _Budget, _Context
from codex_lsp.engine.secrets.rules import _BY_HINT, _RULES, _SEARCHED, _SEARCHES, _UNHINTED
from codex_lsp.engine.secrets.text import _BLOCK, _OVERLAP, REDACTED, Span


class _Window:
    """text[pos:end], of which matches starting before `own` are this window's; what the
    rules' prefilters need is computed once per window, on first use."""

    def __init__(self, text: str, pos: int, own: int, end: int) -> None:
        self.text, self.pos, self.own, self.end = text, pos, own, end
        self._hints: set[str] | None = None
        self._lowered: str | None = None

    def hints(self) -> set[str]:
        if self._hints is None:
            self._hints = set()
            hint = _TOKEN_HINT if _TOKEN_RUN.search(self.text, self.pos, self.end) else _WORD_HINT
            self._hints.update(hint.findall(self.text, self.pos, self.end))
        return self._hints

    def lowered(self) -> str:
        """The window in lower case, or "" when lowering changes its length (`İ`)."""
        if self._lowered is None:
            lowered = self.text[self.pos : self.end].lower()
            self._lowered = lowered if len(lowered) == self.end - self.pos else ""
        return self._lowered


def _scan(text: str, a: int, b: int, spans: list[Span], skips: list[Span]) -> int:
    """Collects the spans to redact in text[a:b]; returns where precise redaction stops.
    `skips`: text already known to be redacted (sorted), where quotes do not count."""
    skips = sorted(skips)  # shared: a context replaces its list, never changes it
    # A rule's context is made when a window first wants the rule (most never do).
    contexts: list[_Context | None] = [None] * len(_RULES)
    last = len(_RULES) - 1
    contexts[last] = _Context(text, a, skips, b)
    covered = [a] * len(_RULES)
    # A budget per rule: one rule spending it stops where it got to, and every other rule still
    # reads the window, so the text before that point is judged by all of them (a budget shared
    # by all, spent by the rules run first, left the later ones' secrets in that text).
    budgets: list[_Budget | None] = [None] * len(_RULES)
    limit = b
    pos = a
    while pos < limit:
        own = min(b, pos + _BLOCK)
        window = _Window(text, pos, own, min(b, own + _OVERLAP))
        found = len(spans)
        for index in _rules_for(window):
            rule = _RULES[index]
            if index == last:
                cast(_Context, contexts[last]).add_skips(pos, spans[found:])
            if covered[index] >= own or (index not in _SEARCHED and not rule.wanted(window)):
                continue
            budget = budgets[index] or _Budget(b - a)
            budgets[index] = budget
            if budget.exhausted_at >= 0:
                continue
            ctx = contexts[index] or _Context(text, a, skips, b)
            contexts[index] = ctx
            start = max(pos, covered[index])
            covered[index] = rule.collect(ctx, window, start, spans, budget)
            if budget.exhausted_at >= 0:
                limit = min(limit, _coarse_start(text, a, b, budget.exhausted_at))
        pos = own
    return limit


def _rules_for(window: _Window) -> list[int]:
    """The indices of the rules a window may want, in order: the token formats whose needles
    are in it (most windows have none), the rules without needles whose pattern matches in it,
    and every other rule (each decides by its `wanted`)."""
    text, pos, end = window.text, window.pos, window.end
    # A pattern starting with a literal is found as fast as a needle would be; searching them
    # here, in one loop, spares each rule a pass through _scan's (most windows match none).
    searched = [index for index, search in _SEARCHES if search(text, pos, end) is not None]
    hints = window.hints()
    if not hints and not searched:
        return _UNHINTED
    hinted = {index for hint in hints for index in _BY_HINT.get(hint, ())}
    return sorted(hinted.union(_UNHINTED, searched))


def _coarse_start(text: str, a: int, b: int, found: int) -> int:
    """Where whole-line redaction takes over: the start of the match's line in a segment of
    lines, the match itself in one long line."""
    if b - a > _BLOCK:
        return found
    return text.rfind("\n", a, found) + 1 or a


def _apply(text: str, a: int, b: int, spans: list[Span]) -> str:
    if not spans:
        return text[a:b]
    pieces: list[str] = []
    pos = last_end = a
    for start, end in sorted(spans):
        start, end = max(start, a), min(end, b)
        if start >= end:
            continue
        if start <= last_end and pieces:  # overlaps or touches the previous redaction
            pos = last_end = max(last_end, end)
            continue
        pieces += (text[pos:start], REDACTED)
        pos = last_end = end
    pieces.append(text[pos:b])
    return "".join(pieces)
