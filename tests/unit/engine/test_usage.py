"""Dollars per call from model cards, and the session ledger's totals."""

from __future__ import annotations

import datetime as dt
import json
import math
import multiprocessing
import os
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from codex_lsp.engine.usage import CallRecord, DailySpend, Ledger, cost_usd
from codex_lsp.providers.base import Usage
from codex_lsp.providers.cards import card_for
from codex_lsp.settings import PriceOverride

TODAY = dt.date.today().isoformat()


@pytest.mark.parametrize(
    ("model", "usage", "prices", "expected"),
    [
        # 2_000 * 1.50 + 8_000 * 0.375 + 500 * 6.00 = 9_000 micro-dollars
        ("codex-mini-latest", Usage(10_000, 8_000, 0, 500), None, 0.009),
        # 1_000 * 1.00 + 6_000 * 0.10 + 3_000 * 1.25 + 1_000 * 6.00 = 11_350
        ("gpt-5.6-luna", Usage(10_000, 6_000, 3_000, 1_000), None, 0.01135),
        # implicit regime: writes cost the input price, 6_000 * 0.75 + 4_000 * 0.75 = 7_500
        ("gpt-5.4-mini", Usage(10_000, 0, 4_000, 0), None, 0.0075),
        # more cached than input (a server quirk): uncached clamps to 0, 200 * 0.375 = 75
        ("codex-mini-latest", Usage(100, 200, 0, 0), None, 0.000075),
        # override input only: 10_000 * 1.00 + 1_000 * 4.50 = 14_500
        (
            "gpt-5.4-mini",
            Usage(10_000, 0, 0, 1_000),
            {"gpt-5.4-mini": PriceOverride(input=1.0)},
            0.0145,
        ),
        # unknown model: zero prices until the user sets them
        ("my-finetune", Usage(10_000, 0, 0, 1_000), None, 0.0),
        (
            "my-finetune",
            Usage(10_000, 2_000, 0, 1_000),
            {"my-finetune": PriceOverride(input=2.0, cached_input=0.5, output=8.0)},
            0.025,
        ),
        ("local", Usage(10_000, 9_000, 0, 1_000), None, 0.0),
    ],
    ids=[
        "implicit-cached",
        "explicit-with-writes",
        "implicit-write-at-input-price",
        "cached-exceeds-input",
        "price-override",
        "unknown-model-free",
        "unknown-model-priced",
        "local-free",
    ],
)
def test_cost_usd(
    model: str, usage: Usage, prices: dict[str, PriceOverride] | None, expected: float
) -> None:
    assert cost_usd(usage, card_for(model, prices)) == pytest.approx(expected)


def test_ledger_records_calls_and_totals() -> None:
    ledger = Ledger()
    first = ledger.record(
        "completion",
        Usage(10_000, 8_000, 0, 500, 20, "codex-mini-latest"),
        card_for("codex-mini-latest"),
    )
    second = ledger.record("diagnostics", Usage(2_000, 0, 0, 100, 0, ""), card_for("gpt-5.4-mini"))
    ledger.count_avoided("response")
    ledger.count_avoided("response")
    assert first == CallRecord(
        "completion", "codex-mini-latest", 10_000, 8_000, 0, 500, 20, pytest.approx(0.009)
    )
    assert second == CallRecord(
        "diagnostics", "gpt-5.4-mini", 2_000, 0, 0, 100, 0, pytest.approx(0.00195)
    )
    totals = ledger.totals()
    totals.pop("cost_today_usd")  # today's spend has its own tests below
    assert totals == {
        "calls": 2,
        "input_tokens": 12_000,
        "cached_tokens": 8_000,
        "cache_write_tokens": 0,
        "output_tokens": 600,
        "reasoning_tokens": 20,
        "cost_usd": pytest.approx(0.01095),
        "avoided": {"response": 2},
        "features": {
            "completion": {
                "calls": 1,
                "input_tokens": 10_000,
                "cached_tokens": 8_000,
                "cost_usd": pytest.approx(0.009),
                "cached_ratio": 0.8,
            },
            "diagnostics": {
                "calls": 1,
                "input_tokens": 2_000,
                "cached_tokens": 0,
                "cost_usd": pytest.approx(0.00195),
                "cached_ratio": 0.0,
            },
        },
        "day": dt.date.today().isoformat(),
        "cached_ratio": 0.6667,
    }


def test_empty_ledger_has_a_zero_cached_ratio() -> None:
    assert Ledger().cached_ratio == 0.0


def record_twice(ledger: Ledger) -> None:
    # 1_000 * 0.75 + 100 * 4.50 = 1_200 micro-dollars each
    for _ in range(2):
        ledger.record("completion", Usage(1_000, 0, 0, 100), card_for("gpt-5.4-mini"))


def test_spending_today_is_shared_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "spend.json"
    record_twice(Ledger(daily=DailySpend(path)))
    other_editor = Ledger(daily=DailySpend(path))
    record_twice(other_editor)
    assert other_editor.spent_today() == pytest.approx(0.0048)
    assert json.loads(path.read_text()) == {
        "day": dt.date.today().isoformat(),
        "cost_usd": pytest.approx(0.0048),
        "features": {
            "completion": {
                "calls": 4,
                "input_tokens": 4_000,
                "cached_tokens": 0,
                "cost_usd": pytest.approx(0.0048),
            }
        },
    }


@pytest.mark.parametrize(
    "content",
    [None, '{"day": "2000-01-01", "cost_usd": 9.0}'],
    ids=["no-file", "another-day"],
)
def test_no_spend_file_or_another_days_counts_as_zero(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "spend.json"
    if content is not None:
        path.write_text(content)
    assert DailySpend(path).read(TODAY) == 0.0


BROKEN = ["", "not json", "[1, 2]", '{"cost_usd": 9.0}', f'{{"day": "{TODAY}", "cost_usd": "9"}}']
BROKEN_IDS = ["empty", "not-json", "not-an-object", "no-day", "cost-not-a-number"]


@pytest.mark.parametrize("content", BROKEN, ids=BROKEN_IDS)
def test_a_broken_spend_file_is_unknown_and_a_budget_counts_it_spent(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "spend.json"
    path.write_text(content)
    ledger = Ledger(daily=DailySpend(path))
    assert ledger.daily.read(TODAY) is None
    record_twice(ledger)
    assert ledger.spent_today() == math.inf
    assert ledger.totals()["cost_today_usd"] == pytest.approx(0.0024)  # finite, fit for JSON
    assert path.read_text() == content  # left for the user to look at


def test_a_spend_file_broken_later_keeps_the_last_known_total(tmp_path: Path) -> None:
    path = tmp_path / "spend.json"
    path.write_text(json.dumps({"day": TODAY, "cost_usd": 2.0}))
    ledger = Ledger(daily=DailySpend(path))
    assert ledger.spent_today() == 2.0
    path.write_text('{"day": "')  # cut short by something other than codex-lsp
    record_twice(ledger)
    assert ledger.spent_today() == pytest.approx(2.0024)
    assert path.read_text() == '{"day": "'


def test_a_broken_spend_file_from_before_today_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "spend.json"
    path.write_text("not json")
    yesterday = time.time() - 86_400 - 3_600
    os.utime(path, (yesterday, yesterday))
    record_twice(Ledger(daily=DailySpend(path)))
    assert json.loads(path.read_text()) == {
        "day": TODAY,
        "cost_usd": pytest.approx(0.0024),
        "features": {
            "completion": {
                "calls": 2,
                "input_tokens": 2_000,
                "cached_tokens": 0,
                "cost_usd": pytest.approx(0.0024),
            }
        },
    }


def call(feature: str, dollars: float, input_tokens: int = 0, cached_tokens: int = 0) -> CallRecord:
    return CallRecord(feature, "m", input_tokens, cached_tokens, 0, 0, 0, dollars)


def add_many(path: str, start: Barrier, times: int, feature: str) -> None:
    daily = DailySpend(Path(path))
    start.wait()
    for _ in range(times):
        # 0.125 is exact in binary: the sums have no rounding
        daily.add(TODAY, call(feature, 0.125, input_tokens=10, cached_tokens=4))


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "spend.json"
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    writers = [
        context.Process(target=add_many, args=(str(path), start, 200, feature))
        for feature in ("completion", "diagnostics")
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert [writer.exitcode for writer in writers] == [0, 0]
    each = {"calls": 200, "input_tokens": 2_000, "cached_tokens": 800, "cost_usd": 25.0}
    assert json.loads(path.read_text()) == {
        "day": TODAY,
        "cost_usd": 50.0,
        "features": {"completion": each, "diagnostics": each},
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spend.json", "spend.json.lock"]


@pytest.mark.parametrize("where", ["no-file", "unwritable"], ids=["no-file", "unwritable-dir"])
def test_spending_today_adds_up_without_a_usable_file(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    daily = DailySpend(None if where == "no-file" else blocker / "spend.json")
    ledger = Ledger(daily=daily)
    record_twice(ledger)
    assert ledger.spent_today() == pytest.approx(0.0024)


def test_spending_today_restarts_on_a_new_day() -> None:
    ledger = Ledger(day="2000-01-01", cost_usd=3.0, cost_today_usd=3.0)
    assert ledger.spent_today() == 0.0
    assert ledger.cost_usd == 3.0
    assert ledger.day != "2000-01-01"
