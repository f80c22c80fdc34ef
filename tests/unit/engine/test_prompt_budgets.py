"""Every prompt fits its token budget whatever the document's line lengths: a minified line,
a 416 KB line, thousands of long lines (issue 11: a single long line once made a 116k-token
completion prompt against a 4,096-token budget)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.calls import ModelCaller, ModelUnavailable
from codex_lsp.engine.context import Position, Snapshot
from codex_lsp.engine.tokens import estimate_tokens
from codex_lsp.providers.base import ModelRequest, TextDelta
from codex_lsp.settings import Settings
from tests.unit.fakes import FakeProvider

SETTINGS = Settings(model="gpt-5.4-mini", max_context_tokens=12_000, edit_context_tokens=4096)
SHAPES = {
    "one-416kb-line": "x = [" + "1, " * 138_000 + "]\n",
    "minified": "\n".join("var a" + str(n) + "=" + "f(1)," * 2000 for n in range(40)),
    "many-long-lines": "\n".join(f"s{n} = '" + "ab" * 2500 + "'" for n in range(600)),
    "normal": "".join(f"def f{n}(x):\n    return x + {n}\n\n" for n in range(400)),
}


def assistant(layout: str = "cache-aware") -> tuple[Assistant, FakeProvider]:
    provider = FakeProvider({"gpt-5.4-mini": [TextDelta('{"suggestions": []}')]})
    caller = ModelCaller(provider, ["gpt-5.4-mini"], notify=lambda *_: None)
    return Assistant(caller, SETTINGS.model_copy(update={"prompt_layout": layout})), provider


def size(request: ModelRequest) -> int:
    infill = request.infill
    fim = infill.prefix + infill.suffix if infill else ""
    return max(estimate_tokens(request.instructions + request.prompt_text()), estimate_tokens(fim))


@pytest.mark.parametrize("layout", ["cache-aware", "naive"])
@pytest.mark.parametrize("shape", SHAPES)
async def test_completion_prompts_fit_the_edit_budget(shape: str, layout: str) -> None:
    helper, provider = assistant(layout)
    snapshot = Snapshot("file:///w/big.py", 1, SHAPES[shape], "python")
    for line in (0, len(snapshot.lines) // 2, len(snapshot.lines) - 1):
        for column in (0, len(snapshot.lines[line]) // 2, len(snapshot.lines[line])):
            async for _ in helper.complete(snapshot, Position(line, column), []):
                pass
    budget = SETTINGS.edit_context_tokens if layout == "cache-aware" else 12_000
    assert provider.requests
    assert max(size(r) for r in provider.requests) <= budget


@pytest.mark.parametrize("shape", SHAPES)
async def test_review_and_rewrite_prompts_fit_the_context_budget(shape: str) -> None:
    helper, provider = assistant()
    snapshot = Snapshot("file:///w/big.py", 1, SHAPES[shape], "python")
    async for _ in helper.review(snapshot, []):
        pass
    with contextlib.suppress(ModelUnavailable):  # the fake answers another schema
        await helper.rewrite(snapshot, snapshot.line_span(0, 0), "simplify")
    assert provider.requests
    assert max(size(r) for r in provider.requests) <= 12_000


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 30_000), min_size=1, max_size=30),
    line=st.integers(0, 29),
    column=st.integers(0, 30_000),
)
async def test_any_line_lengths_fit(lengths: list[int], line: int, column: int) -> None:
    helper, provider = assistant()
    text = "\n".join("y" * n for n in lengths)
    snapshot = Snapshot("file:///w/any.py", 1, text, "python")
    async for _ in helper.complete(snapshot, snapshot.clamp(line, column), []):
        pass
    assert size(provider.requests[-1]) <= SETTINGS.edit_context_tokens
