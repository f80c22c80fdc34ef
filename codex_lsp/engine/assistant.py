"""The three things the server asks of a model, as plain async Python: complete, review, rewrite.

Takes snapshots, returns results tied to positions in those snapshots. It cleans what models
commonly get wrong (echoing the text before the cursor, repeating the text after it, line
numbers copied into code) so adapters only translate.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, replace

from cachetools import LRUCache

from codex_lsp.engine import fill_scan, warmup
from codex_lsp.engine.cache import (
    Anchor,
    AnchorStore,
    RedactedDocuments,
    TypedThrough,
    render_hunks,
)
from codex_lsp.engine.calls import ModelCaller, ModelUnavailable, Outcome
from codex_lsp.engine.context import LINE_CUT, Position, Snapshot, Span
from codex_lsp.engine.fill_scan import GainScorer
from codex_lsp.engine.prompts import (
    SNAPSHOT_SHARE,
    CompletionLayout,
    DocumentPrefix,
    Ranges,
    WorkspaceFile,
    completion_request,
    completion_window,
    document_prefix,
    edits_shown,
    fixed_tokens,
    review_parts,
    review_request,
    rewrite_request,
    shared_review_requests,
    shared_rewrite_request,
    snapshot_lines,
)
from codex_lsp.engine.review import (
    WHOLE_FILE,
    ReviewFinding,
    ReviewMemory,
    ReviewPlan,
    locate_finding,
    plan_review,
    standing,
)
from codex_lsp.engine.schemas import Finding, Rewrite, Suggestion
from codex_lsp.engine.secrets import REDACTED
from codex_lsp.engine.verify import LineScorer, bracket_balance, vetted
from codex_lsp.providers.base import ModelRequest
from codex_lsp.providers.cards import card_for
from codex_lsp.settings import Settings

# Of a file's tokens, at most, for a completion or rewrite prompt. The naive layout sends the
# whole file, so on a file of a few thousand tokens the prompt's size is most of its cost
# against it: 0.65 (until session 8) showed typer_core's first 224 lines, 0.5 shows 160 of
# them (offline proxy, o200k: completion prompts 19% smaller, 0.265x -> 0.230x the naive
# layout's cost, completion cached 0.930 -> 0.919). A trade: less of the file's top is shown.
FILE_SHARE = 0.5
MIN_EDIT_TOKENS = 2048  # a prompt well past the 1024 tokens below which nothing is cached
BUDGET_STEP = 256
CACHE_STEP_TOKENS = 128  # providers cache prefixes in steps of this many tokens
MAX_REVIEW_PARTS = 4  # model calls for one whole review of a long file, at most
COMPLETION_OUTPUT_TOKENS = 512  # a completion's answer, at most
MIN_ECHO = 4  # shorter overlaps with the text before the cursor are likely real code
log = logging.getLogger(__name__)
_LINE_NUMBER = re.compile(r"^\s*\d+\| ?")


@dataclass(frozen=True)
class RegionEdit:
    span: Span
    new_text: str
    explanation: str


class Assistant:
    def __init__(self, caller: ModelCaller, settings: Settings) -> None:
        self.caller = caller
        self.settings = settings
        self.anchors = AnchorStore()
        self.typed_through = TypedThrough()
        self.reviewed = ReviewMemory()
        self.redactions = RedactedDocuments()
        # Per document, the text of its last shared-layout review and the excerpts its prompt
        # showed after the prefix: a rewrite of the same text shows them first (cached).
        self._review_excerpts: LRUCache[str, tuple[tuple[str, ...], Ranges]] = LRUCache(4)

    @property
    def cache_aware(self) -> bool:
        return self.settings.prompt_layout == "cache-aware"

    @property
    def embedded(self) -> bool:
        """The embedded llama.cpp models answer: minutes of CPU where a hosted model takes
        seconds, and findings only when verified."""
        return self.caller.model == "local"

    @property
    def shared_layout(self) -> bool:
        """One prompt prefix for every feature of a document (instructions, schema, numbered
        snapshot), so that reviews and rewrites read what completions cached. Not for the
        embedded models: their completer and reviewer are two models (no shared KV cache), and
        completions go through fill-in-the-middle, not this prompt."""
        return self.cache_aware and not self.embedded

    @property
    def reads_ahead(self) -> bool:
        """The model reads ahead of requests (`engine/warmup.py`): the embedded one, whose calls
        cost CPU, not money."""
        return warmup.warming(self) is not None

    def _effort(self) -> str | None:
        return None if self.settings.reasoning_effort == "none" else self.settings.reasoning_effort

    def context_budget(self, output_tokens: int) -> int:
        """The prompt budget: the user's limit, within what the model card allows."""
        card = card_for(self.caller.model)
        limit = card.max_prompt_tokens or card.context_tokens - output_tokens
        return max(256, min(self.settings.max_context_tokens, limit))

    def reuse(self, snapshot: Snapshot, cursor: Position) -> list[str] | None:
        """Suggestions served without a model call: the rest of what the user is typing into."""
        if not self.cache_aware:
            return None
        before, after = snapshot.split_at(cursor)
        rest = self.typed_through.lookup(snapshot.uri, before, after)
        if rest is not None:
            self.caller.ledger.count_avoided("typed-through")
        return rest

    def edit_budget(self, output_tokens: int) -> int:
        """Completions and rewrites need the code around the cursor or region, not the whole
        file (the naive layout sends the whole file)."""
        budget = self.context_budget(output_tokens)
        return min(budget, self.settings.edit_context_tokens) if self.cache_aware else budget

    def small_file_budget(self, snapshot: Snapshot, budget: int) -> int:
        """`budget`, or less for a small file: the naive layout sends a small file whole, and
        a prompt as large as that one cannot cost a fraction of it (a budget cut here shows
        the file's head and the window, no region). Follows the anchor's size in steps, so the
        layout it shapes holds still while the user types."""
        if not self.cache_aware:
            return budget
        anchor = self.anchors.anchor(snapshot)
        scaled = int(anchor.tokens * FILE_SHARE) // BUDGET_STEP * BUDGET_STEP
        return min(budget, max(MIN_EDIT_TOKENS, scaled))

    @property
    def completion_output_tokens(self) -> int:
        return min(COMPLETION_OUTPUT_TOKENS, self.settings.max_output_tokens)

    def completion_budget(self, snapshot: Snapshot) -> tuple[int, bool]:
        """A completion prompt's `max_context_tokens`, and whether it is cut for a small file
        (then the snapshot is all head)."""
        full = self.edit_budget(self.completion_output_tokens)
        budget = self.small_file_budget(snapshot, full)
        return budget, budget < full

    def _completion_layout(
        self, snapshot: Snapshot, cursor: Position, budget: int, head_only: bool
    ) -> CompletionLayout:
        if not self.cache_aware:
            return CompletionLayout(anchor=None)
        uri = snapshot.uri
        region_budget = int(budget * SNAPSHOT_SHARE)
        anchor = self.anchors.anchor(snapshot)
        previous = self.anchors.last_region(uri)
        head, region = self._placed(anchor, cursor.line, region_budget, previous, head_only)
        window = completion_window(len(snapshot.lines), cursor.line)
        # Diffed on redacted lines: the edits are shown to the model, positions are the same.
        hunks = self.anchors.hunks(uri, anchor, snapshot.redacted_lines)
        edits = render_hunks(edits_shown(hunks, region, window, head))
        # Another region loses its cached part anyway: re-anchoring then is free, unless the
        # head (cached before the region, the same everywhere) has edits it would take in.
        moved = previous is not None and region != previous
        head_intact = not any(hunk.start < head for hunk in hunks)
        if (moved and head_intact) or self.anchors.needs_reanchor(anchor, edits, region_budget):
            anchor, edits = self.anchors.reset(snapshot), ""
            head, region = self._placed(anchor, cursor.line, region_budget, region, head_only)
        self.anchors.show_region(uri, region)
        return CompletionLayout(anchor, edits, region, head, window, self.shared_layout)

    def document_prefix(
        self, snapshot: Snapshot, workspace: list[WorkspaceFile], renew: bool = False
    ) -> DocumentPrefix:
        """The shared layout's prompt start, as the document's next completion will show it
        (the part the provider has cached). `renew`: make the snapshot the current text first
        (a whole review reads all of it as the file; the completions after it then read the
        prefix it cached); else a snapshot taken before the latest edits stays, and the
        caller shows the current text of the lines it needs."""
        anchor = self.anchors.anchor(snapshot)
        current = anchor.lines == snapshot.lines
        if renew and not current:
            anchor, current = self.anchors.reset(snapshot), True
        budget, head_only = self.completion_budget(snapshot)
        previous = self.anchors.last_region(snapshot.uri)
        line = (previous[0] + previous[1]) // 2 if previous else 0
        share = int(budget * SNAPSHOT_SHARE)
        head, region = self._placed(anchor, line, share, previous, head_only)
        self.anchors.show_region(snapshot.uri, region)
        layout = CompletionLayout(anchor, "", region, head, shared=True)
        return replace(document_prefix(snapshot, workspace, layout, budget), current=current)

    def _placed(
        self,
        anchor: Anchor,
        line: int,
        share: int,
        previous: tuple[int, int] | None,
        head_only: bool,
    ) -> tuple[int, tuple[int, int]]:
        """The snapshot's head and region for a cursor at `line` (`snapshot_lines`)."""
        least = self._min_head_tokens()
        return snapshot_lines(anchor, line, share, previous, head_only, least)

    def _min_head_tokens(self) -> int:
        """Snapshot head that takes the completion prompt's fixed start (instructions, then
        head) past the model's caching minimum, with a 128-token step to spare: a prompt for
        another region of the file then still reads all of it from the cache."""
        minimum = card_for(self.caller.model).min_cacheable_tokens
        if minimum <= 0:
            return 0
        return max(0, minimum + CACHE_STEP_TOKENS - fixed_tokens(self.shared_layout))

    async def prepare(self, snapshot: Snapshot) -> Snapshot:
        """Work every request on a new version starts with, done ahead while the user types:
        the version redacted (returned, for the requests to reuse) and, in the cache-aware
        layout, diffed against the document's anchor (a completion prompt's edits)."""
        snapshot = await self.redactions.attach(snapshot)
        anchor = self.anchors.existing(snapshot.uri) if self.cache_aware else None
        if anchor is not None:
            self.anchors.hunks(snapshot.uri, anchor, snapshot.redacted_lines)
        return snapshot

    async def redacted(
        self, snapshot: Snapshot, workspace: Sequence[WorkspaceFile] = ()
    ) -> tuple[Snapshot, list[WorkspaceFile]]:
        """The snapshot and the other open files, each redacted as a whole document (once per
        version): every prompt is cut from these."""
        snapshot = await self.redactions.attach(snapshot)
        files = []
        for item in workspace:
            other = await self.redactions.attach(Snapshot(item.uri, None, item.text))
            files.append(WorkspaceFile(item.uri, item.text, other.redacted_text()))
        return snapshot, files

    async def complete(
        self,
        snapshot: Snapshot,
        cursor: Position,
        workspace: list[WorkspaceFile],
        *,
        explicit: bool = False,
    ) -> AsyncGenerator[str, None]:
        """Insertions at the cursor. `explicit`: the user asked (invoked), not a typing pause:
        a backend in trouble is waited out briefly instead of skipped."""
        snapshot, workspace = await self.redacted(snapshot, workspace)
        await asyncio.sleep(0)  # a large document's steps below must not hold the loop together
        output_tokens = self.completion_output_tokens
        budget, head_only = self.completion_budget(snapshot)
        request = completion_request(
            snapshot,
            cursor,
            workspace,
            self._completion_layout(snapshot, cursor, budget, head_only),
            max_context_tokens=budget,
            max_output_tokens=output_tokens,
            reasoning_effort=self._effort(),
        )
        before, after = snapshot.split_at(cursor)
        shown: list[str] = []
        stream = self.caller.stream_items(
            request, Suggestion, "suggestions", use_cache=self.cache_aware, explicit=explicit
        )
        try:
            async with aclosing(stream):
                async for suggestion in stream:
                    text = clean_insertion(suggestion.insert_text, before, after)
                    if text and text not in shown and REDACTED not in text:
                        shown.append(text)
                        yield text
        finally:
            if self.cache_aware:
                self.typed_through.remember(snapshot.uri, before, after, shown)

    async def warm(self, snapshot: Snapshot, cursor: Position) -> None:
        """The cursor is here: the embedded model reads ahead (engine/warmup.py)."""
        await warmup.warm(self, snapshot, cursor)

    async def prefetch(self, snapshot: Snapshot, cursor: Position, insertion: str) -> None:
        """`insertion` is shown: the embedded model computes the completion after it."""
        await warmup.prefetch(self, snapshot, cursor, insertion)

    def forget(self, uri: str) -> None:
        warmup.forget(self, uri)
        self.anchors.forget(uri)
        self.typed_through.forget(uri)
        self.reviewed.forget(uri)
        self.redactions.forget(uri)
        self._review_excerpts.pop(uri, None)

    async def review(
        self,
        snapshot: Snapshot,
        workspace: list[WorkspaceFile],
        *,
        explicit: bool = False,
        outcome: Outcome | None = None,
        on_part: Callable[[int, int], None] | None = None,
        on_scan: Callable[[int, int], None] | None = None,
    ) -> AsyncGenerator[ReviewFinding, None]:
        """Findings for the whole current text: earlier ones that still stand come first, then
        what the model finds where the text changed since the last review (or in all of it).
        `on_part(i, n)`: told as the model starts part i of n of a file reviewed in parts;
        `on_scan(line, lines)`: as the embedded model's fill scan reaches a line."""
        snapshot, workspace = await self.redacted(snapshot, workspace)
        budget = self.context_budget(self.settings.max_output_tokens)
        plan = self._review_plan(snapshot)
        findings = list(plan.carried)
        for finding in plan.carried:
            yield finding
        if not plan.needs_model:
            self.caller.ledger.count_avoided("review")
        await asyncio.sleep(0)
        outcome = outcome or Outcome()  # the caller's, to learn whether the review is whole
        requests = self._review_requests(snapshot, workspace, plan, budget)
        for index, (request, scope) in enumerate(requests, 1):
            if on_part is not None and len(requests) > 1:
                on_part(index, len(requests))
            found_now = self._review_call(snapshot, request, scope, explicit, outcome)
            async with aclosing(found_now) as found:
                async for finding in found:
                    findings.append(finding)
                    yield finding
        # The embedded models also scan every line with the fill alone (engine/fill_scan.py):
        # on real code it finds what the review prompt misses, and nothing on clean files.
        provider = self.caller.provider
        scanner = provider if isinstance(provider, GainScorer) else None
        if scanner is not None and self.embedded and plan.needs_model:
            taken = {finding.span.start.line for finding in findings}
            scanned = fill_scan.scan(
                snapshot,
                scanner,
                covers=plan.covers,
                skip_rows=taken.__contains__,
                on_line=on_scan,
            )
            async with aclosing(scanned) as found:
                async for finding in found:
                    taken.add(finding.span.start.line)
                    findings.append(finding)
                    yield finding
        # Only a review that ran to the end, every answer whole, may stand for this text.
        if outcome.whole:
            self.reviewed.remember(snapshot.uri, snapshot.lines, findings)

    def standing_findings(self, snapshot: Snapshot) -> tuple[ReviewFinding, ...]:
        """The last review's findings on lines unchanged since, without a model call."""
        return standing(self.reviewed.get(snapshot.uri), snapshot.lines)

    def _review_plan(self, snapshot: Snapshot) -> ReviewPlan:
        if not self.cache_aware:
            return WHOLE_FILE
        previous = self.reviewed.get(snapshot.uri)
        budget = self.edit_budget(self.settings.max_output_tokens)
        return plan_review(previous, snapshot.lines, budget, snapshot.language_id)

    def _review_requests(
        self, snapshot: Snapshot, workspace: list[WorkspaceFile], plan: ReviewPlan, budget: int
    ) -> list[tuple[ModelRequest, ReviewPlan]]:
        """The calls a plan takes: one, or one per part of a file too long for one prompt."""
        if not plan.needs_model:
            return []
        if self.shared_layout:
            shared = self._shared_review_requests(snapshot, workspace, plan, budget)
            if shared:
                return shared

        def request(excerpts: tuple[tuple[int, int], ...] | None, changes: bool) -> ModelRequest:
            return review_request(
                snapshot,
                workspace,
                excerpts=excerpts,
                changes_only=changes,
                max_context_tokens=budget,
                max_output_tokens=self.settings.max_output_tokens,
                reasoning_effort=self._effort(),
            )

        if not plan.whole_file:
            return [(request(plan.excerpts, True), plan)]
        parts = review_parts(snapshot, workspace, budget)
        if len(parts) == 1:
            return [(request(None, False), plan)]
        if len(parts) > MAX_REVIEW_PARTS:
            # A whole review of a very long file would be a call per part (a 5 MB file: 135):
            # its first parts are reviewed, later reviews cover what the user changes.
            log.info("%s: reviewing %d of %d parts", snapshot.uri, MAX_REVIEW_PARTS, len(parts))
            parts = parts[:MAX_REVIEW_PARTS]
        return [(request((part,), False), ReviewPlan(False, (part,))) for part in parts]

    def _shared_review_requests(
        self, snapshot: Snapshot, workspace: list[WorkspaceFile], plan: ReviewPlan, budget: int
    ) -> list[tuple[ModelRequest, ReviewPlan]]:
        prefix = self.document_prefix(snapshot, workspace, renew=plan.whole_file)
        ranges = ((0, len(snapshot.lines)),) if plan.whole_file else plan.excerpts
        calls = shared_review_requests(
            snapshot,
            prefix,
            ranges,
            max_context_tokens=budget,
            max_output_tokens=self.settings.max_output_tokens,
            reasoning_effort=self._effort(),
        )
        if len(calls) > MAX_REVIEW_PARTS:
            log.info("%s: reviewing %d of %d parts", snapshot.uri, MAX_REVIEW_PARTS, len(calls))
            calls = calls[:MAX_REVIEW_PARTS]
        if calls:
            self._review_excerpts[snapshot.uri] = (snapshot.lines, calls[-1].tail)
        whole = plan.whole_file and len(calls) == 1
        return [(call.request, plan if whole else ReviewPlan(False, call.scope)) for call in calls]

    async def _review_call(
        self,
        snapshot: Snapshot,
        request: ModelRequest,
        scope: ReviewPlan,
        explicit: bool,
        outcome: Outcome,
    ) -> AsyncGenerator[ReviewFinding, None]:
        # Measured on benchmarks/review: the embedded models' "warning"s are mostly noise, and
        # their findings stand only when verified (engine/verify.py); others keep a sound fix.
        errors_only = self.embedded
        scorer = self.caller.provider if isinstance(self.caller.provider, LineScorer) else None
        stream = self.caller.stream_items(
            request,
            Finding,
            "findings",
            use_cache=self.cache_aware,
            explicit=explicit,
            outcome=outcome,
        )
        async with aclosing(stream) as findings:
            async for finding in findings:
                if errors_only and finding.severity != "error":
                    continue
                located = locate_finding(snapshot, finding)
                # An excerpt review answers for the lines it showed, nothing else.
                if located is None or not scope.covers(located):
                    continue
                located = await vetted(snapshot, located, finding.fix, scorer, errors_only)
                if located is not None:
                    yield located

    async def rewrite(
        self,
        snapshot: Snapshot,
        region: Span,
        task: str,
        workspace: Sequence[WorkspaceFile] = (),
    ) -> RegionEdit | None:
        """The model's new text for the region; None when it proposes no change. Raises
        ModelUnavailable when no whole answer came. `workspace`: the other open files, as a
        completion shows them (the shared layout's prefix holds them)."""
        snapshot, files = await self.redacted(snapshot, workspace)
        budget = self.small_file_budget(snapshot, self.edit_budget(self.settings.max_output_tokens))
        # A region's rewrite needs its surroundings, about a hundred lines, not a block pair
        # like a completion: half the budget (the region itself is always sent whole).
        around = max(256, budget // 2)
        if self.shared_layout:
            reviewed = self._review_excerpts.get(snapshot.uri)
            request = shared_rewrite_request(
                snapshot,
                self.document_prefix(snapshot, files),
                region,
                task,
                max_context_tokens=around,
                max_output_tokens=self.settings.max_output_tokens,
                reasoning_effort=self._effort(),
                reviewed=reviewed[1] if reviewed and reviewed[0] == snapshot.lines else (),
            )
        else:
            request = rewrite_request(
                snapshot,
                region,
                task,
                max_context_tokens=around,
                max_output_tokens=self.settings.max_output_tokens,
                reasoning_effort=self._effort(),
            )
        # aclosing: leaving early must close the upstream stream now, not at garbage collection.
        # A rewrite is always the user's request (a chosen code action or fix).
        outcome = Outcome()
        stream = self.caller.stream_items(
            request, Rewrite, "rewrites", use_cache=self.cache_aware, explicit=True, outcome=outcome
        )
        async with aclosing(stream) as rewrites:
            async for rewrite in rewrites:
                return region_edit(snapshot, region, rewrite)
        if not outcome.whole:  # no answer, not "no change": the user has been told why
            raise ModelUnavailable("the rewrite was cut short")
        return None


def clean_insertion(text: str, before: str, after: str) -> str:
    """Remove the echo of text before the cursor and the repeat of the rest of the line."""
    text = text.replace("\r\n", "\n")
    line_before = before.rsplit("\n", 1)[-1]
    stripped_line = line_before.lstrip()
    if stripped_line and text.startswith(stripped_line):
        text = text[len(stripped_line) :]
    else:
        text = text[_echo_length(before, text) :]
    rest_of_line = after.split("\n", 1)[0].strip()
    if rest_of_line and text.rstrip().endswith(rest_of_line):
        trimmed = text.rstrip()[: -len(rest_of_line)]
        # `len(x)` typed inside `print(|)` keeps its own `)`: drop only a real repeat.
        if bracket_balance(text) < 0 or any(c.isalnum() for c in rest_of_line):
            text = trimmed
    text = _cut_at_next_line(text, _next_code_line(after))
    return text if text.strip() else ""


def _next_code_line(after: str, lookahead: int = 3) -> str:
    """The first line with code after the cursor's line, stripped ("" if none is near): read
    line by line, since `after` may be the rest of a long document."""
    start = after.find("\n")
    for _ in range(lookahead):
        if start < 0:
            return ""
        end = after.find("\n", start + 1)
        line = after[start + 1 : end if end >= 0 else len(after)].strip()
        if line:
            return line if any(c.isalnum() for c in line) else ""
        start = end
    return ""


def _cut_at_next_line(text: str, next_line: str) -> str:
    """A suggestion of several lines stops before a line that repeats the one after the
    cursor's: taken, it would write that line twice. (The embedded model's fill sees only the
    rest of the cursor's line, so it often writes the next one again.)"""
    if not next_line or "\n" not in text:
        return text
    lines = text.split("\n")
    for n, line in enumerate(lines[1:], start=1):
        if line.strip() == next_line:
            return "\n".join(lines[:n])
    return text


def _echo_length(before: str, text: str) -> int:
    """Longest prefix of `text` that the text before the cursor already ends with."""
    tail = before[-400:]
    for size in range(min(len(text), len(tail)), MIN_ECHO - 1, -1):
        if tail.endswith(text[:size]):
            return size
    return 0


def fix_region(snapshot: Snapshot, span: Span, context_lines: int = 2) -> Span:
    """The whole lines around a problem that a fix may rewrite."""
    return snapshot.line_span(span.start.line - context_lines, span.end.line + context_lines)


def region_edit(snapshot: Snapshot, region: Span, rewrite: Rewrite) -> RegionEdit | None:
    new_text = _strip_line_numbers(rewrite.replacement.replace("\r\n", "\n"))
    old_text = snapshot.text_in(region)
    if not old_text.endswith("\n") and new_text.endswith("\n"):
        new_text = new_text[:-1]
    restored = restore_secrets(snapshot, region, new_text)
    if restored is None or restored == old_text:
        return None
    return RegionEdit(region, restored, rewrite.explanation)


def restore_secrets(snapshot: Snapshot, region: Span, new_text: str) -> str | None:
    """The model saw the region as prompts show it (secrets redacted, long lines cut): a line
    it kept as shown gets its original back. None when a placeholder would still end up in the
    file (the edit would overwrite the user's secret or the rest of a long line)."""
    if REDACTED not in new_text and LINE_CUT.strip() not in new_text:
        return new_text
    first, last = region.start.line, region.end.line
    originals = {
        shown: line
        for line, shown in zip(
            snapshot.lines[first : last + 1], snapshot.redacted_lines[first : last + 1], strict=True
        )
        if shown != line
    }
    restored = "\n".join(originals.get(line, line) for line in new_text.split("\n"))
    old = snapshot.text_in(region)
    placeholders = (REDACTED, LINE_CUT.strip())
    return None if any(p in restored and p not in old for p in placeholders) else restored


def _strip_line_numbers(text: str) -> str:
    lines = text.split("\n")
    content = [line for line in lines if line.strip()]
    if content and all(_LINE_NUMBER.match(line) for line in content):
        return "\n".join(_LINE_NUMBER.sub("", line, count=1) for line in lines)
    return text
