"""Secrets in prose and comments: `The password is ...`, `# token: ...`."""

from __future__ import annotations

import re

from codex_lsp.engine.secrets.assignments import (
    _IDENTIFIER_ONLY,
    _assignment_span,
    _name_head,
    _random_part,
    _reference_like,
)
from codex_lsp.engine.secrets.formats import _WORD_CHAR
from codex_lsp.engine.secrets.names import _names_a_secret
from codex_lsp.engine.secrets.rule import _Context
from codex_lsp.engine.secrets.text import Span
from codex_lsp.engine.secrets.values import _is_placeholder, _looks_random

# --- secrets in prose and comments ---------------------------------------------------------------
# `The password is hunter2!` (or `is: hunter2!`), `# token: 3f9a...`, `**API key:** ...`,
# `password = x9... (see vault)` in a comment: a secret's word, `is`, `was` (either perhaps with
# `:`), `:` or `=`, and one word that looks like a token, where the line before the name is
# prose or a comment (a comment's marker, a bullet, words). `:` and `=` come from the assignment
# rule's matches that it turns down (its search reads every window anyway); `is` and `was` are a
# rule of their own, the word read back.
_PROSE_IS = re.compile(r"(?:is|was):?[ \t]{1,8}(?=[`'\"]?[^\s`'\"<>]{6})")
_PROSE_NAME = re.compile(
    r"""(?:pass(?:word|phrase|wd|code)|pwd|token|secret|(?:api|access|secret|private|auth)[ _-]?key)
    [*_`]{0,2}[ \t]{1,8}$""",
    re.VERBOSE | re.IGNORECASE,
)
_PROSE_VALUE = re.compile(r"""[*_`]{0,2}[ \t]{0,8}(?P<quote>[`'"]?)(?P<value>[^\s`'"<>]{6,256}+)""")
# What may stand before the name on its line: a comment's marker, a bullet, then words.
_PROSE_LEAD = re.compile(
    r"""[ \t]{0,64}(?P<marker>(?:\#{1,6}|//{1,2}|/?\*{1,2}|--|;{1,2}|<!--|%|>|(?i:rem))[ \t]{0,16})?
    (?P<bullet>(?:[-*+]|\d{1,3}[.)])[ \t]{1,8})?
    (?P<words>(?:[A-Za-z'()]{1,40}[,:]?[ \t]{1,8}){0,12})[*_`]{0,2}""",
    re.VERBOSE,
)
_TRAILING_PROSE = ".,;:)?"
_MEASURE = re.compile(r"\d{1,6}[ -]?[A-Za-z]{1,12}\+?")


def _prose_is_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """`The admin password is ...`: the name read back from `is`, then as _prose_span."""
    text, at = ctx.text, match.start() + offset
    if at == 0 or text[at - 1] not in " \t":
        return None  # `this`, `was` inside a word
    line_start = ctx.start_of_line(at)
    name = _PROSE_NAME.search(text, max(line_start, at - 48), at)
    if name is None:
        return None
    return _prose_span(ctx, name.start(), match.end() + offset, True)


def _prose_span(ctx: _Context, head: int, after: int, spoken: bool) -> Span | None:
    """The token-like word after a secret's name at `head` and its `is`, `:` or `=` (ending
    at `after`), when the line before the name is prose or a comment."""
    text = ctx.text
    if head > 0 and (_WORD_CHAR.match(text, head - 1) or text[head - 1] in ".$/-"):
        return None  # the name goes on before (`self.token`, `x-api-key`)
    lead = _prose_lead(text, ctx.start_of_line(head), head)
    if lead is None or not (spoken or lead["marker"] or lead["bullet"] or lead["words"]):
        return None  # `password = ...` alone on its line is code, or a setting
    found = _PROSE_VALUE.match(text, after)
    if found is None:
        return None
    start, end = found.span("value")
    while end > start and text[end - 1] in _TRAILING_PROSE:
        end -= 1
    value = text[start:end]
    if len(value) < 6 or not _looks_random(value) or _is_placeholder(value):
        return None  # `is required`, `is None`, `: <your token>`
    if value.endswith(("...", "…")) or _MEASURE.fullmatch(value):
        return None  # `api_key: sk-...`, `passcode: 6-digit`, `secret: 32bytes`
    if any(char in value for char in "([{=") or "://" in value or _names_a_secret(value):
        return None  # code (`is getToken()`), a URL (its own rules), a name (`API_TOKEN`)
    if _IDENTIFIER_ONLY.fullmatch(value) and (
        _random_part(value) is False if "." in value else _reference_like(value)
    ):
        return None  # `is self.token`, `token: token2`
    return start, end


def _prose_lead(text: str, line_start: int, head: int) -> re.Match[str] | None:
    """The lead of a secret's name in prose: its whole line before it, or the comment after
    code (`x = connect()  # password: ...`)."""
    if head - line_start > 256:
        return None
    lead = _PROSE_LEAD.fullmatch(text, line_start, head)
    if lead is None:
        for marker in (" #", "\t#", " //"):
            at = text.rfind(marker, line_start, head)
            if at != -1:
                lead = _PROSE_LEAD.fullmatch(text, at, head)
                break
    return lead


def _assignment_or_prose_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    span = _assignment_span(ctx, match, offset)
    if span is not None or match["op"] not in (":", "="):
        return span
    kw_start = match.start("kw") + offset
    head = _name_head(ctx.text, kw_start, ctx.start_of_line(kw_start))
    return _prose_span(ctx, head, match.end() + offset, " " in match["kw"])
