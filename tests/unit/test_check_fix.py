"""`codex-lsp check --fix` writes a user's file safely: a fix follows code the user moved, skips
code the user changed, keeps the file's line breaks and mode, and leaves it whole on failure."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import stat
import sys
from collections.abc import AsyncGenerator, Callable
from pathlib import Path

import pytest

from codex_lsp import check
from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.calls import ModelCaller
from codex_lsp.engine.usage import Ledger, daily_spend
from codex_lsp.providers.base import (
    AuthenticationError,
    ModelRequest,
    ProviderError,
    StreamEvent,
    TextDelta,
    Usage,
)
from codex_lsp.settings import Settings

BUGGY = """def is_even(n):
    return n % 2 == 1


def restock(stock, amount):
    return stock - amount
"""
FIXED = BUGGY.replace("== 1", "== 0")
FINDING = {
    "line": 2,
    "snippet": "n % 2 == 1",
    "severity": "error",
    "code": "inverted-condition",
    "message": "is_even returns True for odd numbers.",
}
REPLACEMENT = "def is_even(n):\n    return n % 2 == 0\n\n"
USER_LINE = "# a line the user added\n"


class ReviewThenFix:
    """Answers a review with FINDING and a rewrite with REPLACEMENT. `before_rewrite` runs as
    the rewrite is asked for (a user editing meanwhile); `failure` is raised instead."""

    name = "fake"
    finish_cut_streams = False

    def __init__(self) -> None:
        self.before_rewrite: Callable[[], None] = lambda: None
        self.failure: ProviderError | None = None
        self.features: list[str] = []

    async def stream(self, request: ModelRequest, model: str) -> AsyncGenerator[StreamEvent, None]:
        self.features.append(request.feature)
        if request.feature == "code_action":
            self.before_rewrite()
            if self.failure is not None:
                raise self.failure
            answer = {"rewrites": [{"replacement": REPLACEMENT, "explanation": ""}]}
        else:
            answer = {"findings": [FINDING]}
        yield TextDelta(json.dumps(answer))
        yield Usage(1_000, 0, 0, 100, model=model)  # $0.0012 on gpt-5.4-mini

    async def check(self, model: str) -> str:
        return "fake"

    async def aclose(self) -> None:
        return None


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CODEX_LSP_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def buggy(tmp_path: Path) -> Path:
    path = tmp_path / "src" / "stock.py"
    path.parent.mkdir()
    path.write_bytes(BUGGY.encode())
    return path


def fix(
    path: Path, provider: ReviewThenFix, *, yes: bool = True, settings: Settings | None = None
) -> int:
    args = argparse.Namespace(paths=[path], diff=None, fix=True, yes=yes, format="text")
    chosen = settings or Settings(model="gpt-5.4-mini")
    caller = ModelCaller(
        provider,
        ["gpt-5.4-mini"],
        notify=lambda _key, _level, text: print(text, file=sys.stderr),
        ledger=Ledger(daily=daily_spend()),
    )
    selection = check.select(args, chosen.excluded_globs())
    run = check._check_all(args, chosen, Assistant(caller, chosen), io.StringIO(), selection)
    return asyncio.run(run)


def prepend(path: Path, text: str) -> Callable[[], None]:
    return lambda: path.write_bytes(text.encode() + path.read_bytes())


def test_an_unchanged_file_gets_the_fix(buggy: Path) -> None:
    assert fix(buggy, ReviewThenFix()) == 1
    assert buggy.read_text() == FIXED


def test_lines_added_since_the_review_are_kept_and_the_fix_follows_its_code(
    buggy: Path,
) -> None:
    provider = ReviewThenFix()
    provider.before_rewrite = prepend(buggy, USER_LINE)

    assert fix(buggy, provider) == 1

    assert buggy.read_text() == USER_LINE + FIXED


@pytest.mark.parametrize(
    ("edited", "reason"),
    [
        (BUGGY.replace("== 1", "!= 0"), "its lines were changed"),
        (BUGGY + "\n\n" + BUGGY, "its lines now occur more than once"),
    ],
    ids=["region-edited", "region-duplicated"],
)
def test_a_fix_whose_code_changed_is_skipped_and_said(
    buggy: Path, capsys: pytest.CaptureFixture[str], edited: str, reason: str
) -> None:
    provider = ReviewThenFix()
    provider.before_rewrite = lambda: buggy.write_text(edited)

    fix(buggy, provider)

    assert buggy.read_text() == edited
    assert capsys.readouterr().err == (
        f"{buggy}: changed since the review; the fix of lines 1-4 is skipped: {reason}\n"
    )


def test_an_edit_made_while_the_question_waits_is_kept(
    buggy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def user_edits_then_answers_yes(question: str) -> bool:
        prepend(buggy, USER_LINE)()
        return True

    monkeypatch.setattr(check, "_confirm", user_edits_then_answers_yes)

    fix(buggy, ReviewThenFix(), yes=False)

    assert buggy.read_text() == USER_LINE + FIXED


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (BUGGY.replace("\n", "\r\n"), FIXED.replace("\n", "\r\n")),
        (BUGGY[:-1], FIXED[:-1]),
        (BUGGY.replace("\n", "\r\n") + "x = 1\n", FIXED.replace("\n", "\r\n") + "x = 1\n"),
    ],
    ids=["crlf", "no-final-newline", "mixed-breaks"],
)
def test_line_breaks_are_kept(buggy: Path, before: str, after: str) -> None:
    buggy.write_bytes(before.encode())
    fix(buggy, ReviewThenFix())
    assert buggy.read_bytes() == after.encode()


def test_a_last_line_without_a_break_stays_without(buggy: Path) -> None:
    # The region is the file's last lines and the replacement ends in two line breaks.
    buggy.write_bytes(b"def is_even(n):\n    return n % 2 == 1")
    fix(buggy, ReviewThenFix())
    assert buggy.read_bytes() == b"def is_even(n):\n    return n % 2 == 0"


def test_the_mode_is_kept(buggy: Path) -> None:
    buggy.chmod(0o755)
    fix(buggy, ReviewThenFix())
    assert stat.S_IMODE(buggy.stat().st_mode) == 0o755
    assert buggy.read_text() == FIXED


def test_a_symlink_stays_a_link_to_the_fixed_file(buggy: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.py"
    link.symlink_to(buggy)
    fix(link, ReviewThenFix())
    assert link.is_symlink() and link.resolve() == buggy
    assert buggy.read_text() == FIXED


def test_a_failed_write_leaves_the_file_whole(
    buggy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_replace = os.replace

    def disk_full(source: str, target: str | Path) -> None:
        if Path(target).name == buggy.name:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", disk_full)

    assert fix(buggy, ReviewThenFix()) == 2

    assert buggy.read_text() == BUGGY
    assert os.listdir(buggy.parent) == [buggy.name]  # no temporary file left behind
    assert capsys.readouterr().err == (
        f"{buggy}: fixes not written: [Errno 28] No space left on device\n"
    )


def test_an_auth_failure_during_fixes_is_one_line_and_exit_2(
    buggy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    provider = ReviewThenFix()
    provider.failure = AuthenticationError("The backend rejected the API key (401).")

    assert fix(buggy, provider) == 2

    assert buggy.read_text() == BUGGY
    assert capsys.readouterr().err == "codex-lsp: The backend rejected the API key (401).\n"


def test_a_spent_budget_stops_before_the_fix(
    buggy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    provider = ReviewThenFix()
    settings = Settings(model="gpt-5.4-mini", budget_usd_per_day=0.001)

    assert fix(buggy, provider, settings=settings) == 2  # the review cost $0.0012

    assert provider.features == ["diagnostics"]
    assert buggy.read_text() == BUGGY
    assert capsys.readouterr().err == (
        "codex-lsp: today's budget of $0.0010 is spent ($0.0012); stopping before the next model "
        "call. Raise --budget-usd to go on.\n"
    )
