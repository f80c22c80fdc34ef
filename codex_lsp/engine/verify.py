"""Verification of review findings: a finding is published only when its fix holds up.

Small local models report plausible-sounding problems on correct code. Every finding carries
`fix`, the corrected code of its snippet; the finding stands only when

1. the fix changes the line (not only its spacing): a model that is not sure copies the code;
   and it does more than delete names (a call, an attribute): see `only_drops_names`;
2. the file still parses with the corrected line (Python; other languages skip this);
3. the model's own fill-in-the-middle of that line, given the code around it and no
   instructions, scores the corrected line above the line as written by at least a margin:
   completing code is what code models are trained for, and they do it better than they
   explain it (measured on `benchmarks/review`).

Step 3 needs a backend that scores fills (`LineScorer`, the embedded llama.cpp through
`/infill`, each fill forced in its own tokens: `providers/fill_scores.py`); without one it is
skipped. A verified finding keeps its fix (a ready quick fix) and
says only what the fix changes: the model's own sentence was often false when its fix was
right. Hosted models' findings are not filtered here (`vetted`), only given a sound fix. Knows
nothing of LSP or of any SDK.
"""

from __future__ import annotations

import ast
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from codex_lsp.engine.cache import common_ends
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.review import ReviewFinding
from codex_lsp.engine.secrets import REDACTED
from codex_lsp.providers.base import ProviderError

log = logging.getLogger(__name__)

# Log-probability, in nats, by which the fill-in-the-middle must prefer the corrected line
# (2 nats: about 7 times as likely). On benchmarks/review every margin from 0 to 6 gave the
# same figures on real code; right fixes scored +3 to +9, wrong ones mostly below 0. Scored in
# the lines' own tokens (session 9), the wrong fixes that passed as strings fell below it
# (`<= 0` -> `== 0` +14.1 -> -1.1, `popleft()` -> `pop(0)` +10.2 -> +0.7), the right ones
# kept their gains (+3.0 to +9.2). A contrast with the gain of the same change with little
# context (the function, 3 lines, the line alone) was measured and not kept: on the tune
# files each variant lost a right fix (`len(marks)` gains +9.0 from its own line alone).
FILL_MARGIN = 2.0
FILL_CONTEXT_LINES = 150  # before the line, at most; blocks of 50 so nearby lines share a prefix
FILL_BLOCK = 50
FILL_SUFFIX_LINES = 40  # after the line, at most
# Parsing holds the event loop (and the GIL) for the whole file, twice a finding: past about
# 1,500 lines (~10 ms a parse) the parse check is skipped rather than stall other requests.
PARSE_LIMIT_CHARS = 60_000
# What `ast.parse` raises on text it cannot read: CPython's parser gives RecursionError or
# MemoryError (not SyntaxError) for code nested deeper than it can hold (`-` 50,000 times).
UNPARSABLE = (SyntaxError, ValueError, RecursionError, MemoryError)


@runtime_checkable
class LineScorer(Protocol):
    """A backend that scores candidate fills of one gap, as fill-in-the-middle."""

    async def score_fills(self, prefix: str, suffix: str, fills: Sequence[str]) -> list[float]:
        """The log-probability of each fill written between `prefix` and `suffix`, in the
        fill's own tokens (not in whatever split a grammar of its characters lets the model
        pick: `<` then `=` costs a line 16 nats that `<=` does not)."""
        ...


@dataclass(frozen=True)
class LineFix:
    """A finding's fix applied to its line: the line as written and as corrected (0-based)."""

    row: int
    original: str
    corrected: str


def line_fix(snapshot: Snapshot, finding: ReviewFinding, fix: str) -> LineFix | None:
    """The finding's line with `fix` in place of its snippet; None when the fix cannot be one
    line's correction (empty, several lines, or a span over several lines)."""
    span = finding.span
    fix = fix.strip()
    if not fix or "\n" in fix or span.start.line != span.end.line:
        return None
    row = span.start.line
    original = snapshot.lines[row]
    start, end = span.start.character, span.end.character
    before = original[:start].strip()
    if before and _squeeze(fix).startswith(_squeeze(before)):
        # The model wrote the whole corrected line, not only the snippet: it replaces the line.
        start, end = len(original) - len(original.lstrip()), len(original.rstrip())
    return LineFix(row, original, original[:start] + fix + original[end:])


def rejection(snapshot: Snapshot, fix: LineFix, parses: bool | None = None) -> str | None:
    """Why a fix cannot stand without asking a model (None: it may). `parses`: whether the
    original text parses, when the caller knows it already."""
    if _squeeze(fix.corrected) == _squeeze(fix.original):
        return "the fix changes nothing"
    if REDACTED in fix.corrected:  # written over the redacted text: it would erase a secret
        return "the fix holds redacted text"
    if only_drops_names(fix):
        return "the fix only deletes code"
    if not is_python(snapshot) or len(snapshot.text) > PARSE_LIMIT_CHARS:
        return None
    if parses is None:
        parses = text_parses(snapshot.text)
    if parses:
        lines = list(snapshot.lines)
        lines[fix.row] = fix.corrected
        if not text_parses("\n".join(lines)):
            return "the corrected file does not parse"
    return None


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATOR_WORDS = {"not", "and", "or", "is", "in"}  # deleting one of these is a real fix


def only_drops_names(fix: LineFix) -> bool:
    """Whether the fix deletes names (a call, an attribute, a variable) and adds none. Such
    "fixes" are the model simplifying code it does not understand, and the fill-in-the-middle
    cannot judge them: it prefers shorter lines and names it has seen nearby (measured: a
    helper defined out of view, dropped from a correct call, scored +61 nats)."""
    before = Counter(_NAME.findall(fix.original))
    after = Counter(_NAME.findall(fix.corrected))
    dropped = {name for name in before - after if name not in _OPERATOR_WORDS}
    return bool(dropped) and not (after - before)


def fill_gap(snapshot: Snapshot, row: int) -> tuple[str, str, str]:
    """The code before line `row` (with its indentation), the code after it, and the
    indentation: what a fill-in-the-middle of the line sees. Redacted, as every prompt."""
    lines = snapshot.redacted_lines
    first = max(0, row - FILL_CONTEXT_LINES)
    first -= first % FILL_BLOCK  # the same start for nearby lines: llama.cpp reuses the prefix
    text = lines[row]
    indent = text[: len(text) - len(text.lstrip())]
    prefix = "".join(f"{line}\n" for line in lines[first:row]) + indent
    suffix = "".join(f"\n{line}" for line in lines[row + 1 : row + 1 + FILL_SUFFIX_LINES])
    return prefix, suffix, indent


async def fill_prefers(
    scorer: LineScorer, snapshot: Snapshot, fix: LineFix, margin: float = FILL_MARGIN
) -> bool:
    """Whether the fill-in-the-middle prefers the corrected line by at least `margin` nats."""
    prefix, suffix, indent = fill_gap(snapshot, fix.row)
    original = snapshot.redacted_lines[fix.row]
    if REDACTED in original or REDACTED in fix.corrected or not fix.corrected.startswith(indent):
        return False  # a line with a secret is not shown to a model; a re-indented fix is odd
    written, corrected = original[len(indent) :].rstrip(), fix.corrected[len(indent) :].rstrip()
    try:
        scores = await scorer.score_fills(prefix, suffix, [written, corrected])
    except ProviderError as error:  # unverified is unpublished; the review itself goes on
        log.info("could not verify a finding: %s", error)
        return False
    log.debug("fill scores %s for %r -> %r", scores, written, corrected)
    return scores[1] - scores[0] >= margin


async def verified(
    snapshot: Snapshot,
    finding: ReviewFinding,
    fix: str,
    scorer: LineScorer | None,
    *,
    parses: bool | None = None,
    margin: float = FILL_MARGIN,
) -> ReviewFinding | None:
    """The finding with its fix attached when it survives verification, else None."""
    proposed = line_fix(snapshot, finding, fix)
    if proposed is None:
        return None
    reason = rejection(snapshot, proposed, parses)
    if (
        reason is None
        and scorer is not None
        and not await fill_prefers(scorer, snapshot, proposed, margin)
    ):
        reason = "the model's fill-in-the-middle prefers the line as written"
    if reason is not None:
        log.debug("%s:%d: dropped (%s): %s", snapshot.uri, proposed.row + 1, reason, fix)
        return None
    return replace(finding, fix=proposed.corrected, message=fix_message(proposed))


# Words, Python's operators of two or three characters (`==` -> `!=` reads as that, not as
# `=` -> `!`), and any other character alone.
_TOKEN = re.compile(r"\w+|\*\*=|//=|>>=|<<=|[=!<>+\-*/%&|^@:]=|->|\*\*|//|<<|>>|[^\w\s]")


def changed_parts(fix: LineFix) -> tuple[str, str]:
    """The code the fix replaces and its replacement, trimmed to whole tokens around the
    change (at least one token each side: `n` -> `n + 1`, not `` -> `+ 1`)."""
    old = list(_TOKEN.finditer(fix.original))
    new = list(_TOKEN.finditer(fix.corrected))
    start, end = _common_ends(old, new)
    if start == len(old) - end or start == len(new) - end:  # a pure insertion or deletion
        longer = old if len(old) > len(new) else new
        if end > 0 and longer[len(longer) - end].group() == "in":
            end -= 1  # `not in` -> `in`, not `name not` -> `name`
        elif start > 0:
            start -= 1
        elif end > 0:
            end -= 1
    old_span, new_span = old[start : len(old) - end], new[start : len(new) - end]
    parts = _text(fix.original, old_span), _text(fix.corrected, new_span)
    if any(bracket_balance(part) or not _readable(part) for part in parts):
        # `().` for `().decode().`, `hypot(a` for `sqrt(b`: whole lines read better.
        return fix.original.strip(), fix.corrected.strip()
    return parts


def _common_ends(old: list[re.Match[str]], new: list[re.Match[str]]) -> tuple[int, int]:
    """How many tokens the two lines share at their start, and then at their end."""
    return common_ends(tuple(m.group() for m in old), tuple(m.group() for m in new))


def _readable(part: str) -> bool:
    """A name, or an operator alone (`<=`), not punctuation such as `().`."""
    return bool(_NAME.search(part)) or (bool(part) and not re.search(r"[()\[\]{}.,:;]", part))


def bracket_balance(text: str) -> int:
    """Openers minus closers: negative when `text` closes brackets it did not open."""
    return sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")


def _text(line: str, tokens: list[re.Match[str]]) -> str:
    return line[tokens[0].start() : tokens[-1].end()] if tokens else ""


def fix_message(fix: LineFix) -> str:
    """What a verified finding says: the change its fix makes, and nothing the fix does not
    show. Its truth is the fix's, which is what was verified; the model's own sentence is not
    (measured on benchmarks/review: right fixes came with "Division by zero can lead to
    undefined behavior" for `len(scores)` written for `len(marks)`, and with "strip() on bytes
    is not valid" for a missing `.decode()`)."""
    missing = missing_keyword(fix)
    if missing is not None:
        word, before = missing
        return f"`{word}` is probably missing before `{before}`."
    old, new = changed_parts(fix)
    return f"`{old}` should probably be `{new}`."


# Keywords a fix may restore in front of an expression: said as missing, not as a replacement of
# the token they precede ("`"` should probably be `return "`" read as nonsense).
_RESTORED_KEYWORDS = frozenset({"return", "await", "yield", "not"})


def missing_keyword(fix: LineFix) -> tuple[str, str] | None:
    """(keywords, the token after them) when the fix only inserts restorable keywords."""
    old = list(_TOKEN.finditer(fix.original))
    new = list(_TOKEN.finditer(fix.corrected))
    start, end = _common_ends(old, new)
    inserted = new[start : len(new) - end]
    if start + end != len(old) or not end or not inserted:
        return None  # not an insertion alone, or one at the end of the line
    if any(m.group() not in _RESTORED_KEYWORDS for m in inserted):
        return None
    following = new[start + len(inserted)]
    words = fix.corrected[inserted[0].start() : inserted[-1].end()]
    return words, _token_or_string(fix.corrected, following)


def _token_or_string(line: str, token: re.Match[str]) -> str:
    """The token, or the whole string literal when it opens one (`"; "`, not `"`)."""
    quote = token.group()
    if quote not in ("'", '"'):
        return quote
    close = line.find(quote, token.end())
    return line[token.start() : close + 1] if close != -1 else quote


async def vetted(
    snapshot: Snapshot,
    finding: ReviewFinding,
    fix: str,
    scorer: LineScorer | None,
    strict: bool,
) -> ReviewFinding | None:
    """`strict` (the embedded models): the finding if verified, else nothing. Otherwise (a
    hosted model, not measured here) the finding stands, with its fix only if the fix passes
    the checks that need no model."""
    if strict:
        return await verified(snapshot, finding, fix, scorer)
    proposed = line_fix(snapshot, finding, fix)
    if proposed is None or rejection(snapshot, proposed) is not None:
        return finding
    return replace(finding, fix=proposed.corrected)


def is_python(snapshot: Snapshot) -> bool:
    return snapshot.language_id == "python" or snapshot.uri.endswith((".py", ".pyi"))


def parses(snapshot: Snapshot) -> bool:
    """Whether the text parses (a Python file); True for other languages."""
    return not is_python(snapshot) or text_parses(snapshot.text)


def text_parses(text: str) -> bool:
    """Whether Python text parses (`UNPARSABLE`: nothing `ast.parse` raises escapes)."""
    try:
        ast.parse(text)
    except UNPARSABLE:
        return False
    return True


def _squeeze(code: str) -> str:
    return "".join(code.split())
