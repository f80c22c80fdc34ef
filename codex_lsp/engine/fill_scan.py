"""Bugs found by the fill alone: no review prompt, the model's fill-in-the-middle judges each
line against corrections of the one-line bug kinds (issue 15).

For each line, candidate corrections are made of the kinds of one-line bugs people write and
the review corpora plant (a comparison or `and`/`or` flipped, a `not` added or dropped,
`is`/`in` negated, a `return` or an `await` restored, a local name swapped for one of the
three of its function used nearest, a misspelt name that nothing in the file defines replaced by
the local or built-in names spelt like it), and kept when the file still parses. The model's fill of
the line (the code around it, no instructions, each fill in its own tokens: the third check of
`verify.py`) scores each against the line as written; a line whose best correction wins by
`SCAN_MARGIN` nats is reported, that correction its fix and quick fix, its message what the fix
changes (`verify.fix_message`).

Measured on benchmarks/review (`mutants.py`, the 0.5B model): at the margin first
pre-registered on the tune split (10 nats) held-out 5/17 planted bugs found, no finding on 17
clean files, every message true; tune 2/17. Session 12 chose 5 nats by the same rule on all 34
pairs pooled (19/34 found, 0.18 false findings per clean file, 5/34 clean files flagged); on
the new held-out split `heldout2` (15 pairs, other projects, run once) 6/15 found (5 with the
right fix), 0.07 false findings per clean file, but only 5 of 8 messages true, so the 0.5B
alone went back to 10.

With the 1.5B at hand (the `local` extra's reviewer), a correction must also win with it
(`SecondOpinion`). Session 12 chose 2 nats with the 0.5B and 4 with the 1.5B on tune (held-out
13/17 found, `heldout2` 8/15, no clean file flagged), but 4 of its messages on the 49 pairs were
false; session 13 chose 3 and 6 on all 49 pooled, the highest recall with no false message
(26/49; `benchmarks/review/rule_study.py`), and session 17 4 and 7 on 103 pairs. Knows
nothing of LSP.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import difflib
import io
import keyword
import logging
import tokenize
from collections import Counter, defaultdict
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator
from itertools import islice
from typing import Protocol, runtime_checkable

from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.engine.review import ReviewFinding
from codex_lsp.engine.secrets import REDACTED
from codex_lsp.engine.verify import (
    UNPARSABLE,
    LineFix,
    changed_parts,
    fill_gap,
    fix_message,
    is_python,
    text_parses,
)
from codex_lsp.providers.base import ProviderError

log = logging.getLogger(__name__)

# The 0.5B alone (the local-lite install: no 1.5B to confirm). Pre-registered on the tune split
# (10 nats: no false finding on 34 clean files). Session 12's rule on all 34 pairs pooled chose
# 5 (19/34 found, 0.18 false per clean file), and on `heldout2` 5 published 3 false messages of
# 8 and flagged a clean file: back to 10, the quietest margin measured (the issue: a reviewer
# that finds little but says nothing false beats one that cries wolf).
SCAN_MARGIN = 10.0
# With a second, larger model at hand (the 1.5B that reviews): a line is reported when one
# correction gains >= CONFIRMED_MARGIN nats with the scanning 0.5B and >= SECOND_MARGIN with the
# 1.5B. The two models rarely prefer the same wrong correction of clean code, and agree on
# planted bugs. Session 12's 2 and 4 published 4 false messages on the 49 pairs of
# benchmarks/review (a wrong fix of a planted line, a name swap next to one, two on lines of
# buggy copies that were not the bug, at 1.5B gains 4.7-6.9); 3 and 6 publish none there and
# find 26 of 49 (pre-registered, session 13: rule_study.py). Session 15 let a correction the
# 1.5B prefers by 9 pass with 2 from the 0.5B (two planted bugs on the 49); on new code it found
# nothing true and published one false message (`heldout7`, pygments). Session 17, by the same
# rule (`rule_study --pool103`: the 49, and `heldout5`-`heldout7`, whose runs stored every gain;
# chosen after `heldout7` was run once with 4 and 6 and the second tier): 4 and 6 alone found
# 42 of 103 with a wrong fix on a planted line; 4 and 7, 39 of 103, none false. The 1.5B is now
# asked only about corrections the 0.5B prefers by CONFIRMED_MARGIN (it was 2).
CONFIRMED_MARGIN = 4.0
SECOND_MARGIN = 7.0
MAX_PER_LINE = 16
NAME_SWAPS = 3  # other local names tried for each name on a line: the ones used nearest to it
# Every candidate row costs one read of the code after it (~400 tokens, ~5 s on one busy core
# with the 0.5B) and every candidate a parse of the file: bounded for long files.
SCAN_MAX_CHARS = 60_000
SCAN_MAX_ROWS = 200
# A pre-filter, off (None): score a row's corrections with the prefix alone (the prefix is in
# the slot's cache, so only the line's tokens are read) and read the row in full only when one
# comes within PREFILTER_MARGIN nats of the written line. Session 14 chose -2 by its
# pre-registered rule (2 nats under the lowest of the 31 rows published on the 64 pairs of
# benchmarks/review): it skipped 63% of the rows and kept every finding, yet the scan was slower
# (same-process ratio old/new 0.91): at so low a margin each correction is written nearly to its
# end, and a token written costs ~3.5 read (~120 against ~35 ms on a busy core).
PREFILTER_MARGIN: float | None = None
SCAN_CODE = "fill-scan"


@runtime_checkable
class GainScorer(Protocol):
    """A backend that scores a line's corrections against the line as written (fill in the
    middle), stopping those that cannot win."""

    async def score_against(
        self,
        prefix: str,
        suffix: str,
        written: str,
        fills: list[str],
        margin: float,
        *,
        first: bool = False,
    ) -> tuple[float, list[float | None]] | None:
        """The written line's summed log-probability and each fill's, None for a fill that
        cannot beat it by `margin` (`first`: and for every fill after the first that can);
        None in all when this backend cannot scan (no model for it)."""
        ...


@runtime_checkable
class SecondOpinion(Protocol):
    """A backend with a second, larger model that scores the corrections the scan proposes."""

    def has_second_opinion(self) -> bool:
        """Whether a second model serves here (else the scan goes by `SCAN_MARGIN` alone)."""
        ...

    async def second_gains(
        self, prefix: str, suffix: str, written: str, fills: list[str]
    ) -> list[float]:
        """Each fill's summed log-probability minus the written line's, by the second model."""
        ...


FLIPS = {
    "==": ("!=",),
    "!=": ("==",),
    "<": ("<=", ">="),
    "<=": ("<", ">"),
    ">": (">=", "<="),
    ">=": (">", "<"),
}
CONDITION_KEYWORDS = ("if", "elif", "while")
STATEMENT_KEYWORDS = frozenset(keyword.kwlist) - {"not", "True", "False", "None"}


def _replace(line: str, start: int, end: int, new: str) -> str:
    return line[:start] + new + line[end:]


def _function_names(tree: ast.AST) -> dict[int, dict[str, list[int]]]:
    """Per 0-based row, the local names of the innermost function around it (its parameters
    and the names it assigns), each with the rows it is used on (`_nearest_first` orders them
    for a row: sorting them for every row of a long function cost seconds)."""
    names: dict[int, dict[str, list[int]]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        used: dict[str, list[int]] = defaultdict(list)
        for arg in args:
            used[arg.arg].append(node.lineno - 1)
        for name in ast.walk(node):
            if isinstance(name, ast.Name):
                used[name.id].append(name.lineno - 1)
        stored = {a.arg for a in args} | {
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        local = {name: rows for name, rows in used.items() if name in stored}
        local.pop("self", None)
        local.pop("cls", None)
        for row in range(node.lineno - 1, (node.end_lineno or node.lineno)):
            if row in names and len(names[row]) <= len(local):
                continue  # an inner function's names already
            names[row] = local
    return names


# Names every module has without binding them.
_BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_"))
_MODULE_NAMES = frozenset(dir(builtins)) | {
    "__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__path__",
    "__annotations__", "__builtins__", "__class__", "__dict__", "__qualname__", "__module__",
}  # fmt: skip
# How alike a misspelt name and its correction must be (difflib's ratio: `totl` and `total`
# 0.89, `cardinalize` and `ordinalize` 0.86).
SPELLING_CUTOFF = 0.75
# More names read once and bound nowhere than this, and the file is generated or an excerpt of a
# module whose names are elsewhere: none is taken for a typo (and a hostile file of thousands
# costs no more than this many spelling searches, ~5 ms each against 3,000 names).
MAX_MISSPELT = 10


def misspelt_names(
    tree: ast.AST, local_names: dict[int, dict[str, list[int]]] | None = None
) -> dict[tuple[int, int], tuple[str, list[str]]]:
    """Per (0-based row, UTF-8 offset), a name read there that nothing in the file binds, with the
    names spelt like it that may correct it there (`totl`: `total`; `_corrections`). Only a
    lower-case name read once counts, with corrections that differ by more than case: an
    excerpt's names from the rest of its module (`Match`, `Self`, `wrap_text` read twice) are
    read often or capitalised, a typo once. Every name the file binds anywhere counts as bound
    (no scopes), so a name is never said undefined where it is; none when the file
    star-imports. `local_names` is `_function_names(tree)`, when the caller has it."""
    bound = _bound_names(tree)
    if bound is None:
        return {}
    known = bound | _MODULE_NAMES
    unbound = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in known
    ]
    reads = Counter(node.id for node in unbound)
    once = [node for node in unbound if reads[node.id] == 1 and node.id == node.id.lower()]
    if len(once) > MAX_MISSPELT:
        return {}
    if local_names is None:
        local_names = _function_names(tree)
    found: dict[tuple[int, int], tuple[str, list[str]]] = {}
    for node in once:
        near = _corrections(local_names.get(node.lineno - 1, {}))
        alike = difflib.get_close_matches(node.id, near, n=3, cutoff=SPELLING_CUTOFF)
        alike = [name for name in alike if name.lower() != node.id]
        if alike:
            found[(node.lineno - 1, node.col_offset)] = (node.id, alike)
    return found


def _corrections(local: Iterable[str]) -> list[str]:
    """The names a misspelt name may be corrected to: the locals of its function, `self`,
    `cls` and the built-ins. Not the module's other names: an excerpt's `make_html_tags`
    (defined in the rest of its module) is spelt like its sibling `make_xml_tags`, and both
    models took that for a typo (pyparsing, benchmarks/review); a typo of a local is what people
    write. Searched alone, so a module's closer names cannot crowd a local out."""
    return sorted({*local, *_BUILTIN_NAMES, "self", "cls"})


def undefined(tree: ast.AST, name: str) -> bool:
    """Whether nothing in the file defines `name`: bound in no scope and no built-in; False when
    the file star-imports (it may come from there)."""
    bound = _bound_names(tree)
    return bound is not None and name not in bound and name not in _MODULE_NAMES


def _bound_names(tree: ast.AST) -> set[str] | None:
    """Every name the file binds, in any scope; None when it star-imports (unknowable)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            if node.name == "*":
                return None
            bound.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.update(node.names)
    return bound


def _nearest_first(used: dict[str, list[int]], row: int) -> list[str]:
    return sorted(used, key=lambda name: min(abs(row - at) for at in used[name]))


def _async_rows(tree: ast.AST) -> set[int]:
    rows: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncFunctionDef):
            rows.update(range(node.lineno, (node.end_lineno or node.lineno)))
    return rows


def _block_ends(lines: list[str], row: int) -> bool:
    """Whether the statement on `row` is the last of its block (the next code line is less
    indented, or there is none)."""
    indent = len(lines[row]) - len(lines[row].lstrip())
    for later in lines[row + 1 :]:
        if later.strip() and not later.lstrip().startswith("#"):
            return len(later) - len(later.lstrip()) < indent
    return True


def line_candidates(
    line: str,
    tokens: list[tokenize.TokenInfo],
    local: list[str],
    in_async: bool,
    last_in_block: bool,
    misspelt: dict[int, tuple[str, list[str]]] | None = None,
) -> list[str]:
    """Corrections of the kinds of one-line bugs, most specific first: a misspelt name's
    corrections (`misspelt`: per column, the name there and the names spelt like it) before
    all."""
    words = [t for t in tokens if t.type in (tokenize.NAME, tokenize.OP)]
    strings = [t.string for t in words]
    out = _respellings(line, words, misspelt or {})
    for index, token in enumerate(words):
        start, end = token.start[1], token.end[1]
        following = strings[index + 1] if index + 1 < len(strings) else ""
        previous = strings[index - 1] if index else ""
        if token.type == tokenize.OP and token.string in FLIPS:
            out += [_replace(line, start, end, new) for new in FLIPS[token.string]]
        elif token.string in ("and", "or"):
            out.append(_replace(line, start, end, "or" if token.string == "and" else "and"))
        elif token.string == "is":
            if following == "not":
                out.append(_replace(line, start, words[index + 1].end[1], "is"))
            else:
                out.append(_replace(line, start, end, "is not"))
        elif token.string == "in" and "for" not in strings[:index]:
            if previous == "not":
                out.append(_replace(line, words[index - 1].start[1], end, "in"))
            else:
                out.append(_replace(line, start, end, "not in"))
        elif token.string == "not" and following not in ("in", ""):
            out.append(_replace(line, start, words[index + 1].start[1], ""))
    if strings and strings[0] in CONDITION_KEYWORDS and len(strings) > 1 and strings[1] != "not":
        keyword = words[0]
        colon = line.rstrip().rfind(":")
        condition = line[keyword.end[1] : colon].strip()
        if colon > keyword.end[1] and condition:
            wrapped = f"not ({condition})" if {"and", "or"} & set(strings) else f"not {condition}"
            out.append(f"{line[: keyword.end[1]]} {wrapped}{line[colon:]}")
    stripped = line.strip()
    first = strings[0] if strings else ""
    is_expression = first not in STATEMENT_KEYWORDS and "=" not in strings
    if last_in_block and is_expression and stripped:
        out.append(line[: len(line) - len(line.lstrip())] + "return " + stripped)
    if in_async and "await" not in strings and "(" in strings:
        # `item = self.read()`: the value is awaited, not the target (heldout7's one missed
        # `await` had no candidate: `await item = ...` does not parse)
        target = strings.index("=") + 1 if "=" in strings else int(first in ("return", "yield"))
        if first not in STATEMENT_KEYWORDS or target:
            column = words[target].start[1] if target < len(words) else -1
            if column >= 0 and words[target].type == tokenize.NAME:
                out.append(_replace(line, column, column, "await "))
    for index, token in enumerate(words):
        if token.type != tokenize.NAME or token.string not in local:
            continue
        if index and strings[index - 1] == ".":
            continue  # an attribute, not the local
        following = strings[index + 1] if index + 1 < len(strings) else ""
        if following == "=" or (following == ":" and index == 0):
            continue  # assigned or annotated here
        others = [name for name in local if name != token.string][:NAME_SWAPS]
        out += [_replace(line, token.start[1], token.end[1], other) for other in others]
    return list(dict.fromkeys(c for c in out if c != line))


def _respellings(
    line: str, words: list[tokenize.TokenInfo], misspelt: dict[int, tuple[str, list[str]]]
) -> list[str]:
    out = []
    for token in words:
        name, alike = misspelt.get(token.start[1], ("", []))
        if token.string == name:
            out += [_replace(line, token.start[1], token.end[1], other) for other in alike]
    return out


def row_candidates(text: str, max_per_line: int = MAX_PER_LINE) -> Iterator[tuple[int, list[str]]]:
    """Per 0-based row, in order, corrections that keep the file parsing (at most
    `max_per_line`; rows with none are skipped). Lazy: each row's parse checks run when the
    row is asked for, so a caller can yield to its event loop between rows."""
    try:
        tree = ast.parse(text)
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (*UNPARSABLE, tokenize.TokenError):
        return
    lines = text.split("\n")
    by_row: dict[int, list[tokenize.TokenInfo]] = defaultdict(list)
    for token in tokens:
        if token.start[0] == token.end[0] and token.type in (tokenize.NAME, tokenize.OP):
            by_row[token.start[0] - 1].append(token)
    local_names, async_rows = _function_names(tree), _async_rows(tree)
    misspelt: dict[int, dict[int, tuple[str, list[str]]]] = defaultdict(dict)
    for (row, offset), spelt in misspelt_names(tree, local_names).items():
        column = len(lines[row].encode()[:offset].decode(errors="ignore"))  # ast counts bytes
        misspelt[row][column] = spelt
    for row, row_tokens in sorted(by_row.items()):
        if row_tokens[0].string in ("def", "class", "import", "from", "@") or (
            row_tokens[0].string == "async" and row_tokens[1:2] and row_tokens[1].string == "def"
        ):
            continue  # signatures are not changed (`async def` too: mutants.py missed it)
        proposed = line_candidates(
            lines[row],
            row_tokens,
            _nearest_first(local_names.get(row, {}), row),
            row in async_rows,
            _block_ends(lines, row) and row in local_names,
            misspelt.get(row),
        )
        # Each check parses the file: stop at the ones kept (a line of 3,000 comparisons
        # proposes 6,000 flips, and checking them all held the event loop for half a minute).
        kept = list(islice((c for c in proposed if _parses(lines, row, c)), max_per_line))
        if kept:
            yield row, kept


def candidates(text: str, max_per_line: int = MAX_PER_LINE) -> dict[int, list[str]]:
    """`row_candidates` as a dict."""
    return dict(row_candidates(text, max_per_line))


def _parses(lines: list[str], row: int, replacement: str) -> bool:
    return text_parses("\n".join([*lines[:row], replacement, *lines[row + 1 :]]))


def line_span(snapshot: Snapshot, row: int) -> Span:
    """The code of line `row`, without its indentation and trailing spaces."""
    text = snapshot.lines[row]
    start = len(text) - len(text.lstrip())
    return Span(Position(row, start), Position(row, len(text.rstrip())))


async def scan(
    snapshot: Snapshot,
    scorer: GainScorer,
    *,
    covers: Callable[[ReviewFinding], bool] = lambda _: True,
    skip_rows: Callable[[int], bool] = lambda _: False,
    on_line: Callable[[int, int], None] | None = None,
) -> AsyncGenerator[ReviewFinding, None]:
    """Findings on the lines whose best correction the fill prefers by the margin, in line
    order: `SCAN_MARGIN` nats, or, when the scorer has a second opinion, `CONFIRMED_MARGIN`
    and `SECOND_MARGIN` with the second model. `covers`: whether a finding is on lines this
    review reads; `skip_rows`: rows already reported (asked as each row comes up); `on_line(n,
    lines)`: told as line n (1-based) of the file's `lines` is scored. Stops quietly when the
    backend cannot score."""
    if not is_python(snapshot) or len(snapshot.text) > SCAN_MAX_CHARS:
        return
    second = scorer if isinstance(scorer, SecondOpinion) and scorer.has_second_opinion() else None
    margin = SCAN_MARGIN if second is None else CONFIRMED_MARGIN
    rows = 0
    for row, fixes in row_candidates(snapshot.text):
        await asyncio.sleep(0)  # each row parses the file a few times: let the loop run
        probe = ReviewFinding(line_span(snapshot, row), "error", SCAN_CODE, "")
        if not covers(probe) or skip_rows(row):
            continue
        original = snapshot.lines[row]
        if REDACTED in snapshot.redacted_lines[row] or snapshot.redacted_lines[row] != original:
            continue  # a line with a secret is not shown to a model
        rows += 1
        if rows > SCAN_MAX_ROWS:
            log.info("%s: scanned the first %d lines with candidates", snapshot.uri, SCAN_MAX_ROWS)
            return
        if on_line is not None:
            on_line(row + 1, len(snapshot.lines))
        prefix, suffix, indent = fill_gap(snapshot, row)
        written = original[len(indent) :].rstrip()
        kept = [fix for fix in fixes if fix.startswith(indent) and REDACTED not in fix]
        bodies = [fix[len(indent) :].rstrip() for fix in kept]  # what the fill is scored on
        try:
            near = await _may_win(scorer, prefix, written, bodies)
            if near is None:
                return
            if not near:
                continue
            scored = await scorer.score_against(prefix, suffix, written, bodies, margin)
            if scored is None:
                return
            base, scores = scored
            wins = [(s - base, i) for i, s in enumerate(scores) if s is not None]
            wins = [(gain, i) for gain, i in wins if gain >= margin]
            if wins and second is not None:
                wins = await _confirmed(second, prefix, suffix, written, bodies, wins)
        except ProviderError as error:  # the review itself goes on without the scan
            log.info("%s: fill scan stopped: %s", snapshot.uri, error)
            return
        best = max(wins, default=None, key=lambda pair: pair[0])
        if best is None:
            continue
        fix = LineFix(row, original, kept[best[1]])
        log.debug("%s:%d: scan best %.1f %r", snapshot.uri, row + 1, best[0], fix.corrected)
        message = _message(fix, snapshot.text)
        yield ReviewFinding(probe.span, "error", SCAN_CODE, message, fix.corrected)


def _message(fix: LineFix, text: str) -> str:
    """The fix's change (`verify.fix_message`), saying so when it respells a name nothing in
    the file defines: that part is certain, only the correction is the models'. Another kind
    of fix on the same line (`return` restored before the misspelt name) keeps its message."""
    old, new = changed_parts(fix)
    misspelt = _misspelt_in(text).items()
    if any(at == fix.row and name == old and new in alike for (at, _), (name, alike) in misspelt):
        return f"`{old}` is not defined in this file: probably `{new}`."
    return fix_message(fix)


def _misspelt_in(text: str) -> dict[tuple[int, int], tuple[str, list[str]]]:
    try:
        return misspelt_names(ast.parse(text))
    except UNPARSABLE:
        return {}


async def _may_win(scorer: GainScorer, prefix: str, written: str, bodies: list[str]) -> bool | None:
    """Whether a correction comes within `PREFILTER_MARGIN` of the written line with the prefix
    alone (always, when there is no pre-filter); None when the backend cannot scan."""
    if PREFILTER_MARGIN is None:
        return True
    # One correction near enough decides: the others are not written (`first`).
    scored = await scorer.score_against(prefix, "", written, bodies, PREFILTER_MARGIN, first=True)
    if scored is None:
        return None
    base, scores = scored
    return any(score is not None and score - base >= PREFILTER_MARGIN for score in scores)


async def _confirmed(
    second: SecondOpinion,
    prefix: str,
    suffix: str,
    written: str,
    bodies: list[str],
    wins: list[tuple[float, int]],
) -> list[tuple[float, int]]:
    """The corrections (by index into `bodies`) the second model also prefers by
    `SECOND_MARGIN`, each with the sum of both models' gains (the larger sum is the fix)."""
    gains = await second.second_gains(prefix, suffix, written, [bodies[i] for _, i in wins])
    kept = []
    for (gain, i), other in zip(wins, gains, strict=True):
        log.debug("scan gains %.2f %.2f %r", gain, other, bodies[i])
        if gain >= CONFIRMED_MARGIN and other >= SECOND_MARGIN:
            kept.append((gain + other, i))
    return kept
