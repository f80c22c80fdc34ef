"""The shared layout's reviews: every line asked about is answered for once, and shown."""

from __future__ import annotations

import re

from hypothesis import event, given, settings
from hypothesis import strategies as st

from codex_lsp.engine.cache import Anchor
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.prompts import (
    SHARED_INSTRUCTIONS,
    CompletionLayout,
    document_prefix,
    shared_review_requests,
)

NUMBERED = re.compile(r"^(\d+)\| ", re.MULTILINE)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Snapshot, Snapshot, tuple[tuple[int, int], ...], int, int]:
    """A file and an edited version of it, the current lines to review, where the snapshot's
    head ends and its region starts."""
    count = draw(st.integers(1, 400))
    widths = draw(st.lists(st.integers(0, 30), min_size=count, max_size=count))
    old = [
        f"value_{n} = compute({n}, {', '.join(['item'] * width)})" for n, width in enumerate(widths)
    ]
    new = list(old)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(new)))
        new[at:at] = [f"inserted_{at} = {at}"] * draw(st.integers(0, 3))
    cuts = sorted(draw(st.lists(st.integers(0, len(new)), min_size=2, max_size=6)))
    ranges = tuple((a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b)
    head = draw(st.integers(0, min(count, 40)))
    first = draw(st.integers(head, count))
    snapshot_at = Snapshot("file:///w/a.py", 1, "\n".join(old), "python")
    current = Snapshot("file:///w/a.py", 2, "\n".join(new), "python")
    return snapshot_at, current, ranges, head, first


@settings(max_examples=150, deadline=None)
@given(cases(), st.sampled_from([3_000, 6_000, 12_000]))
def test_every_line_asked_about_is_answered_for_once_and_shown_as_it_is(
    case: tuple[Snapshot, Snapshot, tuple[tuple[int, int], ...], int, int], budget: int
) -> None:
    snapshot_at, current, ranges, head, first = case
    anchor = Anchor.of(snapshot_at.with_redaction(snapshot_at.lines, snapshot_at.lines))
    region = (first, min(len(anchor.lines), first + 40))
    layout = CompletionLayout(anchor, "", region, head, shared=True)
    prefix = document_prefix(current, [], layout, 4096)
    prefix = type(prefix)(
        prefix.header, prefix.top, prefix.middle, prefix.lines, current.lines == anchor.lines
    )
    snapshot = current.with_redaction(current.lines, current.lines)
    calls = shared_review_requests(snapshot, prefix, ranges, max_context_tokens=budget)
    event(f"{min(len(calls), 2)} calls or more" if calls else "no call")
    if not calls:  # the prefix would take over half the budget: reviewed without it
        return
    asked = {line for start, end in ranges for line in range(start, end)}
    answered = [line for call in calls for start, end in call.scope for line in range(start, end)]
    assert sorted(answered) == sorted(asked)  # each line once
    for call in calls:
        assert call.request.instructions == SHARED_INSTRUCTIONS
        tail = call.request.parts[-1].text
        shown = {int(n) - 1 for n in NUMBERED.findall(tail)}
        trusted = {n for a, b in prefix.current_lines for n in range(a, b)}
        # every line this call answers for is shown as it is now: in the tail, or in a
        # snapshot that is the current text
        assert {n for a, b in call.scope for n in range(a, b)} <= shown | trusted
        for n in shown:
            assert f"{n + 1}| {current.lines[n]}" in tail


def test_the_shared_schema_is_one_field_holding_any_features_list() -> None:
    """Strict structured outputs allow `anyOf` inside a property, not at the root: one field
    whose branches are the three features' lists, so a model writes only the one it fills
    (no `"findings": [], "rewrites": []` after every completion)."""
    from codex_lsp.engine.schemas import EditorAnswer, answer_list, bare_schema, strict_schema

    for schema in (strict_schema(EditorAnswer), bare_schema(EditorAnswer)):
        assert "anyOf" not in schema and schema["type"] == "object"
        assert schema["required"] == ["answer"] and schema["additionalProperties"] is False
        branches = schema["properties"]["answer"]["anyOf"]
        refs = [branch["items"]["$ref"].rsplit("/", 1)[-1] for branch in branches]
        assert refs == ["Suggestion", "Finding", "Rewrite"]
        assert all(branch["type"] == "array" for branch in branches)
        assert answer_list(schema, "findings") == "answer"
    assert EditorAnswer.model_validate({"answer": [{"insert_text": "x"}]})
    assert '{"answer": [...]}' in SHARED_INSTRUCTIONS


def test_a_rewrite_after_a_review_of_the_same_text_shows_its_excerpts_first() -> None:
    """The review's excerpts (after the shared prefix) lead the rewrite's tail byte for byte,
    so the rewrite reads them from the review's cache; the rest of what the rewrite needs
    follows; and excerpts far larger than what the rewrite needs are left out."""
    from codex_lsp.engine.context import Position, Span
    from codex_lsp.engine.prompts import shared_rewrite_request

    old = [f"value_{n} = compute({n}, 'text')" for n in range(300)]
    new = [*old[:200], "inserted = 1", "inserted_too = 2", *old[200:]]
    snapshot_at = Snapshot("file:///w/a.py", 1, "\n".join(old), "python")
    current = Snapshot("file:///w/a.py", 2, "\n".join(new), "python")
    anchor = Anchor.of(snapshot_at.with_redaction(snapshot_at.lines, snapshot_at.lines))
    layout = CompletionLayout(anchor, "", (64, 128), 64, shared=True)
    prefix = document_prefix(current, [], layout, 4096)
    prefix = type(prefix)(prefix.header, prefix.top, prefix.middle, prefix.lines, False)
    snapshot = current.with_redaction(current.lines, current.lines)
    (review,) = shared_review_requests(snapshot, prefix, ((188, 214),), max_context_tokens=8000)
    region = Span(Position(200, 0), Position(201, 12))
    rewrite = shared_rewrite_request(
        snapshot, prefix, region, "Simplify.", max_context_tokens=4000, reviewed=review.tail
    )
    excerpts = review.request.parts[-1].text.split("Task: review")[0]
    tail = rewrite.parts[-1].text
    assert tail.startswith(excerpts) and rewrite.parts[:-1] == review.request.parts[:-1]
    for n in range(180, 222):  # the region's 20 lines each side, shown as they are now
        assert f"{n + 1}| {current.lines[n]}" in tail
    alone = shared_rewrite_request(snapshot, prefix, region, "Simplify.", max_context_tokens=4000)
    far = shared_rewrite_request(
        snapshot, prefix, region, "Simplify.", max_context_tokens=4000, reviewed=((0, 300),)
    )
    assert far.parts[-1].text == alone.parts[-1].text != tail
