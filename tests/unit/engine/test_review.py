"""Reviews after the first: only what changed goes to the model, earlier findings move with it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.cache import diff_hunks
from codex_lsp.engine.calls import ModelCaller
from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.engine.review import (
    WHOLE_FILE,
    Reviewed,
    ReviewFinding,
    changed_excerpts,
    plan_review,
    standing,
)
from codex_lsp.providers.base import TextDelta, Usage
from codex_lsp.settings import Settings
from tests.unit.fakes import Event, FakeProvider

LINES = tuple(f"value_{n} = compute({n})" for n in range(300))
BUDGET = 4096


def at_line(line: int, message: str = "wrong") -> ReviewFinding:
    return ReviewFinding(Span(Position(line, 0), Position(line, 7)), "error", "bug", message)


def edited(lines: tuple[str, ...], line: int, text: str) -> tuple[str, ...]:
    return (*lines[:line], text, *lines[line + 1 :])


# --- plan_review -------------------------------------------------------------------------------


def test_a_file_never_reviewed_is_reviewed_whole() -> None:
    assert plan_review(None, LINES, BUDGET) == WHOLE_FILE


def test_unchanged_text_needs_no_model_and_keeps_its_findings() -> None:
    previous = Reviewed(LINES, (at_line(5),))
    plan = plan_review(previous, LINES, BUDGET)
    assert not plan.needs_model
    assert plan.carried == (at_line(5),)


def test_a_small_change_is_reviewed_with_its_surroundings_only() -> None:
    previous = Reviewed(
        LINES, (at_line(5, "above"), at_line(150, "changed"), at_line(280, "below"))
    )
    current = (*LINES[:100], "inserted = 1", *edited(LINES, 150, "value_150 = None")[100:])
    plan = plan_review(previous, current, BUDGET)
    assert not plan.whole_file
    # the insertion at line 100 and the change at old line 150 (now 151), 12 lines around each
    assert plan.excerpts == ((88, 113), (139, 164))
    # the finding on the changed line is re-judged; the others stand, moved by the insertion
    assert plan.carried == (at_line(5, "above"), at_line(281, "below"))


def test_a_finding_on_an_unchanged_line_inside_an_excerpt_is_re_judged() -> None:
    previous = Reviewed(LINES, (at_line(145),))
    plan = plan_review(previous, edited(LINES, 150, "value_150 = None"), BUDGET)
    assert plan.excerpts == ((138, 163),)
    assert plan.carried == ()


def test_a_deletion_is_reviewed_where_it_was() -> None:
    current = LINES[:200] + LINES[210:]
    plan = plan_review(Reviewed(LINES, ()), current, BUDGET)
    assert plan.excerpts == ((188, 213),)


def test_changes_over_half_the_file_are_reviewed_whole() -> None:
    current = tuple(line if n % 20 else line + "  # changed" for n, line in enumerate(LINES))
    assert plan_review(Reviewed(LINES, ()), current, BUDGET) == WHOLE_FILE


def test_excerpts_over_the_budget_are_reviewed_whole() -> None:
    current = edited(LINES, 150, "value_150 = None")
    assert plan_review(Reviewed(LINES, ()), current, budget_tokens=50) == WHOLE_FILE


def test_nearby_changes_share_one_excerpt() -> None:
    current = edited(edited(LINES, 10, "a = 1"), 30, "b = 2")
    assert changed_excerpts(diff_hunks(LINES, current), len(current)) == ((0, 43),)


def test_comment_blank_and_trailing_space_changes_need_no_model() -> None:
    previous = Reviewed(LINES, (at_line(5, "above"), at_line(150, "below")))
    current = (
        *LINES[:100],
        "# a new comment",
        "",
        *edited(LINES, 120, LINES[120] + "   ")[100:130],
        "    # an indented comment",
        *LINES[130:],
    )
    plan = plan_review(previous, current, BUDGET, "python")
    assert not plan.needs_model
    # the findings stand, at their lines after the three inserted lines
    assert plan.carried == (at_line(5, "above"), at_line(153, "below"))


def test_only_the_code_changes_are_reviewed_beside_comment_changes() -> None:
    current = edited(edited(LINES, 50, "# value_50 was here"), 200, "value_200 = None")
    plan = plan_review(Reviewed(LINES, ()), current, BUDGET, "python")
    assert plan.excerpts == ((38, 63), (188, 213))  # line 51 commented out is a code change
    current = (*LINES[:50], "# about value_50", *edited(LINES, 200, "value_200 = None")[50:])
    plan = plan_review(Reviewed(LINES, ()), current, BUDGET, "python")
    assert plan.excerpts == ((189, 214),)  # the comment line is not reviewed


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("python", "    value_40 = compute(40)"),  # indentation is code in Python
        ("c", "#define value_40 1"),  # `#` is the preprocessor, not a comment, in C
        ("plaintext", "# value_40"),  # no comment syntax known: reviewed as code
        ("python", "value_40 = compute(41)  # note"),  # a trailing comment on code
    ],
)
def test_code_like_changes_are_reviewed(language: str, text: str) -> None:
    plan = plan_review(Reviewed(LINES, ()), edited(LINES, 40, text), BUDGET, language)
    assert plan.excerpts == ((28, 53),)


def test_a_comment_change_on_a_finding_line_is_judged_again() -> None:
    """The finding is not dropped unseen: its lines are reviewed."""
    current = edited(LINES, 60, LINES[60] + "  ")
    plan = plan_review(Reviewed(LINES, (at_line(60), at_line(90))), current, BUDGET, "python")
    assert plan.excerpts == ((48, 73),) and plan.carried == (at_line(90),)
    # a comment inserted above it leaves its line as it was: it moves down and stands
    current = (*LINES[:60], "# why value_60 is computed", *LINES[60:])
    plan = plan_review(Reviewed(LINES, (at_line(60),)), current, BUDGET, "python")
    assert not plan.needs_model and plan.carried == (at_line(61),)
    # a JavaScript comment is `//`
    current = (*LINES[:60], "  // a note", *LINES[60:])
    assert not plan_review(Reviewed(LINES, ()), current, BUDGET, "javascript").needs_model


def test_between_reviews_findings_move_with_the_text_and_go_with_their_lines() -> None:
    previous = Reviewed(LINES, (at_line(5, "above"), at_line(150, "changed"), at_line(280)))
    current = (*LINES[:100], "inserted = 1", *edited(LINES, 150, "value_150 = None")[100:])
    assert standing(previous, current) == (at_line(5, "above"), at_line(281))
    assert standing(None, current) == ()


# --- through the assistant ---------------------------------------------------------------------

URI = "file:///w/values.py"


def answer(*findings: tuple[int, str]) -> list[Event]:
    body = [
        {"line": line, "snippet": snippet, "severity": "error", "code": "bug", "message": "wrong"}
        for line, snippet in findings
    ]
    return [TextDelta(json.dumps({"findings": body})), Usage(1_000, 0, 0, 5)]


def reviewer(layout: str = "cache-aware") -> tuple[Assistant, FakeProvider]:
    provider = FakeProvider({"gpt-5.4-mini": answer()})
    caller = ModelCaller(provider, ["gpt-5.4-mini"], notify=lambda *_: None)
    return Assistant(caller, Settings(model="gpt-5.4-mini", prompt_layout=layout)), provider


async def review(assistant: Assistant, lines: tuple[str, ...]) -> list[int]:
    snapshot = Snapshot(URI, 1, "\n".join(lines), "python")
    return [finding.span.start.line async for finding in assistant.review(snapshot, [])]


async def test_the_second_review_sends_the_change_and_keeps_the_findings_elsewhere() -> None:
    assistant, provider = reviewer()
    provider.scripts["gpt-5.4-mini"] = answer((11, "value_10"), (251, "value_250"))
    assert await review(assistant, LINES) == [10, 250]
    whole = provider.requests[0].prompt_text()
    assert "1| value_0 = " in whole and "300| value_299 = " in whole
    assert whole.endswith("Review the whole file and report its bugs.")

    # the model also reports line 11 again, outside what it was asked about: not taken
    provider.scripts["gpt-5.4-mini"] = answer((151, "None"), (11, "value_10"))
    assert await review(assistant, edited(LINES, 150, "value_150 = None")) == [10, 250, 150]
    first, second = provider.requests
    # The shared prefix (the snapshot's head, now the current text) is read again; after it
    # come only the changed lines the snapshot does not show, and the task names them.
    assert second.parts[:3] == first.parts[:3] and "value_0 = " in second.parts[1].text
    tail = second.parts[-1].text
    assert "<file lines 139-163>" in tail and "151| value_150 = None" in tail
    assert "value_299 = " not in tail and "Review lines 139-163 and report their bugs" in tail


async def test_a_change_inside_the_cached_snapshot_is_sent_as_it_is_now() -> None:
    """The snapshot stays as cached (taken before the edit); the changed lines follow in the
    current text, whose numbers the answer uses."""
    assistant, provider = reviewer()
    await review(assistant, LINES)
    provider.scripts["gpt-5.4-mini"] = answer((11, "None"))
    assert await review(assistant, edited(LINES, 10, "value_10 = None")) == [10]
    first, second = provider.requests
    assert (
        second.parts[:3] == first.parts[:3] and "11| value_10 = compute(10)" in first.parts[1].text
    )
    tail = second.parts[-1].text
    assert "taken before the latest edits" in tail and "11| value_10 = None" in tail
    assert "Review lines 1-23 and report their bugs" in tail


async def test_without_the_shared_layout_the_second_review_sends_the_change_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Assistant, "shared_layout", property(lambda self: False))
    assistant, provider = reviewer()
    provider.scripts["gpt-5.4-mini"] = answer((11, "value_10"), (251, "value_250"))
    assert await review(assistant, LINES) == [10, 250]
    provider.scripts["gpt-5.4-mini"] = answer((151, "None"), (11, "value_10"))
    assert await review(assistant, edited(LINES, 150, "value_150 = None")) == [10, 250, 150]
    excerpt = provider.requests[1].prompt_text()
    assert "<file lines 139-163>" in excerpt and "151| value_150 = None" in excerpt
    assert "value_0 = " not in excerpt and "value_299 = " not in excerpt


async def test_a_review_after_edits_renumbers_the_snapshot_that_completions_then_share() -> None:
    """A review needs true line numbers: the snapshot becomes the current text first, and the
    next completion's prompt starts with the prefix the review cached."""
    assistant, provider = reviewer()
    text = "\n".join(LINES)
    async for _ in assistant.complete(Snapshot(URI, 1, text, "python"), Position(20, 0), []):
        pass
    inserted = ("import os", *LINES)
    await review(assistant, inserted)
    changed = Snapshot(URI, 3, "\n".join(inserted), "python")
    async for _ in assistant.complete(changed, Position(21, 0), []):
        pass
    completion, reviewed, later = provider.requests
    assert reviewed.parts[1].text.startswith("<snapshot>\n1| import os\n2| value_0")
    assert later.parts[:3] == reviewed.parts[:3] and completion.parts[1] != reviewed.parts[1]
    assert (later.instructions, later.json_schema) == (reviewed.instructions, reviewed.json_schema)


async def test_saving_again_without_changes_costs_no_call() -> None:
    assistant, provider = reviewer()
    provider.scripts["gpt-5.4-mini"] = answer((11, "value_10"))
    assert await review(assistant, LINES) == [10]
    assert await review(assistant, LINES) == [10]
    assert len(provider.requests) == 1
    assert assistant.caller.ledger.avoided == {"review": 1}


async def test_saving_after_a_comment_edit_costs_no_call_and_moves_the_findings() -> None:
    assistant, provider = reviewer()
    provider.scripts["gpt-5.4-mini"] = answer((251, "value_250"))
    assert await review(assistant, LINES) == [250]
    commented = (*LINES[:10], "# a comment", *LINES[10:])
    assert await review(assistant, commented) == [251]
    assert len(provider.requests) == 1
    # the next review diffs against the commented text: a code change is still reviewed
    provider.scripts["gpt-5.4-mini"] = answer((152, "None"))
    assert await review(assistant, edited(commented, 151, "value_150 = None")) == [251, 151]
    assert len(provider.requests) == 2


async def test_a_review_left_early_does_not_stand_for_the_text() -> None:
    assistant, provider = reviewer()
    provider.scripts["gpt-5.4-mini"] = answer((11, "value_10"), (21, "value_20"))
    snapshot = Snapshot(URI, 1, "\n".join(LINES), "python")
    async for _ in assistant.review(snapshot, []):
        break  # a newer version replaced this review
    await review(assistant, edited(LINES, 150, "value_150 = None"))
    assert "1| value_0 = " in provider.requests[1].prompt_text()  # whole again


async def test_the_naive_layout_reviews_the_whole_file_every_time() -> None:
    assistant, provider = reviewer("naive")
    await review(assistant, LINES)
    await review(assistant, edited(LINES, 150, "value_150 = None"))
    await review(assistant, edited(LINES, 150, "value_150 = None"))
    assert len(provider.requests) == 3
    assert all("1| value_0 = " in request.prompt_text() for request in provider.requests)


async def test_closing_a_document_forgets_its_review() -> None:
    assistant, provider = reviewer()
    await review(assistant, LINES)
    assistant.forget(URI)
    await review(assistant, edited(LINES, 150, "value_150 = None"))
    assert "1| value_0 = " in provider.requests[1].prompt_text()  # whole again


async def test_a_file_too_long_for_one_prompt_is_reviewed_in_parts() -> None:
    provider = FakeProvider({"gpt-5.4-mini": answer((2, "value_1"), (299, "value_298"))})
    caller = ModelCaller(provider, ["gpt-5.4-mini"], notify=lambda *_: None)
    settings = Settings(model="gpt-5.4-mini", max_context_tokens=1200)
    assistant = Assistant(caller, settings)

    parts: list[tuple[int, int]] = []
    snapshot = Snapshot(URI, 1, "\n".join(LINES), "python")
    reviewed = assistant.review(snapshot, [], on_part=lambda i, n: parts.append((i, n)))
    found = [finding.span.start.line async for finding in reviewed]

    prompts = [request.prompt_text() for request in provider.requests]
    assert len(prompts) > 1
    assert parts == [(i, len(prompts)) for i in range(1, len(prompts) + 1)]  # for check
    assert "1| value_0 = " in prompts[0] and "300| value_299 = " in prompts[-1]
    # a budget this small leaves no room for the shared prefix: parts of the file alone
    assert all("too many to review at once" in prompt for prompt in prompts)
    # every part gets the same answer: each finding is taken from the part that shows its line
    assert found == [1, 298]


async def test_a_long_file_is_reviewed_in_parts_after_the_shared_prefix() -> None:
    provider = FakeProvider({"gpt-5.4-mini": answer((2, "value_1"), (599, "value_598"))})
    caller = ModelCaller(provider, ["gpt-5.4-mini"], notify=lambda *_: None)
    settings = Settings(model="gpt-5.4-mini", max_context_tokens=5000, edit_context_tokens=2048)
    assistant = Assistant(caller, settings)
    found = await review(assistant, tuple(f"value_{n} = compute({n})" for n in range(600)))

    requests = provider.requests
    assert len(requests) > 1 and all(r.parts[:3] == requests[0].parts[:3] for r in requests)
    tails = [request.parts[-1].text for request in requests]
    assert all("Review lines " in tail for tail in tails) and "600| value_599 = " in tails[-1]
    # no line is shown in two parts, and none is left out
    shown = [int(n) for tail in tails for n in re.findall(r"^(\d+)\| ", tail, re.MULTILINE)]
    snapshot = requests[0].parts[1].text + requests[0].parts[2].text  # head and region
    prefix = [int(n) for n in re.findall(r"^(\d+)\| ", snapshot, re.MULTILINE)]
    assert sorted(shown + prefix) == list(range(1, 601))
    # each finding is taken from the part that asks for its line, once
    assert found == [1, 598]


# --- findings between reviews, for any edit (hypothesis) ---------------------------------------


@dataclass
class Edit:
    """Old and new lines, and where each old line went (None: deleted or replaced)."""

    old: tuple[str, ...]
    new: tuple[str, ...]
    moved_to: list[int | None]


@st.composite
def edits(draw: st.DrawFn) -> Edit:
    """A file of distinct lines with lines kept, deleted, replaced and inserted anywhere."""
    old = tuple(f"line_{n} = {n}" for n in range(draw(st.integers(0, 30))))
    new: list[str] = []
    moved_to: list[int | None] = []
    for line in old:
        new += [f"inserted_{len(new)}"] * draw(st.integers(0, 2))
        fate = draw(st.sampled_from(["kept", "kept", "kept", "deleted", "replaced"]))
        moved_to.append(len(new) if fate == "kept" else None)
        new += [line] if fate == "kept" else [f"replaced_{len(new)}"] * (fate == "replaced")
    new += [f"inserted_{len(new)}"] * draw(st.integers(0, 2))
    return Edit(old, tuple(new), moved_to)


def spanning(first: int, last: int) -> ReviewFinding:
    return ReviewFinding(Span(Position(first, 2), Position(last, 5)), "error", "bug", "wrong")


@settings(max_examples=500, deadline=None)
@given(edits(), st.data())
def test_a_finding_moves_with_its_lines_or_goes_with_them(edit: Edit, data: st.DataObject) -> None:
    last_line = len(edit.old) - 1
    firsts = sorted(data.draw(st.lists(st.integers(0, last_line), max_size=6))) if edit.old else []
    findings = [spanning(n, min(n + data.draw(st.integers(0, 2)), last_line)) for n in firsts]
    expected = []
    for finding in findings:
        first, last = finding.span.start.line, finding.span.end.line
        to, start = edit.moved_to[first : last + 1], edit.moved_to[first]
        # it stands when each of its lines was kept and nothing was inserted among them
        if start is not None and to == list(range(start, start + len(to))):
            expected.append(spanning(start, start + last - first))
    assert standing(Reviewed(edit.old, tuple(findings)), edit.new) == tuple(expected)


REPEATED = st.lists(st.sampled_from(["", "}", "x = 1", "return x", "y = 2"]), max_size=30)


@settings(max_examples=500, deadline=None)
@given(REPEATED, REPEATED, st.data())
def test_with_repeated_lines_a_finding_stands_only_on_a_line_with_its_text(
    old: list[str], new: list[str], data: st.DataObject
) -> None:
    lines = sorted(data.draw(st.sets(st.integers(0, len(old) - 1)))) if old else []
    previous = Reviewed(tuple(old), tuple(at_line(line, f"at {line}") for line in lines))
    carried = standing(previous, tuple(new))
    was = [int(finding.message.removeprefix("at ")) for finding in carried]
    now = [finding.span.start.line for finding in carried]
    assert [new[line] for line in now] == [old[line] for line in was]
    assert was == sorted(set(was)) and now == sorted(set(now))  # in order, none merged
    assert standing(previous, tuple(old)) == previous.findings  # no change: all stand
    plan = plan_review(previous, tuple(new), BUDGET)
    if not plan.whole_file:  # what the review does not read again stands
        assert plan.carried == tuple(f for f in carried if not plan.covers(f))
