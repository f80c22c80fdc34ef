"""Verification of review findings: a fix that changes nothing, does not parse or that the
model's own fill-in-the-middle does not prefer drops its finding; a confirmed one keeps it."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from codex_lsp.engine import verify
from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.calls import ModelCaller
from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.engine.review import ReviewFinding, locate_finding
from codex_lsp.engine.schemas import Finding
from codex_lsp.engine.verify import (
    LineFix,
    LineScorer,
    changed_parts,
    fill_gap,
    fix_message,
    line_fix,
    rejection,
    verified,
)
from codex_lsp.providers.base import ProviderError, TextDelta, Usage
from codex_lsp.settings import Settings
from tests.unit.fakes import FakeProvider

CODE = """\
def is_even(n: int) -> bool:
    return n % 2 == 1


def restock(stock: int, amount: int) -> int:
    total = stock - amount
    return total
"""


class FakeScorer:
    """Answers like a model's fill-in-the-middle: a log-probability per fill, from a table."""

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores
        self.asked: list[tuple[str, str, list[str]]] = []

    async def score_fills(self, prefix: str, suffix: str, fills: Sequence[str]) -> list[float]:
        self.asked.append((prefix, suffix, list(fills)))
        return [self.scores.get(fill, -50.0) for fill in fills]


def snapshot(text: str = CODE, uri: str = "file:///src/m.py") -> Snapshot:
    return Snapshot(uri, 1, text, "python")


def located(snap: Snapshot, line: int, code: str) -> ReviewFinding:
    finding = Finding(line=line, snippet=code, severity="error", code="bug", message="wrong")
    found = locate_finding(snap, finding)
    assert found is not None
    return found


def test_the_scorer_fake_is_a_line_scorer() -> None:
    assert isinstance(FakeScorer({}), LineScorer)


@pytest.mark.parametrize(
    ("line", "code", "fix", "corrected"),
    [
        pytest.param(2, "n % 2 == 1", "n % 2 == 0", "    return n % 2 == 0", id="snippet"),
        pytest.param(
            2, "n % 2 == 1", "return n % 2 == 0", "    return n % 2 == 0", id="whole-line-fix"
        ),
        pytest.param(6, "stock - amount", "stock + amount", "    total = stock + amount", id="op"),
    ],
)
def test_the_fix_replaces_the_snippet_or_the_whole_line(
    line: int, code: str, fix: str, corrected: str
) -> None:
    snap = snapshot()
    proposed = line_fix(snap, located(snap, line, code), fix)
    assert proposed is not None
    assert (proposed.row, proposed.corrected) == (line - 1, corrected)


@pytest.mark.parametrize("fix", ["", "   ", "a\nb"], ids=["empty", "blank", "two-lines"])
def test_no_one_line_fix_no_finding(fix: str) -> None:
    snap = snapshot()
    assert line_fix(snap, located(snap, 2, "n % 2 == 1"), fix) is None


@pytest.mark.parametrize(
    ("fix", "reason"),
    [
        pytest.param("n % 2 == 1", "the fix changes nothing", id="same"),
        pytest.param("n %2==1", "the fix changes nothing", id="same-but-spacing"),
        pytest.param("n % 2 == (0", "the corrected file does not parse", id="unparsable"),
        pytest.param("n % 2 == 0", None, id="may-stand"),
    ],
)
def test_rejections_without_a_model(fix: str, reason: str | None) -> None:
    snap = snapshot()
    proposed = line_fix(snap, located(snap, 2, "n % 2 == 1"), fix)
    assert proposed is not None
    assert rejection(snap, proposed) == reason


def test_a_fix_written_over_redacted_text_is_rejected() -> None:
    """The model saw `[REDACTED]` for a secret; a fix holding it would erase the secret."""
    snap = snapshot('TOKEN = "ghp_' + "a" * 36 + '"\nlimit = 10 - 1\n')
    found = ReviewFinding(Span(Position(0, 0), Position(0, 8)), "error", "bug", "wrong")
    proposed = line_fix(snap, found, 'TOKEN = "[REDACTED]".strip()')
    assert proposed is not None
    assert rejection(snap, proposed) == "the fix holds redacted text"


def test_a_large_file_skips_the_parse_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "PARSE_LIMIT_CHARS", len(CODE) - 1)
    snap = snapshot()
    proposed = line_fix(snap, located(snap, 2, "n % 2 == 1"), "n % 2 == (0")
    assert proposed is not None
    assert rejection(snap, proposed) is None


def test_a_file_that_does_not_parse_anyway_is_not_held_to_parsing() -> None:
    snap = snapshot(CODE + "def broken(:\n")
    proposed = line_fix(snap, located(snap, 2, "n % 2 == 1"), "n % 2 == (0")
    assert proposed is not None
    assert rejection(snap, proposed) is None


def test_other_languages_skip_the_parse_check() -> None:
    snap = Snapshot("file:///src/m.js", 1, "function f(n) {\n  return n % 2 == 1;\n}\n", "js")
    proposed = line_fix(snap, located(snap, 2, "n % 2 == 1"), "n % 2 == (0")
    assert proposed is not None
    assert rejection(snap, proposed) is None


def test_the_gap_is_the_line_without_its_indentation() -> None:
    prefix, suffix, indent = fill_gap(snapshot(), 1)
    assert prefix == "def is_even(n: int) -> bool:\n    "
    assert suffix.startswith("\n\n\ndef restock(")
    assert indent == "    "


async def test_a_fix_the_fill_in_the_middle_prefers_is_kept_with_its_fix() -> None:
    snap = snapshot()
    scorer = FakeScorer({"return n % 2 == 1": -9.0, "return n % 2 == 0": -2.0})
    found = await verified(snap, located(snap, 2, "n % 2 == 1"), "n % 2 == 0", scorer)
    assert found is not None
    assert found.fix == "    return n % 2 == 0"
    assert found.span == Span(Position(1, 11), Position(1, 21))
    assert found.message == "`1` should probably be `0`."  # not the model's "wrong"
    ((prefix, _, fills),) = scorer.asked
    assert prefix.endswith("bool:\n    ")
    assert fills == ["return n % 2 == 1", "return n % 2 == 0"]


@pytest.mark.parametrize(
    ("written", "corrected"),
    [
        pytest.param(-2.0, -9.0, id="prefers-the-original"),
        pytest.param(-2.0, -2.5, id="prefers-it-slightly"),
        pytest.param(-3.0, -2.0, id="prefers-the-fix-by-less-than-the-margin"),
    ],
)
async def test_a_fix_the_fill_does_not_prefer_by_the_margin_drops_the_finding(
    written: float, corrected: float
) -> None:
    snap = snapshot()
    scorer = FakeScorer({"total = stock - amount": written, "total = stock + amount": corrected})
    finding = located(snap, 6, "stock - amount")
    assert await verified(snap, finding, "stock + amount", scorer) is None


@pytest.mark.parametrize(
    "fix",
    ["n % 2 == 1", "n % 2 == (0", ""],
    ids=["changes-nothing", "does-not-parse", "no-fix"],
)
async def test_checks_without_a_model_drop_before_any_model_call(fix: str) -> None:
    snap = snapshot()
    scorer = FakeScorer({"return n % 2 == 0": 0.0})
    assert await verified(snap, located(snap, 2, "n % 2 == 1"), fix, scorer) is None
    assert scorer.asked == []


async def test_without_a_scorer_the_checks_alone_decide() -> None:
    snap = snapshot()
    found = await verified(snap, located(snap, 2, "n % 2 == 1"), "n % 2 == 0", None)
    assert found is not None and found.fix == "    return n % 2 == 0"


async def test_a_line_holding_a_secret_is_never_shown_to_the_scorer() -> None:
    text = (
        'def connect():\n    key = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"\n    return key\n'
    )
    snap = snapshot(text)
    scorer = FakeScorer({})
    finding = located(snap, 2, "key =")
    assert await verified(snap, finding, "token =", scorer) is None
    assert all("AbCdEf" not in prefix + suffix for prefix, suffix, _ in scorer.asked)


@pytest.mark.parametrize(
    ("line", "code", "fix", "reason"),
    [
        pytest.param(
            6, "stock - amount", "amount", "the fix only deletes code", id="drops-a-variable"
        ),
        pytest.param(7, "return total", "return", "the fix only deletes code", id="drops-value"),
        pytest.param(6, "stock - amount", "stock - other", None, id="replaces-a-name"),
        pytest.param(2, "n % 2 == 1", "not n % 2 == 1", None, id="adds-not"),
    ],
)
def test_a_fix_that_only_deletes_names_is_rejected(
    line: int, code: str, fix: str, reason: str | None
) -> None:
    snap = snapshot()
    proposed = line_fix(snap, located(snap, line, code), fix)
    assert proposed is not None
    assert rejection(snap, proposed) == reason


def test_deleting_a_not_is_a_fix_like_any_other() -> None:
    snap = snapshot("def odd(n):\n    return not n % 2 == 0\n")
    proposed = line_fix(snap, located(snap, 2, "not n % 2 == 0"), "n % 2 == 0")
    assert proposed is not None
    assert rejection(snap, proposed) is None


@pytest.mark.parametrize(
    ("original", "corrected", "parts"),
    [
        pytest.param("    x = len(scores)", "    x = len(marks)", ("scores", "marks"), id="name"),
        pytest.param(
            "    for k in range(n):", "    for k in range(n + 1):", ("n", "n + 1"), id="add"
        ),
        pytest.param("    value", "    return value", ("value", "return value"), id="at-start"),
        pytest.param("    if not ok:", "    if ok:", ("if not", "if"), id="delete"),
        pytest.param("    a <= 0", "    a < 0", ("<=", "<"), id="operator"),
        pytest.param(
            "    return f.readline().strip()",
            "    return f.readline().decode().strip()",
            ("return f.readline().strip()", "return f.readline().decode().strip()"),
            id="punctuation-alone-shows-whole-lines",
        ),
        pytest.param(
            "    return hypot(x, y)",
            "    return sqrt(x**2 + y**2)",
            ("return hypot(x, y)", "return sqrt(x**2 + y**2)"),
            id="unbalanced-brackets-show-whole-lines",
        ),
    ],
)
def test_the_changed_parts_are_whole_tokens_never_empty(
    original: str, corrected: str, parts: tuple[str, str]
) -> None:
    assert changed_parts(LineFix(0, original, corrected)) == parts


def test_the_message_says_what_the_fix_changes_not_what_the_model_said() -> None:
    fix = LineFix(0, "    return sum(marks) / len(scores)", "    return sum(marks) / len(marks)")
    assert fix_message(fix) == "`scores` should probably be `marks`."


class BrokenScorer:
    async def score_fills(self, prefix: str, suffix: str, fills: Sequence[str]) -> list[float]:
        raise ProviderError("The local model did not answer")


async def test_a_finding_that_cannot_be_verified_is_not_published() -> None:
    snap = snapshot()
    finding = located(snap, 2, "n % 2 == 1")
    assert await verified(snap, finding, "n % 2 == 0", BrokenScorer()) is None


# --- through the assistant: the local backend publishes verified findings only ------------


class LocalFake(FakeProvider):
    """The embedded backend as the engine sees it: a review answer, and fill scores."""

    def __init__(self, findings: list[dict[str, object]], scores: dict[str, float]) -> None:
        body = json.dumps({"findings": findings})
        super().__init__({"local": [TextDelta(body), Usage(500, 0, 0, 60)]})
        self.scorer = FakeScorer(scores)

    async def score_fills(self, prefix: str, suffix: str, fills: Sequence[str]) -> list[float]:
        return await self.scorer.score_fills(prefix, suffix, fills)


def finding(line: int, snippet: str, fix: str, severity: str = "error") -> dict[str, object]:
    return {"line": line, "snippet": snippet, "fix": fix, "severity": severity,
            "code": "bug", "message": "The model's own sentence."}  # fmt: skip


async def local_review(provider: LocalFake, model: str = "local") -> list[ReviewFinding]:
    caller = ModelCaller(provider, [model], notify=lambda *_: None)
    if model != "local":
        provider.scripts[model] = provider.scripts.pop("local")
    assistant = Assistant(caller, Settings(model=model))
    return [f async for f in assistant.review(snapshot(), [])]


async def test_the_local_review_publishes_only_what_the_fill_confirms() -> None:
    provider = LocalFake(
        [
            finding(2, "n % 2 == 1", "n % 2 == 0"),  # the fill prefers it: published
            finding(6, "stock - amount", "stock + amount"),  # the fill does not: dropped
            finding(7, "return total", "return total"),  # a copy: dropped, never scored
            finding(6, "stock - amount", "stock * amount", "warning"),  # a warning: dropped
        ],
        {
            "return n % 2 == 1": -9.0,
            "return n % 2 == 0": -1.0,
            "total = stock - amount": -1.0,
            "total = stock + amount": -6.0,
        },
    )
    (published,) = await local_review(provider)
    assert published.span.start.line == 1
    assert published.message == "`1` should probably be `0`."
    assert published.fix == "    return n % 2 == 0"
    assert [fills for _, _, fills in provider.scorer.asked] == [
        ["return n % 2 == 1", "return n % 2 == 0"],
        ["total = stock - amount", "total = stock + amount"],
    ]


async def test_a_hosted_model_keeps_its_findings_and_gets_a_sound_fix_attached() -> None:
    provider = LocalFake(
        [finding(2, "n % 2 == 1", "n % 2 == 0"), finding(7, "return total", "return total")],
        {},
    )
    first, second = await local_review(provider, model="gpt-5.4-mini")
    assert (first.fix, first.message) == ("    return n % 2 == 0", "The model's own sentence.")
    assert (second.fix, second.span.start.line) == (None, 6)
    assert provider.scorer.asked == []  # only the local backend is verified


@pytest.mark.parametrize(
    ("original", "corrected", "message"),
    [
        (
            '    "; ".join(segments)',
            '    return "; ".join(segments)',
            '`return` is probably missing before `"; "`.',
        ),
        (
            "    return to_thread.run_sync(f)",
            "    return await to_thread.run_sync(f)",
            "`await` is probably missing before `to_thread`.",
        ),
        ("    if ready:", "    if not ready:", "`not` is probably missing before `ready`."),
        # not a restored keyword, or more than an insertion: the replacement is said
        ("    x = a", "    x = a + 1", "`a` should probably be `a + 1`."),
        ("    if not ready:", "    if ready:", "`if not` should probably be `if`."),
        # a dropped `not` of `not in` is said with the `in` it belongs to
        (
            "    assert kind not in KINDS",
            "    assert kind in KINDS",
            "`not in` should probably be `in`.",
        ),
        ("    x = a is not b", "    x = a is b", "`is not` should probably be `is`."),
        ("    f(x)", "    return g(x)", "`f` should probably be `return g`."),
    ],
)
def test_a_restored_keyword_is_said_to_be_missing(
    original: str, corrected: str, message: str
) -> None:
    assert fix_message(LineFix(0, original, corrected)) == message


@pytest.mark.parametrize(
    "nested",
    [
        pytest.param("x = " + " + ".join(["a"] * 10_000) + "\n", id="recursion-error"),
        pytest.param("x = " + "-" * 50_000 + "1\n", id="memory-error"),
    ],
)
def test_code_nested_past_the_parser_limits_does_not_parse_rather_than_raise(nested: str) -> None:
    """CPython's parser raises RecursionError or MemoryError (not SyntaxError) on code nested
    deeper than it can hold: a hostile file under the parse limit must not crash verification."""
    text = "def f(n):\n    return n % 2 == 1\n" + nested
    assert len(text) <= verify.PARSE_LIMIT_CHARS
    snap = snapshot(text)
    assert not verify.parses(snap)
    proposed = line_fix(snap, located(snap, 2, "n % 2 == 1"), "n % 2 == 0")
    assert proposed is not None
    assert rejection(snap, proposed) is None  # the original does not parse: nothing to compare
