"""Cache-aware prompt layout: most stable text first, the task last.

Order: instructions (+ schema, sent by the provider) < workspace context in a stable order <
the document < the task. In the shared layout every feature sends the same instructions and
schema and shows the document as the same numbered snapshot (head, then the region last shown
to a completion), so a review or a rewrite reads the prefix a completion cached, and the
reverse; only the task at the end differs. For completions the text AFTER the cursor comes
before the text before it: typing only appends to the end of the latter, so each keystroke's
prompt extends the previous one and the provider's prefix cache keeps hitting. The per-feature
prompts remain for the naive layout (the baseline) and the embedded models (their reviewer and
completer are different models, which share no cache).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

from pydantic import BaseModel

from codex_lsp.engine.cache import Anchor, Hunk
from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.engine.schemas import (
    CompletionAnswer,
    EditorAnswer,
    ReviewAnswer,
    RewriteAnswer,
    bare_schema,
    strict_schema,
)
from codex_lsp.engine.secrets import redact, uri_path
from codex_lsp.engine.tokens import EXACT_LIMIT, estimate_tokens
from codex_lsp.providers.base import Infill, ModelRequest, PromptPart

COMPLETION_INSTRUCTIONS = """\
You are a code completion engine inside an editor. You may see a snapshot of the file taken
a little earlier and the edits made since (snapshot line numbers), then the CURRENT text
around the cursor in two pieces: first the code AFTER the cursor, then the code BEFORE the
cursor, which ends exactly at the cursor. The current text is authoritative. Suggest the
text to insert at the cursor: continue the current line and, when natural, the next few lines
of the block. Never repeat text that is already before the cursor, never include text that
already follows the cursor, match the file's indentation and style.
Answer with JSON: {"suggestions": [{"insert_text": "..."}]}, best suggestion first,
at most 3, no explanations. An empty list is fine when nothing sensible fits."""

REVIEW_INSTRUCTIONS = """\
You are a meticulous code reviewer. Find real bugs in the file: wrong logic, inverted
conditions, off-by-one errors, undefined names, wrong operators, missing returns, misuse of
APIs, resource leaks, security problems. Do not report style, naming, formatting, missing
docstrings or type hints, or anything you are not sure is wrong. Correct code gets an empty
list. Each finding gives the line number as numbered in the file (the number before "|"),
the exact code snippet from that line that is wrong, a severity (error for definite bugs,
warning for likely bugs), a short kebab-case code and one sentence explaining the problem.
Answer with JSON: {"findings": [...]}."""

REWRITE_INSTRUCTIONS = """\
You are a careful code editor. You get a file with numbered lines and a request to change one
region (a range of lines). Return the complete new text of that region only: every line of
the region as it should read afterwards, keeping the indentation of the surrounding code and
changing nothing that the request does not need. Do not include the line numbers. Answer with
JSON: {"rewrites": [{"replacement": "...", "explanation": "..."}]} with exactly one rewrite."""

SHARED_INSTRUCTIONS = """\
You are the AI assistant of a code editor. A request shows a file as a snapshot (whole or in
parts; lines not shown exist) with numbered lines "N| code" (the number and "| " are not code),
then one task: completion, review or rewrite. Answer with JSON {"answer": [...]}: the list the
task asks for, of suggestions, of findings or of one rewrite.

completion: you get the edits since the snapshot, then the CURRENT text around the cursor: the
code AFTER the cursor, then the code BEFORE it, which ends at the cursor, where the request
ends; it is authoritative.
Each suggestion {"insert_text"} is what to insert at the cursor: the rest of the line and, when
natural, the next lines of the block; never text already before or after the cursor; match
the file's indentation and style. At most 3, best first; none is fine.

review: report only real bugs in the lines the task names: wrong logic, inverted conditions,
off-by-one, undefined names, wrong operators, missing returns, API misuse, leaks, security. Not
style, naming, formatting, docs or types, nor anything you are not sure of. Each finding:
"line" (as numbered), "snippet" (the exact wrong code on that line), "fix" (the snippet
corrected), "severity" (error: definite, warning: likely), "code" (short kebab-case), "message"
(one sentence).

rewrite: exactly one {"replacement", "explanation"}: the complete new text of the region the
task names, every line, without line numbers, keeping the surrounding indentation and changing
nothing the request does not need; the explanation in one sentence."""

SHARED_SCHEMA = "editor"  # one name for every feature: providers render it into the prompt


@cache
def fixed_tokens(shared: bool) -> int:
    """The completion prompt's instructions and answer schema: the start of every request
    (the provider sends the schema too), sent whatever the file."""
    instructions, answer = (
        (SHARED_INSTRUCTIONS, EditorAnswer)
        if shared
        else (COMPLETION_INSTRUCTIONS, CompletionAnswer)
    )
    schema = bare_schema(answer) if shared else strict_schema(answer)
    return estimate_tokens(instructions) + estimate_tokens(json.dumps(schema))


WORKSPACE_SHARE = 0.25  # of the context budget, at most, for other open files


@dataclass(frozen=True)
class WorkspaceFile:
    """Another open document. `redacted` is its text redacted as a whole, attached by the
    assistant from its per-version cache; without it the prompt redacts the text itself."""

    uri: str
    text: str
    redacted: str | None = None

    def shown_text(self) -> str:
        return redact(self.text) if self.redacted is None else self.redacted


@dataclass(frozen=True)
class _Task:
    """What a feature's own prompt starts with (the naive layout, the embedded models)."""

    feature: str
    instructions: str
    schema_name: str
    answer: type[BaseModel]


COMPLETION = _Task("completion", COMPLETION_INSTRUCTIONS, "completion", CompletionAnswer)
REVIEW = _Task("diagnostics", REVIEW_INSTRUCTIONS, "review", ReviewAnswer)
REWRITE = _Task("code_action", REWRITE_INSTRUCTIONS, "rewrite", RewriteAnswer)


def _request(
    task: _Task,
    parts: tuple[PromptPart, ...],
    snapshot: Snapshot,
    max_output_tokens: int,
    reasoning_effort: str | None,
    shared: bool = False,
) -> ModelRequest:
    instructions, schema_name, schema = (
        task.instructions,
        task.schema_name,
        strict_schema(task.answer),
    )
    if shared:  # the instructions describe the fields: no descriptions in the schema
        instructions, schema_name = SHARED_INSTRUCTIONS, SHARED_SCHEMA
        schema = bare_schema(EditorAnswer)
    return ModelRequest(
        feature=task.feature,
        instructions=instructions,
        parts=parts,
        schema_name=schema_name,
        json_schema=schema,
        max_output_tokens=max_output_tokens,
        reasoning_effort=reasoning_effort,
        prompt_cache_key=cache_key(snapshot.uri),
    )


def cache_key(uri: str) -> str:
    """Routes a document's requests together without revealing its path."""
    return "codex-lsp-" + hashlib.sha256(uri.encode()).hexdigest()[:24]


def _display_path(uri: str) -> str:
    # Only the file name and its parent: enough for the model, and no home directory names.
    parts = uri_path(uri).rstrip("/").split("/")
    return "/".join(parts[-2:])


def _workspace_part(files: list[WorkspaceFile], budget_tokens: int) -> str:
    chunks: list[str] = []
    used = 0
    for item in sorted(files, key=lambda f: f.uri):  # stable order keeps the prefix cacheable
        body = f"### {_display_path(item.uri)}\n{item.shown_text()}\n"
        cost = estimate_tokens(body)
        if used + cost > budget_tokens:
            continue
        chunks.append(body)
        used += cost
    if not chunks:
        return ""
    return "Other open files in the workspace:\n" + "".join(chunks) + "\n"


def numbered(text: str, first_line: int = 1) -> str:
    return "\n".join(f"{n}| {line}" for n, line in enumerate(text.split("\n"), first_line))


def _trim_head(text: str, budget_tokens: int, quantum_lines: int = 64) -> str:
    """Drop whole blocks of lines from the start, in fixed steps, so the trimmed text stays
    identical across keystrokes until the next step is crossed."""
    if estimate_tokens(text) <= budget_tokens:
        return text
    lines = text.split("\n")
    costs = _line_costs(lines)
    total, start = sum(costs), 0
    while start < len(lines) - 1 and total > budget_tokens:
        total -= sum(costs[start : start + quantum_lines])
        start += quantum_lines
    return "\n".join(lines[min(start, len(lines) - 1) :])


def _trim_tail(text: str, budget_tokens: int, quantum_lines: int = 64) -> str:
    if estimate_tokens(text) <= budget_tokens:
        return text
    lines = text.split("\n")
    costs = _line_costs(lines)
    total, end = sum(costs), len(lines)
    while end > 1 and total > budget_tokens:
        total -= sum(costs[max(end - quantum_lines, 0) : end])
        end -= quantum_lines
    return "\n".join(lines[: max(end, 1)])


def _line_costs(lines: list[str]) -> list[int]:
    """Each line's tokens with its line break: counted once, so trimming stays linear (the
    sum is within a token or two per line of the joined text's count)."""
    if sum(len(line) + 1 for line in lines) > EXACT_LIMIT:
        return [(len(line) * 10 + 45) // 36 for line in lines]  # the estimate, line by line
    return [estimate_tokens(line + "\n") for line in lines]


# Lines before the cursor shown as current text, at least (up to twice that), and after it.
# Most of a window is cached while the user types at the cursor, but all of it is uncached
# after a jump to another place, and a small or middle-sized file's prompt shows no other
# text near the cursor. 16 and 8 (until session 8) made completion prompts 3-4% larger, their
# cached share 1-2 points lower and the cost against the naive layout 0.011-0.024x higher than
# 12 and 4 (offline proxy, o200k, tune histories): the model now sees 12-24 current lines
# before the cursor, not 16-32, and 4 after it, not 8.
COMPLETION_WINDOW_BEFORE = 12
COMPLETION_WINDOW_AFTER = 4
MIN_WINDOW_LINES = 8  # the window's start moves in steps of `before` lines, at least this many
REGION_QUANTUM = 32  # snapshot head and region blocks are whole multiples of this many lines
SNAPSHOT_SHARE = 0.6  # of the completion budget; the rest: instructions, window, edits, files
WINDOW_ALLOWANCE = 512  # of the completion budget kept from the snapshot for window and edits
HEAD_SHARE = 0.4  # of the snapshot: the file's first lines, the same wherever the cursor is


@dataclass(frozen=True)
class CompletionLayout:
    """What the cache-aware completion prompt shows: a snapshot, its diff, the cursor region."""

    anchor: Anchor | None  # None: the naive whole-file layout
    edits: str = ""  # rendered from the redacted lines of the anchor and the current text
    region: tuple[int, int] | None = None  # anchor lines after the head; None: computed
    head: int | None = None  # anchor lines [0, head) always shown; None: computed
    window: tuple[int, int] | None = None  # current lines shown verbatim; None: computed
    shared: bool = False  # the shared layout: numbered snapshot, every feature's instructions


def completion_window(
    line_count: int,
    cursor_line: int,
    before: int = COMPLETION_WINDOW_BEFORE,
    after: int = COMPLETION_WINDOW_AFTER,
) -> tuple[int, int]:
    """Current lines [start, end) shown verbatim around the cursor: `before` to twice that
    before it, `after` after it.

    Both edges keep their text while the user types at the cursor: the start is a fixed line
    (quantized, and lines are only added below it), the end a fixed number of lines after the
    cursor (a new line at the cursor moves both down together). The text after the cursor
    precedes the text before it in the prompt, so any change there would be a cache miss.
    """
    quantum = max(MIN_WINDOW_LINES, before)
    start = max(0, (cursor_line - before) // quantum * quantum)
    return start, min(line_count, cursor_line + after + 1)


def snapshot_head(
    anchor: Anchor, budget_tokens: int, head_only: bool = False, min_tokens: int = 0
) -> int:
    """Lines [0, head) of the snapshot shown wherever the cursor is (all of a file that fits):
    imports and module-level names matter everywhere, and a prefix that does not follow the
    cursor stays cached when the cursor jumps. `head_only`: the whole budget is head (a small
    file's small budget: a region of a block or two would move at every other pause).
    `min_tokens`: at least this much head (within the budget), so that the instructions and
    the head alone pass the provider's caching minimum (1024 tokens): below it, a prompt for
    another region of the file shares no cached token with the last one."""
    total = len(anchor.lines)
    if anchor.tokens <= budget_tokens:
        return total
    share = 1.0 if head_only else HEAD_SHARE
    lines = int(budget_tokens * share) * total // max(anchor.tokens, 1)
    head = lines // REGION_QUANTUM * REGION_QUANTUM
    least = min(min_tokens, budget_tokens)
    if least > 0:  # a file's first lines (imports, a docstring) are sparser than its average
        while head < total and estimate_tokens("\n".join(anchor.redacted_lines[:head])) < least:
            head += REGION_QUANTUM
    return min(head, total)


def snapshot_lines(
    anchor: Anchor,
    cursor_line: int,
    budget_tokens: int,
    previous: tuple[int, int] | None = None,
    head_only: bool = False,
    min_head_tokens: int = 0,
) -> tuple[int, tuple[int, int]]:
    """The snapshot's head (`snapshot_head`, counted once) and the anchor lines [first, end)
    shown after it: two blocks around the cursor sized to the rest of the budget at the file's
    own density (empty when the head is the whole file).

    The shown text is a cached prefix, so it changes as rarely as it can: the `previous`
    region is kept while the cursor stays a quarter block inside it, and a new one is a fixed
    pair of blocks with the cursor at least half a block from its edges.
    """
    total = len(anchor.lines)
    head = snapshot_head(anchor, budget_tokens, head_only, min_head_tokens)
    if head >= total or head_only:
        return head, (total, total)
    head_tokens = max(int(budget_tokens * HEAD_SHARE), head * anchor.tokens // max(total, 1))
    region_tokens = max(0, budget_tokens - head_tokens)
    lines_that_fit = region_tokens * total // max(anchor.tokens, 1)
    block = max(REGION_QUANTUM, lines_that_fit // 2 // REGION_QUANTUM * REGION_QUANTUM)
    if previous is not None and _keeps_cursor(previous, cursor_line, head, total, block // 4):
        return head, (previous[0], min(total, previous[1]))
    first = head + max(0, cursor_line - head - block // 2) // block * block
    return head, (first, min(total, first + 2 * block))


def _keeps_cursor(
    region: tuple[int, int], cursor_line: int, head: int, total: int, margin: int
) -> bool:
    first, end = region
    top_ok = first <= head or cursor_line >= first + margin
    bottom_ok = end >= total or cursor_line < end - margin
    return head <= first < total and top_ok and bottom_ok


def edits_shown(
    hunks: list[Hunk], region: tuple[int, int], window: tuple[int, int], head: int = 0
) -> list[Hunk]:
    """Hunks inside the snapshot's head or region (anchor lines) that the window (current
    lines, which shows the current text) does not already show."""
    first, end = region
    start, stop = window
    return [
        h
        for h in hunks
        if (h.new_end <= start or h.new_start >= stop)
        and (h.start <= head or (h.end >= first and h.start <= end))
    ]


def _snapshot_part(
    anchor: Anchor, lines: tuple[int, int], budget_tokens: int, number: bool = False
) -> tuple[str, tuple[int, int]]:
    """The snapshot's lines [first, end) as a tagged block (trimmed to the budget, counted
    before numbering so that numbering never moves a cut), and the lines it holds."""
    first, end = lines
    if first >= end:
        return "", (first, first)
    body = _trim_tail("\n".join(anchor.redacted_lines[first:end]), budget_tokens, REGION_QUANTUM)
    last = first + body.count("\n") + 1  # the tail may have been trimmed
    if number:  # the numbers say which lines these are: a label would repeat them, first
        return f"<snapshot>\n{numbered(body, first + 1)}\n</snapshot>\n", (first, last)
    whole = (first, last) == (0, len(anchor.lines))
    label = "<snapshot>" if whole else f"<snapshot lines {first + 1}-{last}>"
    return f"{label}\n{body}\n</snapshot>\n", (first, last)


@dataclass(frozen=True)
class DocumentPrefix:
    """The start every prompt of a document shares in the shared layout: the workspace and
    file header, then the numbered snapshot's head and region; `lines`: the snapshot lines
    those show ([first, end) ranges). `current`: the snapshot is the current text (its lines
    stand for the current ones); else it was taken before the latest edits."""

    header: str
    top: str
    middle: str
    lines: tuple[tuple[int, int], ...]
    current: bool = True

    @property
    def current_lines(self) -> tuple[tuple[int, int], ...]:
        """The current lines this prefix shows as they are."""
        return self.lines if self.current else ()

    def parts(self) -> tuple[PromptPart, ...]:
        return (
            PromptPart(self.header),
            PromptPart(self.top, breakpoint=bool(self.top)),
            PromptPart(self.middle, breakpoint=bool(self.middle)),
        )


def document_prefix(
    snapshot: Snapshot, workspace: list[WorkspaceFile], layout: CompletionLayout, budget: int
) -> DocumentPrefix:
    """The shared start of a document's prompts; `budget`: the completion prompt's
    `max_context_tokens`, which sized the layout's head and region."""
    files = file_budget(budget, naive=False, shared=layout.shared)
    return _prefix(layout, *_context(snapshot, workspace, files))


def _context(snapshot: Snapshot, workspace: list[WorkspaceFile], budget: int) -> tuple[str, int]:
    """What a prompt shows before the document (the other open files and the file's header),
    and what it leaves of `budget` for the document."""
    ws = _workspace_part(workspace, int(budget * WORKSPACE_SHARE))
    return ws + _file_header(snapshot), budget - estimate_tokens(ws)


def _file_header(snapshot: Snapshot) -> str:
    return f"File: {_display_path(snapshot.uri)} ({snapshot.language_id or 'text'})\n"


def _prefix(
    layout: CompletionLayout, header: str, budget: int, window_tokens: int = 0
) -> DocumentPrefix:
    """The document prefix within `budget` (what the file may take of a completion prompt).
    `window_tokens`: what a completion's window and edits take, when more than the allowance
    (long lines)."""
    assert layout.anchor is not None and layout.head is not None and layout.region is not None
    top, head_lines = _snapshot_part(
        layout.anchor, (0, layout.head), int(budget * SNAPSHOT_SHARE), layout.shared
    )
    # The region's room does not depend on the cursor's window, which differs per request and
    # feature: then every feature's prompt shows the same region text.
    head_tokens = estimate_tokens("\n".join(layout.anchor.redacted_lines[: head_lines[1]]))
    room = budget - head_tokens - max(WINDOW_ALLOWANCE, window_tokens)
    middle, region_lines = _snapshot_part(layout.anchor, layout.region, room, layout.shared)
    shown = tuple(lines for lines in (head_lines, region_lines) if lines[0] < lines[1])
    return DocumentPrefix(header, top, middle, shown)


def file_budget(max_context_tokens: int, *, naive: bool, shared: bool) -> int:
    """What a completion prompt of `max_context_tokens` leaves for the file and the other open
    files: less its instructions (and schema) and a margin. Also the fill-in-the-middle budget."""
    fixed = estimate_tokens(COMPLETION_INSTRUCTIONS) if naive else fixed_tokens(shared)
    return max_context_tokens - fixed - 64


def completion_request(
    snapshot: Snapshot,
    cursor: Position,
    workspace: list[WorkspaceFile],
    layout: CompletionLayout,
    *,
    max_context_tokens: int,
    max_output_tokens: int = 256,
    reasoning_effort: str | None = "low",
) -> ModelRequest:
    budget = file_budget(max_context_tokens, naive=layout.anchor is None, shared=layout.shared)
    if layout.anchor is None:
        parts = _naive_parts(snapshot, cursor, *_context(snapshot, workspace, budget))
    else:
        parts = _layout_parts(snapshot, cursor, workspace, layout, budget)
    request = _request(
        COMPLETION, parts, snapshot, max_output_tokens, reasoning_effort, layout.shared
    )
    return replace(request, infill=infill(snapshot, cursor, budget, naive=layout.anchor is None))


def _resolved(layout: CompletionLayout, cursor: Position, share: int) -> CompletionLayout:
    """The layout with its head and region computed where the caller left them to the prompt."""
    assert layout.anchor is not None
    if layout.region is not None and layout.head is not None:
        return layout
    head, region = snapshot_lines(layout.anchor, cursor.line, share)  # the head counted once
    return replace(
        layout,
        region=region if layout.region is None else layout.region,
        head=head if layout.head is None else layout.head,
    )


# Measured (benchmarks/LOCAL.md, 2026-12-07): a new place costs reading the window before the
# cursor (~15 ms a token on 2 cores): 32-63 lines there made its first pause 5-6 s. 16-31
# lines after the enclosing `def`/`class` lines (a few tokens: the function's parameters),
# with the file's first 64 lines as an extra chunk (read once, then cached wherever the cursor
# is below them), make it ~3.3 s with suggestions as good (benchmarks/local_quality.py);
# 8-15 lines make it 1.8 s, but the suggestions were worse (similarity -0.053 +- 0.021).
# No line after the cursor's, only its rest: the suffix follows the prefix in a FIM prompt, so
# every pause re-read it (~20 tokens, 0.3-0.4 s of a 0.7 s pause), and the 0.5B wrote better
# lines without it (local_quality, 2026-12-07: tune similarity 0.456 -> 0.598, held-out 0.566
# -> 0.617; 1 line: 0.545 / 0.523). Suffix-first order (SPM) would keep it cached, but
# Qwen2.5-Coder was not trained on it (similarity 0.11 on tune).
INFILL_BEFORE = 16  # lines before the cursor, at least (a fixed start, in steps of this many)
INFILL_SUFFIX_LINES = 0  # lines after the cursor's line (see above)
INFILL_BLOCK_NEWLINES = 5  # on an empty line, a suggestion may be a few lines of a block
INFILL_HEAD_LINES = 64  # the file's first lines as an extra chunk before the window (0: none)
INFILL_HEAD_TOKENS = 768  # at most (trimmed at its end in 8-line steps)
INFILL_SCOPE = True  # the `def` and `class` lines enclosing the window, before it
INFILL_GAP = "# ...\n"  # where lines are left out between those and the window
# The short window each cache-aware fill carries (`Infill.short`): the embedded model answers
# from it at a new place while it reads the wider one (providers/infill_lane.py); 0: none.
INFILL_SHORT_BEFORE = 8


def infill(snapshot: Snapshot, cursor: Position, budget: int, *, naive: bool = False) -> Infill:
    """Fill-in-the-middle pieces. Cache-aware: the window before the cursor (a fixed start, so
    typing only extends it; with `INFILL_SCOPE`, after the lines that open its function and
    class) and the rest of the cursor's line as the suffix (`INFILL_SUFFIX_LINES` more), because
    a FIM prompt puts the suffix after the prefix and re-reads it at every keystroke; with
    `INFILL_HEAD_LINES`, the file's head as an extra chunk, read before all of them; with
    `INFILL_SHORT_BEFORE`, the same with a shorter window as `short`. Naive: the whole file
    around the cursor."""
    newlines = _infill_newlines(snapshot.lines[cursor.line], cursor.character)
    if naive:
        return Infill(*_whole_file_around(snapshot, cursor, budget), newlines)
    pieces = _infill_window(snapshot, cursor, budget, newlines, INFILL_BEFORE)
    if 0 < INFILL_SHORT_BEFORE < INFILL_BEFORE:
        short = _infill_window(snapshot, cursor, budget, newlines, INFILL_SHORT_BEFORE)
        if short.prefix != pieces.prefix:
            return replace(pieces, short=short)
    return pieces


def _infill_window(
    snapshot: Snapshot, cursor: Position, budget: int, newlines: int, lines_before: int
) -> Infill:
    start, _ = completion_window(len(snapshot.lines), cursor.line, lines_before)
    end_line = min(len(snapshot.lines) - 1, cursor.line + INFILL_SUFFIX_LINES)
    end = Position(end_line, len(snapshot.lines[end_line]))
    before = snapshot.redacted_in(Span(Position(start, 0), cursor))
    after = snapshot.redacted_in(Span(cursor, end))
    if INFILL_SCOPE:
        before = _infill_scope(snapshot, start) + before
    head = _infill_head(snapshot, start)
    if not head:
        return Infill(_trim_head(before, budget), after, newlines)
    prefix = _trim_head(before, budget - estimate_tokens(head))
    return Infill(prefix, after, newlines, ((_display_path(snapshot.uri), head),))


def _infill_scope(snapshot: Snapshot, window_start: int) -> str:
    """The `def` and `class` lines enclosing the window's first line, above it, with a gap
    marker where lines are left out: a short window still knows its function's parameters."""
    lines = snapshot.redacted_lines
    found: list[int] = []
    indent = _indent(lines[window_start]) if window_start < len(lines) else 0
    for n in range(window_start - 1, -1, -1):
        if indent == 0:
            break
        line = lines[n]
        if not line.strip() or _indent(line) >= indent:
            continue
        indent = _indent(line)
        if line.lstrip().startswith(("def ", "async def ", "class ")):
            found.append(n)
    if not found:
        return ""
    found.reverse()
    shown = []
    for n, after in zip(found, [*found[1:], window_start], strict=True):
        shown.append(lines[n] + "\n")
        if after != n + 1:
            shown.append(" " * (_indent(lines[n]) + 4) + INFILL_GAP)
    return "".join(shown)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _infill_head(snapshot: Snapshot, window_start: int) -> str:
    """The file's first `INFILL_HEAD_LINES` lines (imports, module names), ending with a line
    break, when the window starts after them; else nothing (the window shows them). The same
    wherever the cursor is below them, so llama.cpp keeps it in its cache."""
    if INFILL_HEAD_LINES <= 0 or window_start < INFILL_HEAD_LINES:
        return ""
    head = "\n".join(snapshot.redacted_lines[:INFILL_HEAD_LINES])
    return _trim_tail(head, INFILL_HEAD_TOKENS, quantum_lines=8) + "\n"


def _infill_newlines(line: str, column: int) -> int:
    """Inside a line: its rest. At the end of a line: the next line. On an empty line: a block."""
    if line[column:].strip():
        return 0
    return 1 if line[:column].strip() else INFILL_BLOCK_NEWLINES


# The shared layout's completion task, before the edits and the window: what follows the text
# before the cursor at a prompt's end is never cached (that text grows at every keystroke), so
# the prompt ends at the cursor, and the task sits where the previous completion had it too.
SHARED_COMPLETION_TASK = "Task: completion (answer: suggestions).\n"


def _cursor_task(before: str) -> str:
    """The naive and feature-own completion prompt's end, after the text before the cursor."""
    current_line = before.rsplit("\n", 1)[-1]  # already redacted
    return (
        "\n</code_before_cursor>\nThe cursor is at the end of code_before_cursor, "
        f"after {current_line.strip()[-80:]!r}. Suggest the insertion."
    )


def _layout_parts(
    snapshot: Snapshot,
    cursor: Position,
    workspace: list[WorkspaceFile],
    layout: CompletionLayout,
    budget: int,
) -> tuple[PromptPart, ...]:
    """`budget`: what the file and the other open files may take (`file_budget`)."""
    header, budget = _context(snapshot, workspace, budget)
    layout = _resolved(layout, cursor, int(budget * SNAPSHOT_SHARE))
    start, end = layout.window or completion_window(len(snapshot.lines), cursor.line)
    window_top = Position(start, 0)
    window_end = snapshot.clamp(end - 1, len(snapshot.lines[min(end, len(snapshot.lines)) - 1]))
    before = snapshot.redacted_in(Span(window_top, cursor))
    after = snapshot.redacted_in(Span(cursor, window_end))
    if estimate_tokens(before) + estimate_tokens(after) > budget - 64:
        # Long lines made the window alone outgrow the budget: keep the lines nearest the cursor.
        after = _trim_tail(after, max(budget // 4, 128), 1)
        before = _trim_head(before, max(budget - estimate_tokens(after) - 64, 256), 1)
    window_tokens = estimate_tokens(before) + estimate_tokens(after)
    edits = f"<edits_since_snapshot>\n{layout.edits}</edits_since_snapshot>\n"
    used = window_tokens + estimate_tokens(edits)
    prefix = _prefix(layout, header, budget, used)
    if budget - used < 256:  # a small model's budget: the cursor region is what matters
        prefix, edits = replace(prefix, top="", middle=""), ""
    if layout.shared:  # the prompt ends at the cursor (`SHARED_COMPLETION_TASK`)
        return (
            *prefix.parts(),
            PromptPart(SHARED_COMPLETION_TASK),
            PromptPart(edits, breakpoint=bool(edits)),
            PromptPart("<code_after_cursor>\n" + after + "\n</code_after_cursor>\n"),
            PromptPart("<code_before_cursor>\n" + before, breakpoint=True),
        )
    return (
        *prefix.parts(),
        PromptPart(edits, breakpoint=bool(edits)),
        PromptPart("<code_after_cursor>\n" + after + "\n</code_after_cursor>\n"),
        PromptPart("<code_before_cursor>\n" + before, breakpoint=True),
        PromptPart(_cursor_task(before)),
    )


def _naive_parts(
    snapshot: Snapshot, cursor: Position, head: str, budget: int
) -> tuple[PromptPart, ...]:
    """The whole file with the cursor marked, as simple AI plugins send it (for comparison)."""
    before, after = _whole_file_around(snapshot, cursor, budget)
    return (
        PromptPart(head),
        PromptPart("<code_before_cursor>\n" + before + "\n</code_before_cursor>\n"),
        PromptPart("<code_after_cursor>\n" + after + "\n</code_after_cursor>\n"),
        PromptPart(
            "The cursor is between code_before_cursor and code_after_cursor. Suggest the insertion."
        ),
    )


def _whole_file_around(snapshot: Snapshot, cursor: Position, budget: int) -> tuple[str, str]:
    """The text before and after the cursor within the budget: a third at most after it."""
    before, after = snapshot.redacted_split_at(cursor)
    after = _trim_tail(after, budget // 3)
    return _trim_head(before, budget - estimate_tokens(after)), after


def _document_part(snapshot: Snapshot, budget_tokens: int) -> str:
    body = numbered(snapshot.redacted_text())
    body = _trim_tail(body, budget_tokens)
    header = _file_header(snapshot)
    return header + "<file>\n" + body + "\n</file>\n"


def _excerpt_part(snapshot: Snapshot, region: Span, budget_tokens: int) -> str:
    """The numbered lines around a region, as many as the budget holds (the whole file if it
    fits): a rewrite needs its surroundings, not code hundreds of lines away."""
    lines = list(snapshot.redacted_lines)
    start, end = _surroundings(lines, region, budget_tokens)
    header = _file_header(snapshot)
    tag = "<file>" if (start, end) == (0, len(lines)) else f"<file lines {start + 1}-{end}>"
    body = numbered("\n".join(lines[start:end]), start + 1)
    return f"{header}{tag}\n{body}\n</file>\n"


def _surroundings(lines: list[str], region: Span, budget_tokens: int) -> tuple[int, int]:
    """Lines [start, end) around the region's lines, as many as the budget holds numbered."""
    first, last = region.start.line, region.end.line + 1  # lines [first, last) are rewritten
    start, end = _lines_around(first, last, len(lines), budget_tokens, _numbered_tokens(lines))
    while (start < first or end > last) and _numbered_tokens(lines, start, end) > budget_tokens:
        step = max(1, (end - start) // 16)
        if first - start >= end - last:  # trim the side with more context left
            start = min(first, start + step)
        else:
            end = max(last, end - step)
    return start, end


def _lines_around(first: int, last: int, total: int, budget: int, tokens: int) -> tuple[int, int]:
    """A first guess at lines [start, end) around [first, last) that fit, at the file's density."""
    fit = budget * total // max(tokens, 1)
    spare = max(0, fit - (last - first))
    start = max(0, first - spare // 2)
    end = min(total, last + spare - (first - start))
    return max(0, min(start, end - fit)), end


def _numbered_tokens(lines: Sequence[str], start: int = 0, end: int | None = None) -> int:
    return estimate_tokens(numbered("\n".join(lines[start:end]), start + 1))


def review_request(
    snapshot: Snapshot,
    workspace: list[WorkspaceFile],
    *,
    excerpts: tuple[tuple[int, int], ...] | None = None,
    changes_only: bool = True,
    max_context_tokens: int,
    max_output_tokens: int = 2048,
    reasoning_effort: str | None = "low",
) -> ModelRequest:
    """The whole numbered file, or only `excerpts` (current lines [start, end)): the parts
    changed since the file's last review, or (`changes_only=False`) one part of a file too
    long for one prompt."""
    ws, budget = _review_context(workspace, max_context_tokens)
    if excerpts is None:
        document = _document_part(snapshot, budget - estimate_tokens(ws))
        task = "Review the file above and report its bugs."
    else:
        document = _excerpts_part(snapshot, excerpts)
        task = (CHANGES_TASK if changes_only else PART_TASK).format(lines=len(snapshot.lines))
    parts = (
        PromptPart(ws),
        # An excerpt is read once: a breakpoint there would only pay for a cache write.
        PromptPart(document, breakpoint=excerpts is None),
        PromptPart(task),
    )
    return _request(REVIEW, parts, snapshot, max_output_tokens, reasoning_effort)


def _review_context(workspace: list[WorkspaceFile], max_context_tokens: int) -> tuple[str, int]:
    """The other open files' part of a review prompt, and the budget it and the code share."""
    budget = max_context_tokens - estimate_tokens(REVIEW_INSTRUCTIONS) - 64
    return _workspace_part(workspace, int(budget * WORKSPACE_SHARE)), budget


CHANGES_TASK = (
    "Only the parts of the file changed since its last review are shown, with their "
    "surroundings; the code not shown exists and may define names used here. Review the lines "
    "shown and report their bugs."
)
PART_TASK = (
    "The file has {lines} lines, too many to review at once: only the part above is shown; "
    "the code not shown exists and may define names used here. Review the lines shown and "
    "report their bugs."
)


def review_parts(
    snapshot: Snapshot, workspace: list[WorkspaceFile], max_context_tokens: int
) -> tuple[tuple[int, int], ...]:
    """Consecutive line ranges [start, end) that each fit one review prompt: one range when
    the whole file does. A part ends after a blank line where it can, so that functions are
    less often cut in two."""
    ws, budget = _review_context(workspace, max_context_tokens)
    fits = budget - estimate_tokens(ws) - estimate_tokens(PART_TASK) - 32
    return _split_range(snapshot.redacted_lines, (0, len(snapshot.lines)), fits)


def _split_range(
    lines: tuple[str, ...], lines_range: tuple[int, int], fits: int
) -> tuple[tuple[int, int], ...]:
    """Lines [start, end) cut into consecutive ranges of at most `fits` tokens numbered (a
    line more when one alone is larger), each ending after a blank line where it can."""
    first, last = lines_range
    costs = _line_costs([f"{n}| {line}" for n, line in enumerate(lines[first:last], first + 1)])
    parts: list[tuple[int, int]] = []
    start = first
    while start < last:
        end, used = start, 0
        while end < last and (end == start or used + costs[end - first] <= fits):
            used += costs[end - first]
            end += 1
        if end < last:
            blank = max((n for n in range(start + 1, end) if not lines[n - 1].strip()), default=0)
            end = blank if blank > start + (end - start) * 3 // 4 else end
        parts.append((start, end))
        start = end
    return tuple(parts)


def _excerpts_part(snapshot: Snapshot, excerpts: tuple[tuple[int, int], ...]) -> str:
    header = _file_header(snapshot)
    return header + _ranges_text(snapshot, excerpts)


def rewrite_request(
    snapshot: Snapshot,
    region: Span,
    task: str,
    *,
    max_context_tokens: int,
    max_output_tokens: int = 2048,
    reasoning_effort: str | None = "low",
) -> ModelRequest:
    budget = max_context_tokens - estimate_tokens(REWRITE_INSTRUCTIONS) - 64
    document = _excerpt_part(snapshot, region, budget - estimate_tokens(task) - 256)
    first, last = region.start.line + 1, region.end.line + 1
    region_text = numbered(snapshot.redacted_in(region), first)
    parts = (
        PromptPart(document, breakpoint=True),
        PromptPart(
            f"Region to rewrite, lines {first}-{last}:\n{region_text}\n\nRequest: {task}\n"
            f"Return the new text of lines {first}-{last}."
        ),
    )
    return _request(REWRITE, parts, snapshot, max_output_tokens, reasoning_effort)


# --- the shared layout's reviews and rewrites --------------------------------------------------

Ranges = tuple[tuple[int, int], ...]  # current lines [start, end), sorted and disjoint


@dataclass(frozen=True)
class ReviewCall:
    """One review request of the shared layout and the lines it answers for."""

    request: ModelRequest
    scope: Ranges
    tail: Ranges = ()  # the current lines its prompt shows after the prefix, in that order


def shared_review_requests(
    snapshot: Snapshot,
    prefix: DocumentPrefix,
    ranges: Ranges,
    *,
    max_context_tokens: int,
    max_output_tokens: int = 2048,
    reasoning_effort: str | None = "low",
) -> list[ReviewCall]:
    """Reviews of the current lines `ranges` after the document's shared prefix, whose snapshot
    is the current text: the lines it does not show follow it, in as many calls as the budget
    needs (the first call also answers for the lines of `ranges` the prefix shows). None when
    the prefix would take over half the budget (a small model's): review without it then."""
    fits = max_context_tokens - fixed_tokens(shared=True) - _prefix_tokens(prefix)
    fits -= estimate_tokens(PART_TASK) + 64
    if fits < max_context_tokens // 2:
        return []  # the prefix would leave parts too small: the caller reviews without it
    tails: list[Ranges] = []
    used = 0  # by the last tail
    for lines in _subtract(ranges, prefix.current_lines):
        for piece in _split_range(snapshot.redacted_lines, lines, fits):
            cost = _numbered_tokens(snapshot.redacted_lines, *piece)
            if tails and used + cost <= fits:
                tails[-1], used = (*tails[-1], piece), used + cost
            else:
                tails.append((piece,))
                used = cost
    shown = _intersect(ranges, prefix.current_lines)
    if not tails:
        tails.append(())
    calls = []
    for index, tail in enumerate(tails):
        scope = tuple(sorted(shown + tail)) if index == 0 else tail
        whole = len(tails) == 1 and ranges == ((0, len(snapshot.lines)),)
        tail_text = _review_tail(snapshot, tail, scope, whole, prefix.current)
        parts = (*prefix.parts(), PromptPart(tail_text))
        request = _request(
            REVIEW, parts, snapshot, max_output_tokens, reasoning_effort, shared=True
        )
        calls.append(ReviewCall(request, scope, tail))
    return calls


def _review_tail(
    snapshot: Snapshot, tail: Ranges, scope: Ranges, whole: bool, current: bool
) -> str:
    """The current lines the snapshot does not show as they are, then the task naming the
    lines to review."""
    text = ""
    if tail:
        text = _current_text_label(current) + _ranges_text(snapshot, tail)
    if whole:
        ask = "Review the whole file and report its bugs."
    else:
        lines = ", ".join(_line_numbers(start, end) for start, end in _merged(scope))
        ask = f"Review lines {lines} and report their bugs; the other lines are context."
    return f"{text}Task: review (answer: findings). {ask}"


def _current_text_label(current: bool) -> str:
    if current:
        return "The snapshot is the current text. Current text of lines it does not show:\n"
    return (
        "The snapshot was taken before the latest edits. Current text, numbered as the file is "
        "now (line numbers in the answer are these):\n"
    )


def _line_numbers(start: int, end: int) -> str:
    return str(end) if end - start == 1 else f"{start + 1}-{end}"


def _merged(ranges: Ranges) -> Ranges:
    """Sorted ranges with the adjacent ones joined."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return tuple(joined)


def _ranges_text(snapshot: Snapshot, ranges: Ranges) -> str:
    """Current lines as numbered excerpts, `<file lines a-b>` each."""
    lines = snapshot.redacted_lines
    return "".join(
        f"<file lines {start + 1}-{end}>\n{numbered(chr(10).join(lines[start:end]), start + 1)}"
        "\n</file>\n"
        for start, end in ranges
    )


REWRITE_AROUND_LINES = 20  # current lines shown each side of a rewritten region at least
# A rewrite shows a review's excerpts first (a prefix the review cached) when they are at most
# this many times the tokens of the region's surroundings they hold: a cached token costs a
# quarter of an uncached one, so past about 4x the cached excerpts cost more than they save.
REVIEWED_LEAD_RATIO = 3


def shared_rewrite_request(
    snapshot: Snapshot,
    prefix: DocumentPrefix,
    region: Span,
    task: str,
    *,
    max_context_tokens: int,
    max_output_tokens: int = 2048,
    reasoning_effort: str | None = "low",
    reviewed: Ranges = (),
) -> ModelRequest:
    """A rewrite after the document's shared prefix: the region's surroundings (a few dozen
    lines) as far as the prefix does not show them as they are now, then the region and the
    request. `reviewed`: the excerpts a review of this very text showed after the same
    prefix (a quick fix or a refactor asked right after a save): shown first, as the review
    showed them, they are read from the review's cache, and only the rest follows them."""
    first, last = region.start.line, region.end.line + 1
    lines = list(snapshot.redacted_lines)
    around = (max(0, first - REWRITE_AROUND_LINES), min(len(lines), last + REWRITE_AROUND_LINES))
    budget = max(256, max_context_tokens - estimate_tokens(task))
    if _numbered_tokens(lines, *around) > budget:  # long lines: as many as the budget holds
        around = _surroundings(lines, region, budget)
    missing = _subtract((around,), prefix.current_lines)
    lead = _reviewed_lead(lines, reviewed, missing)
    missing = lead + _subtract(missing, lead)
    text = _current_text_label(prefix.current) if missing else ""
    region_text = numbered(snapshot.redacted_in(region), first + 1)
    tail = (
        f"{text}{_ranges_text(snapshot, missing)}Region to rewrite, lines {first + 1}-{last}:\n"
        f"{region_text}\n\nRequest: {task}\nTask: rewrite (answer: one rewrite). Return the "
        f"new text of lines {first + 1}-{last}."
    )
    return _request(
        REWRITE,
        (*prefix.parts(), PromptPart(tail)),
        snapshot,
        max_output_tokens,
        reasoning_effort,
        shared=True,
    )


def _reviewed_lead(lines: Sequence[str], reviewed: Ranges, missing: Ranges) -> Ranges:
    """`reviewed` when the rewrite needs enough of it (`REVIEWED_LEAD_RATIO`), else ()."""
    needed = sum(_numbered_tokens(lines, *piece) for piece in _intersect(reviewed, missing))
    shown = sum(_numbered_tokens(lines, *piece) for piece in reviewed)
    if not needed or shown > REVIEWED_LEAD_RATIO * needed:
        return ()
    return reviewed


def _prefix_tokens(prefix: DocumentPrefix) -> int:
    return sum(estimate_tokens(part.text) for part in prefix.parts())


def _intersect(ranges: Ranges, shown: Ranges) -> Ranges:
    pieces = [
        (max(start, first), min(end, last))
        for start, end in ranges
        for first, last in shown
        if max(start, first) < min(end, last)
    ]
    return tuple(sorted(pieces))


def _subtract(ranges: Ranges, shown: Ranges) -> Ranges:
    pieces: list[tuple[int, int]] = []
    for start, end in ranges:
        cursor = start
        for first, last in sorted(shown):
            if last <= cursor or first >= end:
                continue
            if first > cursor:
                pieces.append((cursor, first))
            cursor = max(cursor, last)
        if cursor < end:
            pieces.append((cursor, end))
    return tuple(pieces)
