"""Rules for structures read on one line: Markdown table rows and columns naming a secret,
lists under a plural name of secrets, Terraform variables' defaults."""

from __future__ import annotations

import re

from codex_lsp.engine.secrets.assignments import (
    _name_head,
    _quoted_span,
    _same_name,
    _skip_blanks,
    _string_end,
)
from codex_lsp.engine.secrets.calls import _CALL_REACH
from codex_lsp.engine.secrets.names import _holds_a_secret, _names_a_secret
from codex_lsp.engine.secrets.rule import _Context
from codex_lsp.engine.secrets.text import (
    Span,
    _at_line_start,
    _line_bounds,
    _line_end,
    _matched_end,
    _skip_blanks_back,
    _trimmed,
)
from codex_lsp.engine.secrets.values import _LETTER, _credential, _is_placeholder, _looks_random

_TABLE_OPENER = re.compile(r"\|[ \t]{0,16}:?-")
# A plural name's last letter, its closing quote, the operator and a list, tuple or set (maybe
# wrapped: `frozenset({`, Kotlin's `listOf(`); the name is read back from the `s` (see
# _plural_name); on lower-case text.
_PLURAL_LIST_SOURCE = r"""s(?P<close>["'`\]]{0,2}+)[ \t]{0,16}(?P<op>:=|=>|=(?!=)|:(?![:=]))
    [ \t]{0,16}(?:(?i:frozenset|set|tuple|list)[ \t]{0,4}\()?(?P<open>[\[({]
    |(?i:listof|setof|arrayof|list\.of|set\.of|arrays\.aslist)[ \t]{0,4}\()"""
_PLURAL_LIST = re.compile(_PLURAL_LIST_SOURCE, re.VERBOSE)
_PLURAL_LIST_ANY_CASE = re.compile(_PLURAL_LIST_SOURCE, re.VERBOSE | re.IGNORECASE)


def _plural_name(text: str, line_start: int, found: re.Match[str], offset: int = 0) -> int | None:
    """Where the name ending at the `s` of `found` starts (its opening quote, if quoted), when
    it names secrets in the plural (`API_KEYS`, `accessTokens`, `passwords`, `creds`; not
    `max_tokens`, `keys`); the caller checks that no string is open before it. Design tokens'
    maps (`tokens = {`) are colours, not secrets."""
    name_end = found.start() + offset + 1
    head = _name_head(text, name_end, line_start)
    name = text[head:name_end]
    if head == name_end or (found["open"] == "{" and name.lower().endswith("tokens")):
        return None
    if not (_holds_a_secret(name[:-1]) or _holds_a_secret(name)):
        return None
    quoted = head > line_start and text[head - 1] in "\"'`" and found["close"][:1] == text[head - 1]
    return head - 1 if quoted else head


# --- Terraform variables ------------------------------------------------------------------------
# `variable "db_password" { default = "..." }`: the value's name is `default`, the secret's is
# the block's. A block holds a secret when its name does or it says `sensitive = true`. Its
# opening line is looked for _VARIABLE_REACH characters back at most, its end as far ahead.
_VARIABLE_REACH = 1024
_TF_VARIABLE = re.compile(r'variable[ \t]{1,16}"(?P<name>[\w-]{1,100})"[ \t]{0,16}\{[ \t]{0,16}')
_TF_SENSITIVE = re.compile(r"(?<![\w.])sensitive[ \t]{0,16}=[ \t]{0,16}true\b")
# `terraform fmt` sets `=` apart by blanks: Python's `default="..."` keyword is left alone fast.
_TF_DEFAULT = re.compile(r'default[ \t]{1,16}=[ \t]{1,16}"')


def _in_secret_variable(text: str, low: int, high: int, line_start: int) -> bool:
    """Whether the line at line_start lies in a secret-holding `variable` block whose opening
    line (at column 0, as Terraform writes it) is within text[low:line_start]."""
    header_line = text.rfind('\nvariable "', max(low, line_start - _VARIABLE_REACH), line_start)
    if header_line == -1:
        if not text.startswith('variable "', low) or line_start - low > _VARIABLE_REACH:
            return False
        header_line = low - 1
    header = _TF_VARIABLE.match(text, header_line + 1)
    if header is None:
        return False
    header_end = _line_end(text, header.end(), high)
    if text.find("}", header.end(), header_end) != -1:
        return False  # a block on one line, and line_start is after it
    block_end = text.find("\n}", header_end, min(high, line_start + _VARIABLE_REACH))
    if block_end != -1 and block_end < line_start:
        return False  # the block closed before the line
    if _holds_a_secret(header["name"]):
        return True
    stop = block_end if block_end != -1 else min(high, line_start + _VARIABLE_REACH)
    return _TF_SENSITIVE.search(text, header_end, stop) is not None


def _tf_default_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    """A quoted `default` of a secret-holding variable, the block on one line or several."""
    text, at = ctx.text, match.start()
    line_start = ctx.start_of_line(at)
    if not _at_line_start(text, line_start, at):  # read no more than a header's length back
        header = _TF_VARIABLE.fullmatch(text, max(line_start, at - 160), at)
        secret = header is not None and _holds_a_secret(header["name"])
    else:
        secret = _in_secret_variable(text, ctx.start, ctx.end, line_start)
    return _quoted_span(text, match.end(), '"') if secret else None


def _list_line(text: str, pos: int, end: int, depth: int, spans: list[Span]) -> int:
    """Adds the spans of a list's items in text[pos:end] (strings right inside it, and those
    deeper in that look like credentials: `[["prod", "..."]]`, `[{"key": "..."}]`; not a key
    before `:`); returns the depth of brackets after them, or 0 where the list closes. A
    comment (`#`, `//` after a blank) ends the line: its apostrophes open no string."""
    while (pos := _matched_end(_LIST_GAP, text, pos, end)) < end:
        char = text[pos]
        if char in "\"'`":
            close = _string_end(text, pos + 1, char, end)
            item = not _LIST_KEY.match(text, close + 1) and (
                _list_item(text, pos, close) if depth == 1 else _credential(text, pos + 1, close)
            )
            if item:
                spans.append((pos + 1, close))
            pos = close + 1
        elif char in "#/":
            if text[pos - 1 : pos] in ("", " ", "\t", "\n") and text.startswith(("#", "//"), pos):
                return depth
            pos += 1
        else:
            depth += 1 if char in "([{" else -1
            if depth <= 0:
                return 0
            pos += 1
    return depth


_LIST_GAP = re.compile(r"""[^"'`()\[\]{}#/]*+""")
_LIST_KEY = re.compile(r"[ \t]{0,16}:(?!:)")


def _list_item(text: str, quote: int, close: int) -> bool:
    """A list's string item that may be a secret: not a placeholder, nor a name
    (`"OPENAI_API_KEY"`), nor shorter than any secret (`"("`, `" "`)."""
    content = text[quote + 1 : close] if close - quote <= 257 else "-" * 4
    if len(content.strip()) < 4 or _is_placeholder(content) or _names_a_secret(content):
        return False
    return text[quote - 1 : quote] not in ("f", "F") or "{" not in content  # not an f-string


def _table_value(text: str, start: int, end: int) -> Span | None:
    """A table cell's secret: one word (in backticks or quotes, or not) with a letter that looks
    random and is neither a placeholder nor a name (`string`, `Required`, `*(none)*`, lines
    `335-353`), maybe followed by a note (`... (rotated monthly)`); or words with blanks
    between them that each look random (`` `Zq8 1mW0pLx7` ``, `Xk29 pqLm7!`), not a sentence."""
    start, end = _trimmed(text, start, end)
    if end - start > 256:
        return None
    first = text[start]
    close = text.find(first, start + 1, end) if first in "`'\"" else -1
    if close != -1:  # a quoted value, its note after it
        value_start, value_end, rest = start + 1, close, close + 1
    else:
        blank = _BLANK.search(text, start, end)
        value_start, value_end = start, blank.start() if blank else end
        rest = value_end
    value_start, value_end = _trimmed(text, value_start, value_end)
    note = text[rest:end].strip(" \t")
    if note and not note.startswith(("(", "-", "—", "#", "//")):
        value_start, value_end, note = start, end, ""  # the whole cell, its words judged
    value = text[value_start:value_end]
    if len(value) < 6 or _is_placeholder(value) or _names_a_secret(value):
        return None
    words = value.split()
    if all(_looks_random(word) and _LETTER.search(word) for word in words):
        return value_start, value_end
    return None


_BLANK = re.compile(r"[ \t]")


# A Markdown table's row naming a secret in its first cell and holding it in the second:
# `| Password | ... |`, `| **API key** | `...` |` (not the header: a delimiter row follows it).
_TABLE_ROW = re.compile(r"\|(?P<name>[^|\r\n]{1,100})\|(?P<value>[^|\r\n]{1,1024})(?=\|)")


def _table_row_worth(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    """A row starts its line: `a | b | c` in code and shell pipes spend no budget (read back
    over a few blanks only: a long line of pipes costs no more per pipe)."""
    text, at = ctx.text, match.start()
    pos = _skip_blanks_back(text, max(0, at - 16), at)
    return pos == 0 or text[pos - 1] == "\n"


def _table_row_span(ctx: _Context, match: re.Match[str], offset: int) -> Span | None:
    text = ctx.text
    name = "_".join(match["name"].strip(" \t*`_").split())
    if not name or not _holds_a_secret(name):
        return None
    following = _skip_blanks(text, _line_bounds(text, match.end(), ctx.end)[1])
    if _TABLE_OPENER.match(text, following):
        return None  # a header
    return _table_value(text, *match.span("value"))


# Each string item of a list, tuple or set written as the value of a plural name of secrets, on
# the name's line (`API_KEYS = ["...", "..."]`, `"tokens": [...]`, `passwords = ("...",)`); the
# lines after it, if the list goes on, are _list_body's. The name is judged before the match is
# counted against the rule's budget: `items = [` is everywhere in code.
def _plural_list_worth(ctx: _Context, match: re.Match[str], offset: int) -> bool:
    text, at = ctx.text, match.start() + offset
    name_at = _plural_name(text, text.rfind("\n", max(0, at - 128), at) + 1, match, offset)
    if name_at is None:
        return False  # decided without ctx.start_of_line, which reads a long line from its start
    ctx.start_of_line(at)
    return not ctx.open_quotes(name_at)


def _plural_list_span(ctx: _Context, match: re.Match[str], offset: int) -> list[Span] | None:
    text, spans = ctx.text, list[Span]()
    start = match.start("open") + offset
    end = _line_end(text, start, min(ctx.end, start + _CALL_REACH))
    _list_line(text, start, end, 0, spans)
    if _COMPREHENSION.search(text, start, end):
        return None  # `[t.text for t in doc if t.text != "..."]` is code
    name_end = match.start() + offset + 1
    name = text[_name_head(text, name_end, ctx.start_of_line(name_end)) : name_end]
    # A lazy import's table: `"Credentials": (".credentials", "Credentials")` names itself.
    return [span for span in spans if not _same_name(text[span[0] : span[1]], name)] or None


_COMPREHENSION = re.compile(r"[ \t]for[ \t]")
