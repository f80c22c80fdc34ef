"""What the assistant cleans up after a model: echoes, repeated line ends, line numbers, lines."""

from __future__ import annotations

import contextlib
import re

import pytest

from codex_lsp.engine.assistant import (
    FILE_SHARE,
    Assistant,
    RegionEdit,
    clean_insertion,
    fix_region,
    region_edit,
)
from codex_lsp.engine.calls import ModelCaller, ModelUnavailable
from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.engine.prompts import REWRITE_AROUND_LINES, WorkspaceFile
from codex_lsp.engine.review import ReviewFinding, locate_finding
from codex_lsp.engine.schemas import Finding, Rewrite
from codex_lsp.engine.tokens import estimate_tokens
from codex_lsp.providers.base import TextDelta, Usage
from codex_lsp.settings import Settings
from tests.unit.fakes import FakeProvider


def span(text: str) -> Span:
    """`"4:19-4:34"` (0-based line:character) as a Span."""
    start, end = text.split("-")
    (l1, c1), (l2, c2) = (map(int, start.split(":")), map(int, end.split(":")))
    return Span(Position(l1, c1), Position(l2, c2))


# --- clean_insertion ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "before", "after", "expected"),
    [
        ("i * radius**2", "def area(radius):\n    return math.p", "\n", "i * radius**2"),
        (
            "return math.pi * radius**2",
            "def area(radius):\n    return math.p",
            "\n",
            "i * radius**2",
        ),
        ("alpha,\n    beta)", "x = compute(\n    alpha,\n    ", "", "beta)"),
        ("= 0:", "    if n =", "", "= 0:"),
        ("x)", "print(", ")\nnext()", "x"),
        ("value)\n", "print(", ")", "value"),
        ("ems)", "x = len(it", ")", "ems"),
        ("return math.pi)", "    return ma", ")", "th.pi"),
        ("a, b)  # total", "result = compute(", "a, b)  # total", ""),
        ("    return total\n", "def f():\n", "", "    return total\n"),
        ("   \n", "x = ", "", ""),
        ("1\r\ny = 2", "x = ", "", "1\ny = 2"),
        ("x = 1", "    x = 1", "", ""),
        ("\n    total = 0", "def f():\n    x = 1", "\n    total = 0\n", ""),
        ("\n    y = 2\n    total = 0", "    x = 1", "\n\n    total = 0\n    return", "\n    y = 2"),
        (
            "\n    y = 2\n    total = 0",
            "    x = 1",
            "\n    y = 3\n    total = 0",
            "\n    y = 2\n    total = 0",
        ),
        ("\n    )\n    y = 1", "    f(", "\n    )\n", "\n    )\n    y = 1"),
    ],
    ids=[
        "clean-suggestion-unchanged",
        "echo-of-the-line-removed",
        "echo-across-lines-removed",
        "short-overlap-is-real-code",
        "rest-of-line-removed",
        "rest-of-line-after-trailing-newline",
        "rest-of-word-and-line",
        "echo-and-rest-of-line",
        "only-the-rest-of-the-line-is-empty",
        "indented-new-line-kept",
        "whitespace-only-is-empty",
        "crlf-normalized",
        "pure-echo-is-empty",
        "a repeat of the next line is no suggestion",
        "cut before the repeat of the next code line",
        "only the line right after counts",
        "a bracket line is not code to compare",
    ],
)
def test_clean_insertion(text: str, before: str, after: str, expected: str) -> None:
    assert clean_insertion(text, before, after) == expected


@pytest.mark.parametrize(
    ("text", "before", "after", "expected"),
    [
        ("len(x)", "print(", ")", "len(x)"),
        ('d["key"]', "values = [", "]", 'd["key"]'),
    ],
    ids=["balanced-call-in-auto-closed-paren", "balanced-index-in-auto-closed-bracket"],
)
def test_clean_insertion_keeps_balanced_brackets(
    text: str, before: str, after: str, expected: str
) -> None:
    assert clean_insertion(text, before, after) == expected


# --- locate_finding ----------------------------------------------------------------------------

MEAN = Snapshot(
    "file:///w/stats.py",
    3,
    "def mean(values):\n"
    "    total = 0\n"
    "    for v in values:\n"
    "        total += v\n"
    "    return total / len(values) - 1\n",
)


def finding(line: int, snippet: str, code: str = "off-by-one") -> Finding:
    return Finding(
        line=line, snippet=snippet, severity="warning", code=code, message="Subtracts one."
    )


@pytest.mark.parametrize(
    ("line", "snippet", "expected"),
    [
        (5, "len(values) - 1", "4:19-4:34"),
        (5, "  len(values)  ", "4:19-4:30"),
        (5, "total += v", "3:8-3:18"),
        (1, "total = 0", "1:4-1:13"),
        (3, "return total", "4:4-4:16"),
        (5, "len(values)-1", "4:4-4:34"),
    ],
    ids=[
        "snippet-on-the-line",
        "snippet-whitespace-ignored",
        "snippet-one-line-above",
        "snippet-one-line-below",
        "snippet-two-lines-below",
        "snippet-spaced-differently-whole-line",
    ],
)
def test_locate_finding(line: int, snippet: str, expected: str) -> None:
    assert locate_finding(MEAN, finding(line, snippet)) == ReviewFinding(
        span(expected), "warning", "off-by-one", "Subtracts one."
    )


@pytest.mark.parametrize("line", [0, -3, 7, 99], ids=["zero", "negative", "past-end", "far"])
def test_finding_outside_the_file_is_dropped(line: int) -> None:
    assert locate_finding(MEAN, finding(line, "total")) is None


@pytest.mark.parametrize(
    ("line", "snippet"),
    [(1, "total += v"), (4, "sum(values)"), (5, ""), (6, "x")],
    ids=["three-lines-away", "not-in-the-file", "empty-snippet", "blank-last-line"],
)
def test_finding_whose_code_is_not_there_is_dropped(line: int, snippet: str) -> None:
    assert locate_finding(MEAN, finding(line, snippet)) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("off-by-one", "off-by-one"),
        ("Off By One!", "off-by-one"),
        ("  __wrong_operator__ ", "wrong-operator"),
        ("!!!", "ai-review"),
        ("a" * 50, "a" * 40),
    ],
    ids=["kebab", "words", "underscores", "nothing-left", "too-long"],
)
def test_finding_code_is_short_kebab_case(code: str, expected: str) -> None:
    located = locate_finding(MEAN, finding(5, "len(values)", code=code))
    assert located is not None
    assert located.code == expected


# --- fix_region and region_edit ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        ("2:4-2:20", "0:0-4:34"),
        ("0:4-0:8", "0:0-2:20"),
        ("4:19-4:34", "2:0-5:0"),
    ],
    ids=["middle", "clamped-at-the-top", "clamped-at-the-bottom"],
)
def test_fix_region_is_whole_lines_around_the_problem(problem: str, expected: str) -> None:
    assert fix_region(MEAN, span(problem)) == span(expected)


REGION = span("1:0-2:20")  # "    total = 0\n    for v in values:"


@pytest.mark.parametrize(
    ("replacement", "expected"),
    [
        (
            "    total = 0.0\n    for v in values:",
            RegionEdit(REGION, "    total = 0.0\n    for v in values:", "Float total."),
        ),
        (
            "2|     total = 0.0\n3|     for v in values:",
            RegionEdit(REGION, "    total = 0.0\n    for v in values:", "Float total."),
        ),
        (
            "2| total = 0.0\n\n3|for v in values:\n",
            RegionEdit(REGION, "total = 0.0\n\nfor v in values:", "Float total."),
        ),
        (
            "    total = 0.0\r\n    for v in values:\r\n",
            RegionEdit(REGION, "    total = 0.0\n    for v in values:", "Float total."),
        ),
        (
            "2|     total = 0.0\n    for v in values:",
            RegionEdit(REGION, "2|     total = 0.0\n    for v in values:", "Float total."),
        ),
        ("    total = 0\n    for v in values:", None),
        ("    total = 0\n    for v in values:\n", None),
        ("2|     total = 0\n3|     for v in values:", None),
    ],
    ids=[
        "plain",
        "line-numbers-stripped",
        "line-numbers-without-space-and-blank-line",
        "crlf-and-final-newline",
        "partly-numbered-kept-as-is",
        "identical-is-none",
        "identical-but-final-newline-is-none",
        "identical-once-numbers-stripped-is-none",
    ],
)
def test_region_edit(replacement: str, expected: RegionEdit | None) -> None:
    rewrite = Rewrite(replacement=replacement, explanation="Float total.")
    assert region_edit(MEAN, REGION, rewrite) == expected


# --- completions through the assistant (cache-aware layout, real anchors) ----------------------

ANSWER = [TextDelta('{"suggestions": [{"insert_text": "x"}]}'), Usage(1_000, 0, 0, 5)]
SECRET = "sk-proj-Q7w3E9r1T5y8U2i4O6p0AsDf"
LONG = "".join(f"value_{n} = {n}\n" for n in range(100))  # cursor region: lines 32..


def assistant_with_fake_model() -> tuple[Assistant, FakeProvider]:
    provider = FakeProvider({"gpt-5.4-mini": ANSWER})
    caller = ModelCaller(provider, ["gpt-5.4-mini"], notify=lambda *_: None)
    return Assistant(caller, Settings(model="gpt-5.4-mini")), provider


async def complete_at_end_of(assistant: Assistant, text: str) -> list[str]:
    snapshot = Snapshot("file:///w/long.py", 1, text, "python")
    cursor = Position(len(snapshot.lines) - 1, len(snapshot.lines[-1]))
    return [suggestion async for suggestion in assistant.complete(snapshot, cursor, [])]


async def test_typing_at_the_cursor_extends_the_previous_prompt() -> None:
    assistant, provider = assistant_with_fake_model()
    assert await complete_at_end_of(assistant, LONG + "total = val") == ["x"]
    assert await complete_at_end_of(assistant, LONG + "total = valu") == ["x"]
    earlier, later = provider.requests
    # Only the text before the cursor grew, and the prompt ends with it: the earlier prompt is
    # all of the later one but its last character (nothing after the cursor is ever uncached).
    assert later.prompt_text() == earlier.prompt_text() + "u"
    assert later.parts[-1].text == earlier.parts[-1].text + "u"
    assert later.parts[-1].text.endswith("total = valu")
    assert later.parts[3].text == "Task: completion (answer: suggestions).\n"


async def test_an_edit_far_above_keeps_the_snapshot_and_is_sent_as_a_diff() -> None:
    assistant, provider = assistant_with_fake_model()
    await complete_at_end_of(assistant, LONG + "total = val")
    await complete_at_end_of(
        assistant, LONG.replace("value_3 = 3\n", "value_3 = 33\n") + "total = v"
    )
    earlier, later = provider.requests
    assert earlier.parts[:3] == later.parts[:3]
    assert earlier.parts[1].text.startswith("<snapshot>\n1| value_0 = 0\n2| value_1 = 1\n")
    assert (earlier.parts[4].text, later.parts[4].text) == (
        "<edits_since_snapshot>\n</edits_since_snapshot>\n",
        "<edits_since_snapshot>\nreplace snapshot lines 4-4 with:\nvalue_3 = 33\n"
        "</edits_since_snapshot>\n",
    )


async def test_a_key_pasted_far_above_the_cursor_is_redacted() -> None:
    assistant, provider = assistant_with_fake_model()
    await complete_at_end_of(assistant, LONG + "total = val")
    await complete_at_end_of(assistant, f'OPENAI_API_KEY = "{SECRET}"\n' + LONG + "total = val")
    assert SECRET not in provider.requests[1].prompt_text()


HUGE = "".join(f"value_{n} = ({n}, '{n}')\n" for n in range(3000))  # far over editContextTokens


async def complete_at(assistant: Assistant, text: str, line: int) -> None:
    snapshot = Snapshot("file:///w/long.py", 1, text, "python")
    async for _ in assistant.complete(snapshot, Position(line, 0), []):
        pass


def shown_lines(block: str) -> tuple[int, int]:
    """The first and last line numbers of a numbered snapshot block ("<snapshot>", "N| ...")."""
    lines = block.removeprefix("<snapshot>\n").removesuffix("\n</snapshot>\n").split("\n")
    assert block.startswith("<snapshot>\n") and block.endswith("\n</snapshot>\n")
    return int(lines[0].split("|", 1)[0]), int(lines[-1].split("|", 1)[0])


async def test_completions_in_a_long_file_show_the_region_around_the_cursor() -> None:
    assistant, provider = assistant_with_fake_model()
    await complete_at(assistant, HUGE, 2000)
    (request,) = provider.requests
    head, region = request.parts[1].text, request.parts[2].text
    assert shown_lines(head)[0] == 1 and "value_0 = " in head  # the file's top
    first, last = shown_lines(region)
    assert first <= 2000 - 32 and last >= 2000 + 32  # context on both sides
    assert "value_2999 = " not in request.prompt_text()
    assert estimate_tokens(request.prompt_text()) <= assistant.settings.edit_context_tokens


async def test_moving_to_another_region_re_anchors_on_the_current_text() -> None:
    assistant, provider = assistant_with_fake_model()
    await complete_at(assistant, HUGE, 2000)
    edited = HUGE.replace("value_400 = (400, '400')", "value_400 = None")
    await complete_at(assistant, edited, 2001)  # same region: the old snapshot, no diff shown
    await complete_at(assistant, edited, 400)  # another region: a fresh anchor, nothing stale
    same_region, elsewhere = provider.requests[1], provider.requests[2]
    assert same_region.parts[1:3] == provider.requests[0].parts[1:3]
    assert "value_400 = None" not in same_region.prompt_text()  # outside what is shown
    assert "value_400 = None" in elsewhere.parts[2].text
    assert elsewhere.parts[4].text == "<edits_since_snapshot>\n</edits_since_snapshot>\n"
    assert assistant.anchors.reanchors == 1


async def test_moving_keeps_the_anchor_while_the_head_has_edits() -> None:
    assistant, provider = assistant_with_fake_model()
    await complete_at(assistant, HUGE, 2000)
    edited = HUGE.replace("value_3 = (3, '3')", "value_3 = None")  # in the file's head
    await complete_at(assistant, edited, 2001)
    await complete_at(assistant, edited, 1000)  # another region, the head stays cached
    first, elsewhere = provider.requests[0], provider.requests[2]
    assert elsewhere.parts[1] == first.parts[1]  # the head as first sent
    assert "value_3 = None" in elsewhere.parts[4].text  # the edit, as a diff
    assert elsewhere.parts[2] != first.parts[2]  # the new region
    assert assistant.anchors.reanchors == 0


async def test_the_naive_layout_sends_the_whole_file_within_max_context_tokens() -> None:
    provider = FakeProvider({"gpt-5.4-mini": ANSWER})
    caller = ModelCaller(provider, ["gpt-5.4-mini"], notify=lambda *_: None)
    settings = Settings(model="gpt-5.4-mini", prompt_layout="naive", max_context_tokens=50_000)
    assistant = Assistant(caller, settings)
    await complete_at(assistant, HUGE[: len(HUGE) // 2], 1000)
    assert "value_0 = " in provider.requests[0].prompt_text()
    assert "value_1499 = " in provider.requests[0].prompt_text()


async def test_a_rewrite_reads_the_completion_prefix_then_sends_what_it_lacks() -> None:
    """Shared layout: the rewrite prompt starts as the document's completion prompt does (the
    cached part), then adds the region's surroundings the snapshot lacks, within half the edit
    budget."""
    assistant, provider = assistant_with_fake_model()
    await complete_at(assistant, HUGE, 1500)
    snapshot = Snapshot("file:///w/long.py", 1, HUGE, "python")
    with contextlib.suppress(ModelUnavailable):  # the fake answers with suggestions
        await assistant.rewrite(snapshot, snapshot.line_span(1500, 1502), "Simplify.")
    completion, rewrite = provider.requests
    assert (rewrite.instructions, rewrite.json_schema) == (
        completion.instructions,
        completion.json_schema,
    )
    assert rewrite.parts[:3] == completion.parts[:3] and "value_0 = " in rewrite.parts[1].text
    tail = rewrite.parts[-1].text
    assert "Region to rewrite, lines 1501-1503:\n1501| value_1500 = " in tail
    assert tail.rstrip().endswith(
        "Task: rewrite (answer: one rewrite). Return the new text of lines 1501-1503."
    )
    assert "value_2999 = " not in rewrite.prompt_text()
    # the snapshot's region shows the lines around it as they are: only the region follows
    assert re.findall(r"^(\d+)\| ", tail, re.MULTILINE) == ["1501", "1502", "1503"]

    with contextlib.suppress(ModelUnavailable):  # far from the region the snapshot shows
        await assistant.rewrite(snapshot, snapshot.line_span(2500, 2502), "Simplify.")
    far = provider.requests[-1].parts[-1].text
    shown = [int(n) for n in re.findall(r"^(\d+)\| ", far, re.MULTILINE)]
    around = list(range(2501 - REWRITE_AROUND_LINES, 2504 + REWRITE_AROUND_LINES))
    assert shown == [*around, 2501, 2502, 2503]  # the surroundings, then the region


async def test_with_other_files_open_a_rewrite_still_starts_as_the_completions_do() -> None:
    assistant, provider = assistant_with_fake_model()
    snapshot = Snapshot("file:///w/long.py", 1, HUGE, "python")
    other = [WorkspaceFile("file:///w/other.py", "def helper():\n    return 1\n")]
    async for _ in assistant.complete(snapshot, Position(1500, 0), other):
        pass
    with contextlib.suppress(ModelUnavailable):
        await assistant.rewrite(snapshot, snapshot.line_span(1500, 1502), "Simplify.", other)
    completion, rewrite = provider.requests
    assert "def helper():" in completion.parts[0].text
    assert rewrite.parts[:3] == completion.parts[:3]


async def test_a_rewrite_for_an_embedded_model_sends_the_lines_around_its_region_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Assistant, "shared_layout", property(lambda self: False))
    assistant, provider = assistant_with_fake_model()
    snapshot = Snapshot("file:///w/long.py", 1, HUGE, "python")
    with contextlib.suppress(ModelUnavailable):  # the fake answers another schema
        await assistant.rewrite(snapshot, snapshot.line_span(1500, 1502), "Simplify.")
    (request,) = provider.requests
    prompt = request.instructions + request.prompt_text()
    assert "1501| value_1500 = " in prompt and "1503| value_1502 = " in prompt
    assert "value_0 = " not in prompt and "value_2999 = " not in prompt
    assert estimate_tokens(prompt) <= assistant.settings.edit_context_tokens // 2


async def test_near_the_top_the_region_follows_the_head_without_a_gap() -> None:
    assistant, provider = assistant_with_fake_model()
    await complete_at(assistant, HUGE, 10)
    (request,) = provider.requests
    head, region = request.parts[1].text, request.parts[2].text
    assert shown_lines(region)[0] == shown_lines(head)[1] + 1


MEDIUM = "".join(f"value_{n} = ({n}, '{n}')\n" for n in range(500))  # ~3.3k tokens


async def test_a_smaller_file_gets_a_smaller_prompt_of_its_head_and_the_window() -> None:
    assistant, provider = assistant_with_fake_model()
    await complete_at(assistant, MEDIUM, 150)
    assistant, second = assistant_with_fake_model()
    await complete_at(assistant, HUGE, 2000)
    (medium,), (huge,) = provider.requests, second.requests
    file_tokens = estimate_tokens(MEDIUM)
    assert estimate_tokens(medium.prompt_text()) <= FILE_SHARE * file_tokens
    assert estimate_tokens(huge.prompt_text()) > FILE_SHARE * file_tokens
    first, last = shown_lines(medium.parts[1].text)  # the head: whole 32-line blocks
    assert first == 1 and last % 32 == 0 and last < 500
    assert medium.parts[2].text == "" and huge.parts[2].text != ""  # no region


async def test_a_review_cut_short_by_the_backend_does_not_stand_for_the_text() -> None:
    from codex_lsp.providers.base import ProviderError

    half = TextDelta('{"findings": [{"line": 1, "code": "x = 1", "severity": "error", ')
    provider = FakeProvider({"gpt-5.4-mini": [half, ProviderError("dropped", retryable=False)]})
    caller = ModelCaller(provider, ["gpt-5.4-mini"], notify=lambda *_: None)
    assistant = Assistant(caller, Settings(model="gpt-5.4-mini"))
    snapshot = Snapshot("file:///w/a.py", 1, "x = 1\n", "python")
    for _ in range(2):
        async for _ in assistant.review(snapshot, []):
            pass
    assert len(provider.requests) == 2  # not remembered as reviewed: asked again
