"""Review findings: where a model's finding is in the file, and what a review on save can skip.

A document reviewed before is reviewed again only where it changed (with its surroundings);
the earlier findings on the unchanged lines are carried over to their new line numbers. A file
seen for the first time, or changed in more than half of it, is reviewed whole. A change of
comment lines, blank lines or trailing whitespace only is not reviewed again (no model call
when nothing else changed).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from itertools import accumulate

from codex_lsp.engine.cache import BytesLRU, Hunk, diff_hunks, held_bytes
from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.engine.schemas import Finding, Severity
from codex_lsp.engine.tokens import estimate_tokens

CONTEXT_LINES = 12  # around each changed line: about a short function, so the change reads whole
WHOLE_FILE_SHARE = 0.5  # past this share of the file in excerpts, a whole review reads better

Excerpt = tuple[int, int]  # current lines [start, end)

# Whole-line comment markers per LSP language id. Only languages where a line starting with
# the marker is a comment wherever it is (outside a multi-line string): not C's `#` (the
# preprocessor), not a language left out here (its changes are reviewed as code). A trade:
# a line inside a multi-line string that starts with a marker (a `#` line in a docstring or a
# SQL string) is taken for a comment too, so a change to such lines alone is not reviewed.
_HASH = ("#",)
_SLASHES = ("//",)
LINE_COMMENTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("python", "shellscript", "ruby", "perl", "r", "yaml", "toml"), _HASH),
    **dict.fromkeys(
        (
            "c",
            "cpp",
            "csharp",
            "dart",
            "go",
            "java",
            "javascript",
            "javascriptreact",
            "kotlin",
            "rust",
            "scala",
            "swift",
            "typescript",
            "typescriptreact",
        ),
        _SLASHES,
    ),
    "php": ("//", "#"),
}


@dataclass(frozen=True)
class ReviewFinding:
    span: Span
    severity: Severity
    code: str
    message: str
    fix: str | None = None  # the whole line corrected, when verification confirmed the fix


@dataclass(frozen=True)
class Reviewed:
    """A document's text (lines) as last reviewed to the end, and what that review found."""

    lines: tuple[str, ...]
    findings: tuple[ReviewFinding, ...]


@dataclass(frozen=True)
class ReviewPlan:
    """What a review of the current text asks the model: the whole file, some excerpts, or
    nothing (no change since the last review); `carried` are earlier findings that stand."""

    whole_file: bool
    excerpts: tuple[Excerpt, ...] = ()
    carried: tuple[ReviewFinding, ...] = ()

    @property
    def needs_model(self) -> bool:
        return self.whole_file or bool(self.excerpts)

    def covers(self, finding: ReviewFinding) -> bool:
        """Whether a finding is on lines this review reads (or may report)."""
        return self.whole_file or _inside(finding, self.excerpts)


WHOLE_FILE = ReviewPlan(whole_file=True)


FINDING_BYTES = 400  # a ReviewFinding with its span and positions, besides its strings


class ReviewMemory:
    """The last finished review per document URI, bounded by the bytes it holds."""

    def __init__(self, max_bytes: int = 8_000_000) -> None:
        self._reviewed: BytesLRU[Reviewed] = BytesLRU(max_bytes)

    def get(self, uri: str) -> Reviewed | None:
        return self._reviewed.get(uri)

    def remember(self, uri: str, lines: tuple[str, ...], findings: list[ReviewFinding]) -> None:
        texts = tuple(text for f in findings for text in (f.code, f.message, f.fix or ""))
        size = held_bytes(uri, lines, texts) + FINDING_BYTES * len(findings)
        self._reviewed.put(uri, Reviewed(lines, tuple(findings)), size)

    def forget(self, uri: str) -> None:
        self._reviewed.pop(uri)


def plan_review(
    previous: Reviewed | None, lines: tuple[str, ...], budget_tokens: int, language_id: str = ""
) -> ReviewPlan:
    """Review the changes since `previous` when they are a small part of the file and fit the
    budget; otherwise the whole file. Hunks that change no code (`_changes_code`) are not
    reviewed: with nothing else changed, no model call, the earlier findings moved."""
    if previous is None:
        return WHOLE_FILE
    hunks = diff_hunks(previous.lines, lines)
    if not hunks:
        return ReviewPlan(whole_file=False, carried=previous.findings)
    markers = LINE_COMMENTS.get(language_id, ())
    code = [h for h in hunks if _changes_code(h, previous, lines, markers)]
    if not code:
        return ReviewPlan(whole_file=False, carried=_moved_all(previous, hunks))
    excerpts = changed_excerpts(code, len(lines))
    shown = sum(end - start for start, end in excerpts)
    text = "\n".join("\n".join(lines[start:end]) for start, end in excerpts)
    if shown > WHOLE_FILE_SHARE * len(lines) or estimate_tokens(text) > budget_tokens:
        return WHOLE_FILE
    carried = tuple(f for f in _moved_all(previous, hunks) if not _inside(f, excerpts))
    return ReviewPlan(whole_file=False, excerpts=excerpts, carried=carried)


def _changes_code(
    hunk: Hunk, previous: Reviewed, lines: tuple[str, ...], markers: tuple[str, ...]
) -> bool:
    """Whether a hunk changes code a review judges: not when its old and new lines are the same
    once blank lines, whole-line comments and trailing whitespace are left out (indentation
    counts). A hunk on the lines of an earlier finding counts as code: that finding is judged
    again rather than dropped unseen."""
    if any(
        hunk.end > f.span.start.line and hunk.start <= f.span.end.line for f in previous.findings
    ):
        return True
    return _code_lines(previous.lines[hunk.start : hunk.end], markers) != _code_lines(
        lines[hunk.new_start : hunk.new_end], markers
    )


def _code_lines(lines: tuple[str, ...], markers: tuple[str, ...]) -> list[str]:
    return [
        line.rstrip()
        for line in lines
        if line.strip() and not (markers and line.lstrip().startswith(markers))
    ]


def _inside(finding: ReviewFinding, excerpts: tuple[Excerpt, ...]) -> bool:
    # Excerpts are sorted and disjoint: the one that could hold the line is the last to start
    # at or before it.
    line = finding.span.start.line
    index = bisect_right(excerpts, line, key=lambda excerpt: excerpt[0]) - 1
    return index >= 0 and line < excerpts[index][1]


def standing(previous: Reviewed | None, lines: tuple[str, ...]) -> tuple[ReviewFinding, ...]:
    """The earlier findings on lines that did not change since, at their lines now."""
    if previous is None:
        return ()
    return _moved_all(previous, diff_hunks(previous.lines, lines))


def moved_span(old: tuple[str, ...], new: tuple[str, ...], span: Span) -> Span | None:
    """A range of `old` at its place in `new`; None when any of its lines changed (a quick fix
    offered on an older version still fits, or it must not be applied)."""
    probe = ReviewFinding(span, "error", "", "")
    moved = standing(Reviewed(old, (probe,)), new)
    return moved[0].span if moved else None


def _moved_all(previous: Reviewed, hunks: list[Hunk]) -> tuple[ReviewFinding, ...]:
    # Hunks are sorted and apart (a kept line between two), so their ends increase: a finding
    # finds the hunks before it by bisection, and their shift in one lookup.
    ends = [hunk.end for hunk in hunks]
    sizes = ((hunk.new_end - hunk.new_start) - (hunk.end - hunk.start) for hunk in hunks)
    shifts = list(accumulate(sizes, initial=0))
    moved = (_moved(finding, hunks, ends, shifts) for finding in previous.findings)
    return tuple(finding for finding in moved if finding is not None)


def changed_excerpts(
    hunks: list[Hunk], line_count: int, context: int = CONTEXT_LINES
) -> tuple[Excerpt, ...]:
    """Current lines around each hunk (a deletion too: what is left around it may now be
    wrong), overlapping or touching ranges merged."""
    merged: list[Excerpt] = []
    for hunk in hunks:
        start = max(0, hunk.new_start - context)
        end = min(line_count, max(hunk.new_end, hunk.new_start + 1) + context)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _moved(
    finding: ReviewFinding, hunks: list[Hunk], ends: list[int], shifts: list[int]
) -> ReviewFinding | None:
    """The finding at its lines in the new text; None when a hunk changed any of its lines or
    inserted lines among them."""
    first, last = finding.span.start.line, finding.span.end.line
    before = bisect_right(ends, first)  # the hunks that end at or before its first line
    if before < len(hunks) and hunks[before].start <= last:
        return None
    shift = shifts[before]
    span = Span(
        Position(first + shift, finding.span.start.character),
        Position(last + shift, finding.span.end.character),
    )
    return replace(finding, span=span)


def locate_finding(snapshot: Snapshot, finding: Finding) -> ReviewFinding | None:
    """Map a 1-based line and a snippet to a precise range.

    The snippet must really be in the file near the reported line (exactly, or ignoring
    whitespace); a finding whose code cannot be found is dropped: small models in particular
    invent snippets, and a diagnostic on the wrong code is worse than none.
    """
    line = finding.line - 1
    snippet = finding.snippet.strip()
    if not snippet or line < 0 or line >= len(snapshot.lines):
        return None
    candidates = [
        c for c in (line, line - 1, line + 1, line - 2, line + 2) if 0 <= c < len(snapshot.lines)
    ]
    span = _exact_span(snapshot, candidates, snippet) or _loose_span(snapshot, candidates, snippet)
    if span is None:
        return None
    return ReviewFinding(span, finding.severity, _short_code(finding.code), finding.message)


def _exact_span(snapshot: Snapshot, candidates: list[int], snippet: str) -> Span | None:
    for candidate in candidates:
        column = snapshot.lines[candidate].find(snippet)
        if column >= 0:
            return Span(Position(candidate, column), Position(candidate, column + len(snippet)))
    return None


def _loose_span(snapshot: Snapshot, candidates: list[int], snippet: str) -> Span | None:
    """The whole (trimmed) line that holds the snippet when whitespace is ignored."""
    squeezed = "".join(snippet.split())
    for candidate in candidates:
        text = snapshot.lines[candidate]
        if squeezed and squeezed in "".join(text.split()):
            start = len(text) - len(text.lstrip())
            return Span(Position(candidate, start), Position(candidate, len(text.rstrip())))
    return None


def _short_code(code: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")
    return cleaned[:40] or "ai-review"
