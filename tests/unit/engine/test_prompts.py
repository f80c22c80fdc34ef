"""Prompt layout: stable parts first, a shared prefix across keystrokes, no paths, no secrets."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from codex_lsp.engine import prompts
from codex_lsp.engine.cache import Anchor, Hunk
from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.engine.prompts import (
    COMPLETION_INSTRUCTIONS,
    REVIEW_INSTRUCTIONS,
    REWRITE_INSTRUCTIONS,
    CompletionLayout,
    WorkspaceFile,
    cache_key,
    completion_request,
    completion_window,
    edits_shown,
    numbered,
    review_parts,
    review_request,
    rewrite_request,
    snapshot_head,
    snapshot_lines,
)
from codex_lsp.engine.schemas import CompletionAnswer, ReviewAnswer, RewriteAnswer, strict_schema
from codex_lsp.engine.tokens import estimate_tokens
from codex_lsp.providers.base import Infill, ModelRequest, PromptPart

URI = "file:///home/alice/acme-billing/src/invoice.py"
URI_KEY = "codex-lsp-6ced763f04264831cdb49d02"
MODELS_URI = "file:///home/alice/acme-billing/src/models.py"
SMALL = "def total(items):\n    return sum(i.price for i in it)\n"
MODELS = WorkspaceFile(MODELS_URI, "class Item:\n    price: float\n")
SECRET = "sk-proj-Q7w3E9r1T5y8U2i4O6p0AsDf"


def snap(text: str, uri: str = URI, version: int = 1) -> Snapshot:
    return Snapshot(uri, version, text, "python")


def all_requests(snapshot: Snapshot, cursor: Position) -> list[ModelRequest]:
    region = snapshot.line_span(cursor.line, cursor.line)
    return [
        completion(snapshot, cursor),
        completion_request(
            snapshot, cursor, [], CompletionLayout(anchor=None), max_context_tokens=12_000
        ),
        review_request(snapshot, [], max_context_tokens=12_000),
        rewrite_request(snapshot, region, "Simplify.", max_context_tokens=12_000),
    ]


# --- the exact layouts -------------------------------------------------------------------------

HEAD_WITH_MODELS = PromptPart(
    "Other open files in the workspace:\n"
    "### src/models.py\nclass Item:\n    price: float\n\n\n"
    "File: src/invoice.py (python)\n"
)
AFTER_SMALL = PromptPart("<code_after_cursor>\n)\n\n</code_after_cursor>\n")
TASK_SMALL = PromptPart(
    "\n</code_before_cursor>\nThe cursor is at the end of code_before_cursor, "
    "after 'return sum(i.price for i in it'. Suggest the insertion."
)


def completion(
    snapshot: Snapshot,
    cursor: Position,
    workspace: list[WorkspaceFile] | None = None,
    *,
    anchor_text: str | None = None,
    edits: str = "",
    max_context_tokens: int = 12_000,
) -> ModelRequest:
    """A cache-aware completion request; the anchor defaults to the current text."""
    anchor = Anchor.of(snapshot if anchor_text is None else Snapshot(snapshot.uri, 0, anchor_text))
    return completion_request(
        snapshot,
        cursor,
        workspace or [],
        CompletionLayout(anchor, edits),
        max_context_tokens=max_context_tokens,
    )


def test_cache_aware_completion_request_layout() -> None:
    request = completion(snap(SMALL), Position(1, 34), [MODELS])
    assert request == ModelRequest(
        feature="completion",
        instructions=COMPLETION_INSTRUCTIONS,
        parts=(
            HEAD_WITH_MODELS,
            PromptPart(
                "<snapshot>\ndef total(items):\n    return sum(i.price for i in it)\n\n"
                "</snapshot>\n",
                breakpoint=True,
            ),
            PromptPart(""),  # no region: the whole file is the head
            PromptPart("<edits_since_snapshot>\n</edits_since_snapshot>\n", breakpoint=True),
            AFTER_SMALL,
            PromptPart(
                "<code_before_cursor>\ndef total(items):\n    return sum(i.price for i in it",
                breakpoint=True,
            ),
            TASK_SMALL,
        ),
        schema_name="completion",
        json_schema=strict_schema(CompletionAnswer),
        max_output_tokens=256,
        reasoning_effort="low",
        prompt_cache_key=URI_KEY,
        infill=Infill("def total(items):\n    return sum(i.price for i in it", ")", max_newlines=0),
    )


def test_cache_aware_layout_shows_the_snapshot_and_the_edits_given() -> None:
    request = completion(
        snap(SMALL),
        Position(1, 34),
        anchor_text="def total(items):\n    return 0\n",
        edits="replace snapshot lines 2-2 with:\n    return sum(i.price for i in it)\n",
    )
    assert (request.parts[1], request.parts[3]) == (
        PromptPart("<snapshot>\ndef total(items):\n    return 0\n\n</snapshot>\n", breakpoint=True),
        PromptPart(
            "<edits_since_snapshot>\nreplace snapshot lines 2-2 with:\n"
            "    return sum(i.price for i in it)\n</edits_since_snapshot>\n",
            breakpoint=True,
        ),
    )


def test_small_budget_drops_snapshot_and_edits_and_keeps_the_cursor_region() -> None:
    request = completion(snap(SMALL), Position(1, 34), max_context_tokens=256)
    assert request.parts == (
        PromptPart("File: src/invoice.py (python)\n"),
        PromptPart(""),
        PromptPart(""),
        PromptPart(""),
        AFTER_SMALL,
        PromptPart(
            "<code_before_cursor>\ndef total(items):\n    return sum(i.price for i in it",
            breakpoint=True,
        ),
        TASK_SMALL,
    )


def test_naive_completion_request_layout() -> None:
    request = completion_request(
        snap(SMALL),
        Position(1, 34),
        [MODELS],
        CompletionLayout(anchor=None),
        max_context_tokens=12_000,
    )
    assert request.parts == (
        HEAD_WITH_MODELS,
        PromptPart(
            "<code_before_cursor>\ndef total(items):\n    return sum(i.price for i in it\n"
            "</code_before_cursor>\n"
        ),
        AFTER_SMALL,
        PromptPart(
            "The cursor is between code_before_cursor and code_after_cursor. Suggest the insertion."
        ),
    )
    assert request.prompt_cache_key == URI_KEY


def test_review_request_layout() -> None:
    request = review_request(
        snap("def f(n):\n    return n + 1\n"),
        [],
        max_context_tokens=12_000,
        max_output_tokens=1000,
        reasoning_effort=None,
    )
    assert request == ModelRequest(
        feature="diagnostics",
        instructions=REVIEW_INSTRUCTIONS,
        parts=(
            PromptPart(""),
            PromptPart(
                "File: src/invoice.py (python)\n<file>\n1| def f(n):\n2|     return n + 1\n3| "
                "\n</file>\n",
                breakpoint=True,
            ),
            PromptPart("Review the file above and report its bugs."),
        ),
        schema_name="review",
        json_schema=strict_schema(ReviewAnswer),
        max_output_tokens=1000,
        reasoning_effort=None,
        prompt_cache_key=URI_KEY,
    )


def test_an_excerpt_review_shows_numbered_excerpts_without_a_breakpoint() -> None:
    text = "".join(f"x_{n} = {n}\n" for n in range(40))
    request = review_request(snap(text), [], excerpts=((2, 4), (30, 31)), max_context_tokens=12_000)
    document, task = request.parts[1], request.parts[2]
    assert document == PromptPart(
        "File: src/invoice.py (python)\n<file lines 3-4>\n3| x_2 = 2\n4| x_3 = 3\n</file>\n"
        "<file lines 31-31>\n31| x_30 = 30\n</file>\n"
    )
    assert task.text.startswith("Only the parts of the file changed since its last review")


def test_a_short_file_is_reviewed_in_one_part() -> None:
    text = "".join(f"x_{n} = {n}\n" for n in range(40))
    assert review_parts(snap(text), [], 12_000) == ((0, 41),)


def test_a_long_file_is_reviewed_in_consecutive_parts_that_each_fit() -> None:
    blocks = [f"def f_{n}(a):\n    b = a * {n}\n    return b - {n}\n\n" for n in range(200)]
    snapshot = snap("".join(blocks))
    parts = review_parts(snapshot, [MODELS], 1800)
    assert len(parts) == 3
    assert parts[0][0] == 0 and parts[-1][1] == len(snapshot.lines)
    assert all(end == next_start for (_, end), (next_start, _) in itertools.pairwise(parts))
    for part in parts:
        request = review_request(
            snapshot, [MODELS], excerpts=(part,), changes_only=False, max_context_tokens=1800
        )
        assert estimate_tokens(request.instructions + request.prompt_text()) <= 1800
        assert "too many to review at once" in request.parts[2].text
    # parts end after a blank line, between two functions
    assert all(not snapshot.lines[end - 1].strip() for _, end in parts[:-1])


def test_rewrite_request_layout() -> None:
    request = rewrite_request(
        snap("def f(n):\n    return n + 1\n"),
        Span(Position(1, 0), Position(1, 16)),
        "Add a docstring.",
        max_context_tokens=12_000,
    )
    assert request == ModelRequest(
        feature="code_action",
        instructions=REWRITE_INSTRUCTIONS,
        parts=(
            PromptPart(
                "File: src/invoice.py (python)\n<file>\n1| def f(n):\n2|     return n + 1\n3| "
                "\n</file>\n",
                breakpoint=True,
            ),
            PromptPart(
                "Region to rewrite, lines 2-2:\n2|     return n + 1\n\n"
                "Request: Add a docstring.\nReturn the new text of lines 2-2."
            ),
        ),
        schema_name="rewrite",
        json_schema=strict_schema(RewriteAnswer),
        max_output_tokens=2048,
        reasoning_effort="low",
        prompt_cache_key=URI_KEY,
    )


@pytest.mark.parametrize(
    ("first", "last"), [(1000, 1002), (0, 3), (1995, 1999)], ids=["middle", "top", "bottom"]
)
def test_rewrite_of_a_long_file_shows_the_lines_around_the_region(first: int, last: int) -> None:
    text = "\n".join(f"x{n} = {n}" for n in range(2000))
    region = Span(Position(first, 0), Position(last, 0))
    request = rewrite_request(snap(text), region, "Simplify.", max_context_tokens=2000)
    document = request.parts[0].text
    shown = [int(line.split("|")[0]) for line in document.split("\n") if "|" in line]
    assert shown == list(range(shown[0], shown[-1] + 1))  # contiguous, numbered as in the file
    assert shown[0] <= first + 1 and last + 1 <= shown[-1]
    assert all(f"{n}| x{n - 1} = {n - 1}" in document for n in (shown[0], shown[-1]))
    assert f"<file lines {shown[0]}-{shown[-1]}>" in document
    assert 0.6 < estimate_tokens(request.prompt_text()) / 2000 <= 1.0
    if first == 1000:  # room on both sides: the region sits in the middle
        assert abs((first - shown[0]) - (shown[-1] - last)) < 50


def assignments(first: int, end: int, indent: str = "") -> str:
    return "".join(f"{indent}x{n} = {n}\n" for n in range(first, end))


def test_infill_is_the_file_head_the_window_before_the_cursor_and_the_line_s_rest() -> None:
    request = completion(snap(assignments(0, 200)), Position(100, 3))
    assert request.infill == Infill(
        assignments(80, 100) + "x10",  # 16-31 lines, from a multiple of 16
        "0 = 100",  # no line after the cursor's (INFILL_SUFFIX_LINES)
        max_newlines=0,  # inside a line: its rest only
        extra=(("src/invoice.py", assignments(0, 64)),),  # the same wherever the cursor is
    )


def test_infill_carries_the_same_fill_with_a_short_window() -> None:
    request = completion(snap(assignments(0, 200)), Position(100, 3))
    assert request.infill is not None and request.infill.short is not None
    assert request.infill.short == Infill(
        assignments(88, 100) + "x10",  # 8-15 lines, from a multiple of 8
        "0 = 100",
        max_newlines=0,
        extra=(("src/invoice.py", assignments(0, 64)),),  # the same head: cached for both
    )
    assert request.infill.short.short is None


@pytest.mark.parametrize("line", [3, 9])  # the windows would be the same lines
def test_no_short_window_where_it_shows_what_the_wide_one_shows(line: int) -> None:
    request = completion(snap(assignments(0, 200)), Position(line, 0))
    assert request.infill is not None and request.infill.short is None


@pytest.fixture
def short_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window of 8-15 lines (measured too, benchmarks/LOCAL.md), the file's head as an
    extra chunk and the enclosing lines: the tests below spell out its lines."""
    monkeypatch.setattr(prompts, "INFILL_BEFORE", 8)
    monkeypatch.setattr(prompts, "INFILL_HEAD_LINES", 64)
    monkeypatch.setattr(prompts, "INFILL_SCOPE", True)


@pytest.mark.usefixtures("short_window")
def test_a_short_infill_window_comes_with_the_file_head_as_an_extra_chunk() -> None:
    request = completion(snap(assignments(0, 200)), Position(100, 3))
    assert request.infill == Infill(
        assignments(88, 100) + "x10",  # 8-15 lines, from a multiple of 8
        "0 = 100",
        max_newlines=0,
        extra=(("src/invoice.py", assignments(0, 64)),),
    )


@pytest.mark.usefixtures("short_window")
@pytest.mark.parametrize("line", [72, 100, 150, 199])
def test_the_infill_head_is_the_same_wherever_the_cursor_is_below_it(line: int) -> None:
    request = completion(snap(assignments(0, 200)), Position(line, 0))
    assert request.infill is not None
    assert request.infill.extra == (("src/invoice.py", assignments(0, 64)),)


@pytest.mark.usefixtures("short_window")
def test_near_the_top_the_window_shows_the_head_itself() -> None:
    request = completion(snap(assignments(0, 200)), Position(60, 0))
    assert request.infill is not None
    assert (request.infill.prefix, request.infill.extra) == (assignments(48, 60), ())


@pytest.mark.usefixtures("short_window")
def test_a_long_infill_head_is_cut_at_its_end_in_steps_of_eight_lines() -> None:
    long_lines = "".join(f"x{n} = '{'y' * 150}'\n" for n in range(200))
    request = completion(snap(long_lines), Position(150, 0))
    assert request.infill is not None
    ((_, head),) = request.infill.extra
    assert head.count("\n") % 8 == 0 and 0 < head.count("\n") < 64
    assert estimate_tokens(head) <= 768 and long_lines.startswith(head)


@pytest.mark.usefixtures("short_window")
def test_the_window_follows_the_def_and_class_lines_that_enclose_it() -> None:
    text = (
        "import os\n\n\nclass Ledger:\n    rate = 2\n\n    def total(self, items):\n"
        + assignments(0, 40, "        ")
        + "\n\ndef after():\n    pass\n"
    )
    request = completion(snap(text), Position(45, 8))
    assert request.infill is not None
    # Window lines 32-44 (x25-x37) follow the enclosing lines; the lines between are elided.
    assert request.infill.prefix == (
        "class Ledger:\n    # ...\n    def total(self, items):\n        # ...\n"
        + assignments(25, 38, "        ")
        + "        "
    )


@pytest.mark.usefixtures("short_window")
def test_a_window_right_under_its_def_line_needs_no_gap_marker() -> None:
    text = "x = 1\n" * 14 + "def f(a):\n" + assignments(0, 20, "    ")
    request = completion(snap(text), Position(30, 4))
    assert request.infill is not None  # window from line 16: the def line is line 14
    assert request.infill.prefix.startswith("def f(a):\n    # ...\n    x1 = 1\n")
    under = "x = 1\n" * 7 + "def f(a):\n" + assignments(0, 20, "    ")
    request = completion(snap(under), Position(17, 4))  # window from line 8, the def's next
    assert request.infill is not None
    assert request.infill.prefix.startswith("def f(a):\n    x0 = 0\n")


def test_infill_on_an_empty_line_may_run_several_lines() -> None:
    request = completion(snap("def f():\n    \n"), Position(1, 4))
    assert request.infill == Infill("def f():\n    ", "", max_newlines=5)


def test_infill_at_the_end_of_a_line_may_add_the_next_line() -> None:
    request = completion(snap("if ready:\n    go()\n"), Position(0, 9))
    assert request.infill is not None and request.infill.max_newlines == 1


def test_successive_keystrokes_extend_the_infill_prefix() -> None:
    earlier, later = keystrokes("import math\n\n\ndef area(r):\n    return math.", "pi", "\n")[::2]
    assert earlier.infill is not None and later.infill is not None
    assert later.infill.prefix == earlier.infill.prefix + "pi"


def test_naive_infill_is_the_whole_file() -> None:
    snapshot = snap(SMALL)
    request = completion_request(
        snapshot, Position(1, 34), [], CompletionLayout(anchor=None), max_context_tokens=12_000
    )
    assert request.infill is not None
    assert request.infill.prefix + request.infill.suffix == SMALL


def test_secrets_are_redacted_from_the_infill() -> None:
    secret = "sk-proj-Q7w3E9r1T5y8U2i4O6p0AsDf"
    request = completion(snap(f'KEY = "{secret}"\nx = 1\n'), Position(1, 5))
    assert request.infill is not None
    assert secret not in request.infill.prefix + request.infill.suffix


# --- cache friendliness ------------------------------------------------------------------------


def keystrokes(before_cursor: str, typed: str, after_cursor: str) -> list[ModelRequest]:
    """One request per keystroke of `typed`, cursor after the typed text, anchored at the first."""
    requests = []
    for n in range(len(typed) + 1):
        head = before_cursor + typed[:n]
        line = head.count("\n")
        column = len(head) - (head.rfind("\n") + 1)
        snapshot = snap(head + after_cursor, version=n + 1)
        requests.append(
            completion(
                snapshot,
                Position(line, column),
                [MODELS],
                anchor_text=before_cursor + after_cursor,
                max_context_tokens=4000,
            )
        )
    return requests


BIG_HEAD = "".join(f"x{n} = {n}\n" for n in range(2000))


@pytest.mark.parametrize(
    ("before_cursor", "typed", "after_cursor"),
    [
        ("import math\n\n\ndef area(r):\n    return math.", "pi * r", "\n\nprint(area(2))\n"),
        ("def f():\n    ", "return 1", ""),
        (BIG_HEAD + "total = x1", " + x2", "\n" + BIG_HEAD),
    ],
    ids=["small-file", "end-of-file", "trimmed-4001-line-file"],
)
def test_successive_keystrokes_share_everything_but_the_tail(
    before_cursor: str, typed: str, after_cursor: str
) -> None:
    requests = keystrokes(before_cursor, typed, after_cursor)
    for earlier, later in itertools.pairwise(requests):
        stable = "".join(part.text for part in earlier.parts[:-1])
        assert later.prompt_text().startswith(stable)
        assert later.parts[:-2] == earlier.parts[:-2]


def test_long_file_shows_a_block_of_the_snapshot_and_a_quantized_window() -> None:
    request = keystrokes(BIG_HEAD + "total = x1", "", "\n" + BIG_HEAD)[0]
    top, region = request.parts[1].text, request.parts[2].text
    after, before = request.parts[4].text, request.parts[5].text
    # The file's head (40% of the snapshot's 60% of the budget, in 32-line steps), then the
    # cursor's pair of 192-line blocks [1792, 2176) after it, its tail trimmed to the budget.
    assert top.startswith("<snapshot lines 1-256>\nx0 = 0\n")
    assert top.endswith("\nx255 = 255\n</snapshot>\n")
    assert region.startswith("<snapshot lines 1793-2176>\nx1792 = 1792\n")
    assert region.endswith("\nx174 = 174\n</snapshot>\n")
    assert all(part.breakpoint for part in request.parts[1:3])
    assert before.startswith("<code_before_cursor>\nx1980 = 1980\nx1981 = 1981\n")
    assert before.endswith("\nx1999 = 1999\ntotal = x1")
    assert after.startswith("<code_after_cursor>\n\nx0 = 0\nx1 = 1\n")
    assert after.endswith("\nx2 = 2\nx3 = 3\n</code_after_cursor>\n")


@pytest.mark.parametrize(
    ("line_count", "cursor_line", "window"),
    [
        (10, 5, (0, 10)),
        (1000, 100, (84, 105)),
        (1000, 107, (84, 112)),
        (1000, 108, (96, 113)),
        (120, 117, (96, 120)),
        (4001, 2000, (1980, 2005)),
    ],
    ids=[
        "short-file-whole",
        "middle",
        "same-start-seven-lines-later-end-follows-the-cursor",
        "next-quantum",
        "clamped-to-the-end",
        "long-file",
    ],
)
def test_completion_window(line_count: int, cursor_line: int, window: tuple[int, int]) -> None:
    assert completion_window(line_count, cursor_line) == window


def test_a_small_window_moves_in_steps_of_its_size() -> None:
    starts = {completion_window(100, line, 8, 4)[0] for line in range(40, 48)}
    assert starts == {32}
    assert completion_window(100, 48, 8, 4) == (40, 53)


THOUSAND_LINES = "\n".join(f"v{n} = {n}" for n in range(1000))


@pytest.mark.parametrize(
    ("budget", "cursor_line", "region"),
    [
        (1_000_000, 500, (1000, 1000)),
        (2560, 0, (96, 224)),
        (2560, 191, (96, 224)),
        (2560, 192, (160, 288)),
        (2560, 999, (928, 1000)),
        (10, 500, (480, 544)),
    ],
    ids=[
        "whole-file-fits-in-the-head",
        "top",
        "last-line-of-the-first-pair",
        "next-pair",
        "end-of-file",
        "tiny-budget-one-quantum-blocks",
    ],
)
def test_snapshot_region(budget: int, cursor_line: int, region: tuple[int, int]) -> None:
    # 10 tokens a line; at 2560: a head of 96 lines (40%), then blocks of 64 lines.
    anchor = dataclasses.replace(Anchor.of(Snapshot(URI, 0, THOUSAND_LINES)), tokens=10_000)
    assert snapshot_lines(anchor, cursor_line, budget)[1] == region


@pytest.mark.parametrize(("budget", "head"), [(1_000_000, 1000), (2560, 96), (10, 0)])
def test_snapshot_head(budget: int, head: int) -> None:
    anchor = dataclasses.replace(Anchor.of(Snapshot(URI, 0, THOUSAND_LINES)), tokens=10_000)
    assert snapshot_head(anchor, budget) == head


@pytest.mark.parametrize("min_tokens", [1000, 1500, 2400])
def test_snapshot_head_reaches_the_caching_minimum_in_whole_blocks(min_tokens: int) -> None:
    sparse = "\n".join(["import os"] * 100 + ["value = compute(first, second, third) + 1"] * 900)
    anchor = Anchor.of(Snapshot(URI, 0, sparse))  # the first lines are sparser than the rest
    head = snapshot_head(anchor, 2560, min_tokens=min_tokens)

    def tokens(lines: int) -> int:
        return estimate_tokens("\n".join(anchor.redacted_lines[:lines]))

    assert head % 32 == 0
    assert tokens(head) >= min(min_tokens, 2560)
    assert tokens(head - 32) < min(min_tokens, 2560)  # not a block more than needed


def test_snapshot_head_without_a_minimum_is_the_share() -> None:
    anchor = dataclasses.replace(Anchor.of(Snapshot(URI, 0, THOUSAND_LINES)), tokens=10_000)
    assert snapshot_head(anchor, 2560, min_tokens=0) == snapshot_head(anchor, 2560) == 96
    assert snapshot_head(anchor, 1_000_000, min_tokens=1000) == 1000  # the whole file fits


def test_a_larger_head_leaves_the_region_the_rest_of_the_budget() -> None:
    anchor = dataclasses.replace(Anchor.of(Snapshot(URI, 0, THOUSAND_LINES)), tokens=10_000)
    first, end = snapshot_lines(anchor, 500, 2560, min_head_tokens=1000)[1]
    assert first >= 128 and first <= 500 < end  # after the 128-line head, around the cursor
    assert (end - first) * 10 <= 2560 - 1280  # two blocks within what the head left


@pytest.mark.parametrize(
    ("cursor_line", "region"),
    [(300, (128, 384)), (367, (128, 384)), (144, (128, 384)), (368, (288, 416)), (143, (96, 224))],
    ids=[
        "inside",
        "last-line-a-quarter-block-above-the-end",
        "a-quarter-block-below-the-top",
        "too-near-the-end",
        "too-near-the-top",
    ],
)
def test_snapshot_region_stays_while_the_cursor_is_well_inside(
    cursor_line: int, region: tuple[int, int]
) -> None:
    # blocks of 64
    anchor = dataclasses.replace(Anchor.of(Snapshot(URI, 0, THOUSAND_LINES)), tokens=10_000)
    assert snapshot_lines(anchor, cursor_line, 2560, previous=(128, 384))[1] == region


@pytest.mark.parametrize(
    ("hunks", "expected"),
    [
        ([Hunk(40, 41, 40, 41, ("x",))], []),
        ([Hunk(2, 3, 2, 3, ("x",))], [Hunk(2, 3, 2, 3, ("x",))]),
        ([Hunk(2, 3, 200, 201, ("x",))], [Hunk(2, 3, 200, 201, ("x",))]),
        ([Hunk(0, 1, 0, 1, ("x",)), Hunk(40, 41, 40, 41, ("y",))], [Hunk(0, 1, 0, 1, ("x",))]),
        ([Hunk(32, 33, 32, 33, ("x",))], []),
        ([Hunk(127, 128, 127, 128, ("x",))], []),
    ],
    ids=[
        "inside",
        "above",
        "below",
        "one-above-one-inside",
        "first-window-line",
        "last-window-line",
    ],
)
def test_edits_outside_the_window(hunks: list[Hunk], expected: list[Hunk]) -> None:
    assert edits_shown(hunks, (0, 1000), (32, 128)) == expected


@pytest.mark.parametrize(
    "hunk",
    [
        Hunk(31, 32, 31, 32, ("x",)),
        Hunk(31, 32, 32, 32, ()),
        Hunk(128, 129, 128, 129, ("x",)),
    ],
    ids=["line-just-above", "deletion-just-above", "line-at-end"],
)
def test_edits_just_outside_the_window_are_kept(hunk: Hunk) -> None:
    assert edits_shown([hunk], (0, 1000), (32, 128)) == [hunk]


@pytest.mark.parametrize(
    ("hunk", "shown"),
    [
        (Hunk(300, 301, 300, 301, ("x",)), True),
        (Hunk(250, 260, 250, 250, ()), True),
        (Hunk(200, 200, 200, 201, ("x",)), True),
        (Hunk(10, 11, 10, 11, ("x",)), False),
        (Hunk(500, 501, 520, 521, ("x",)), False),
    ],
    ids=["inside", "deletion-reaching-in", "insertion-at-the-first-line", "before", "after"],
)
def test_edits_outside_the_snapshot_region_are_left_out(hunk: Hunk, shown: bool) -> None:
    assert edits_shown([hunk], (200, 456), (0, 0)) == ([hunk] if shown else [])


def test_text_after_the_cursor_comes_before_the_text_before_it() -> None:
    text = "BEFORE_MARKER = 1\ndef area(r):\n    return 3.14 * r\n\nAFTER_MARKER = area(2)\n"
    prompt = completion(snap(text), Position(2, 0), max_context_tokens=256).prompt_text()
    assert prompt.index("AFTER_MARKER") < prompt.index("BEFORE_MARKER")


def test_workspace_files_are_in_a_stable_order_whatever_order_they_come_in() -> None:
    other = WorkspaceFile("file:///home/alice/acme-billing/src/a_first.py", "A = 1\n")
    forward = completion(snap(SMALL), Position(1, 34), [other, MODELS])
    backward = completion(snap(SMALL), Position(1, 34), [MODELS, other])
    assert (
        forward.parts[0]
        == backward.parts[0]
        == PromptPart(
            "Other open files in the workspace:\n"
            "### src/a_first.py\nA = 1\n\n"
            "### src/models.py\nclass Item:\n    price: float\n\n\n"
            "File: src/invoice.py (python)\n"
        )
    )


def test_workspace_files_over_their_share_of_the_budget_are_left_out() -> None:
    huge = WorkspaceFile("file:///home/alice/acme-billing/src/huge.py", "y = 0\n" * 2000)
    request = completion(snap(SMALL), Position(1, 34), [huge, MODELS], max_context_tokens=4000)
    assert request.parts[0] == HEAD_WITH_MODELS


@pytest.mark.parametrize(
    ("kind", "indexes", "starts_with"),
    [
        ("completion", [1, 3, 5], ["<snapshot>\n", "<edits_since_snapshot>\n", "<code_before"]),
        ("naive", [], []),
        ("review", [1], ["File: src/invoice.py (python)\n<file>\n"]),
        ("rewrite", [0], ["File: src/invoice.py (python)\n<file>\n"]),
    ],
    ids=[
        "completion-snapshot-edits-before-cursor",
        "naive-none",
        "review-document",
        "rewrite-document",
    ],
)
def test_breakpoints_end_each_stable_stretch(
    kind: str, indexes: list[int], starts_with: list[str]
) -> None:
    requests = dict(
        zip(
            ["completion", "naive", "review", "rewrite"],
            all_requests(snap(SMALL), Position(1, 34)),
            strict=True,
        )
    )
    parts = requests[kind].parts
    assert [n for n, part in enumerate(parts) if part.breakpoint] == indexes
    assert [parts[n].text[: len(start)] for n, start in zip(indexes, starts_with, strict=True)] == (
        starts_with
    )


# --- no paths, no secrets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        (URI, URI_KEY),
        (MODELS_URI, "codex-lsp-cd50a66a09ba14609842f550"),
    ],
    ids=["invoice", "models"],
)
def test_cache_key_is_a_hash_of_the_uri(uri: str, expected: str) -> None:
    assert cache_key(uri) == expected


@pytest.mark.parametrize(
    "kind", [0, 1, 2, 3], ids=["completion", "naive-completion", "review", "rewrite"]
)
def test_prompt_cache_key_and_prompt_carry_no_directory_names(kind: int) -> None:
    request = all_requests(snap(SMALL), Position(1, 34))[kind]
    assert request.prompt_cache_key == URI_KEY
    for word in ("alice", "acme-billing", "/home", "invoice"):
        assert word not in (request.prompt_cache_key or "")
    for word in ("alice", "acme-billing", "/home"):
        assert word not in request.prompt_text()


SECRET_FILE = (
    "import openai\n"
    f'client = openai.OpenAI(api_key="{SECRET}")\n'
    'DATABASE_URL = "postgres://app:hunter22@db.internal/prod"\n'
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAKC\n-----END RSA PRIVATE KEY-----\n"
    "print(client)\n"
)


@pytest.mark.parametrize(
    "kind", [0, 1, 2, 3], ids=["completion", "naive-completion", "review", "rewrite"]
)
@pytest.mark.parametrize(
    "cursor",
    [Position(0, 6), Position(7, 5), Position(1, 10)],
    ids=["cursor-above", "cursor-below", "cursor-before-the-secret"],
)
def test_secrets_in_the_document_are_redacted(kind: int, cursor: Position) -> None:
    prompt = all_requests(snap(SECRET_FILE), cursor)[kind].prompt_text()
    for leaked in (SECRET, "hunter22", "MIIEow", "IBAAKC"):
        assert leaked not in prompt
    assert 'api_key="[REDACTED]"' in prompt


def test_secret_left_of_the_cursor_is_not_repeated_in_the_task() -> None:
    snapshot = snap(SECRET_FILE)
    cursor = Position(1, len(snapshot.lines[1]))
    assert SECRET not in completion(snapshot, cursor).prompt_text()


def test_secrets_in_workspace_files_are_redacted() -> None:
    leaky = WorkspaceFile("file:///home/alice/acme-billing/src/config.py", f'TOKEN = "{SECRET}"\n')
    request = completion(snap(SMALL), Position(1, 34), [leaky])
    assert request.parts[0].text == (
        "Other open files in the workspace:\n"
        '### src/config.py\nTOKEN = "[REDACTED]"\n\n\n'
        "File: src/invoice.py (python)\n"
    )


def test_redaction_keeps_review_line_numbers() -> None:
    document = review_request(snap(SECRET_FILE), [], max_context_tokens=12_000).parts[1].text
    # The key's marker lines stay (the model sees a key is there), each body line is redacted.
    expected = (
        "\n4| -----BEGIN RSA PRIVATE KEY-----\n5| [REDACTED]\n6| [REDACTED]\n"
        "7| -----END RSA PRIVATE KEY-----\n8| print(client)\n"
    )
    assert expected in document


@pytest.mark.parametrize(
    ("text", "first_line", "expected"),
    [
        ("a\nb", 1, "1| a\n2| b"),
        ("x = 1", 41, "41| x = 1"),
        ("", 1, "1| "),
    ],
    ids=["two-lines", "offset", "empty"],
)
def test_numbered(text: str, first_line: int, expected: str) -> None:
    assert numbered(text, first_line) == expected
