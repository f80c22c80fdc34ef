"""The bill by feature: what each feature spent and how much of its input was cached, in the
session ledger and in the daily spend file, which older files without a breakdown still read."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path

import pytest

from codex_lsp.engine import usage
from codex_lsp.engine.usage import (
    BackgroundDailySpend,
    CallRecord,
    DailySpend,
    DaySpend,
    FeatureSpend,
    Ledger,
    UnreadableSpend,
    parse_spend,
    read_spend,
)
from codex_lsp.providers.base import Usage
from codex_lsp.providers.cards import card_for

TODAY = dt.date.today().isoformat()


def call(feature: str, dollars: float, input_tokens: int = 0, cached_tokens: int = 0) -> CallRecord:
    return CallRecord(feature, "m", input_tokens, cached_tokens, 0, 0, 0, dollars)


def test_the_session_ledger_splits_calls_tokens_and_dollars_by_feature() -> None:
    ledger = Ledger()
    card = card_for("gpt-5.4-mini")  # 0.75 input, 0.075 cached, 4.50 output per million
    ledger.record("completion", Usage(10_000, 9_000, 0, 100), card)
    ledger.record("completion", Usage(10_000, 9_000, 0, 100), card)
    ledger.record("diagnostics", Usage(80_000, 0, 0, 1_000), card)
    ledger.record("code_action", Usage(4_000, 1_000, 0, 2_000), card)

    features = ledger.totals()["features"]

    assert list(features) == ["code_action", "completion", "diagnostics"]
    assert features["completion"] == {
        "calls": 2,
        "input_tokens": 20_000,
        "cached_tokens": 18_000,
        # each: 1_000 * 0.75 + 9_000 * 0.075 + 100 * 4.50 = 1_875 micro-dollars
        "cost_usd": pytest.approx(0.00375),
        "cached_ratio": 0.9,
    }
    assert features["diagnostics"]["cached_ratio"] == 0.0
    assert features["code_action"]["cached_ratio"] == 0.25
    assert sum(f["cost_usd"] for f in features.values()) == pytest.approx(ledger.cost_usd)
    assert sum(f["calls"] for f in features.values()) == ledger.calls
    # The session's share is of all input tokens, not the mean of the features' shares.
    assert ledger.totals()["cached_ratio"] == round(19_000 / 104_000, 4)  # 0.1827, not 0.3833


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        ({"completion": (1_000, 900), "diagnostics": (9_000, 0)}, 0.09),  # not (0.9 + 0) / 2
        ({"completion": (0, 0)}, 0.0),  # no input yet
        ({"completion": (100, 250)}, 1.0),  # a server reporting more cached than input
    ],
    ids=["weighted-by-input-tokens", "no-input", "clamped-at-all"],
)
def test_the_days_cached_share_is_of_its_input_tokens(
    figures: dict[str, tuple[int, int]], expected: float
) -> None:
    record = DaySpend(TODAY)
    for feature, (input_tokens, cached_tokens) in figures.items():
        record.add(call(feature, 0.5, input_tokens, cached_tokens))
    assert record.by_feature().cached_ratio == pytest.approx(expected)


def test_calls_from_every_process_are_added_by_feature_and_sum_to_the_total(
    tmp_path: Path,
) -> None:
    path = tmp_path / "spend.json"
    editor, check = DailySpend(path), DailySpend(path)
    editor.add(TODAY, call("completion", 0.25, 1_000, 800))
    check.add(TODAY, call("diagnostics", 0.5, 4_000, 0))
    editor.add(TODAY, call("completion", 0.125, 1_000, 1_000))
    assert check.add(TODAY, call("code_action", 0.0625, 500, 100)) == 0.9375

    record = read_spend(path, TODAY)

    assert record.features == {
        "code_action": FeatureSpend(1, 500, 100, 0.0625),
        "completion": FeatureSpend(2, 2_000, 1_800, 0.375),
        "diagnostics": FeatureSpend(1, 4_000, 0, 0.5),
    }
    assert record.cost_usd == record.by_feature().cost_usd == 0.9375
    assert record.not_by_feature == 0.0
    assert record.problem is None


def test_a_feature_name_the_reader_would_refuse_is_recorded_as_other(tmp_path: Path) -> None:
    path = tmp_path / "spend.json"
    DailySpend(path).add(TODAY, call("inline-completion", 0.5))
    record = read_spend(path, TODAY)
    assert (list(record.features), record.problem) == (["other"], None)


def test_a_file_from_before_the_breakdown_reads_and_keeps_its_total(tmp_path: Path) -> None:
    path = tmp_path / "spend.json"
    path.write_text(json.dumps({"day": TODAY, "cost_usd": 2.0}))
    daily = DailySpend(path)
    assert daily.read(TODAY) == 2.0

    assert daily.add(TODAY, call("completion", 0.25, 100, 50)) == 2.25

    assert json.loads(path.read_text()) == {
        "day": TODAY,
        "cost_usd": 2.25,
        "features": {
            "completion": {"calls": 1, "input_tokens": 100, "cached_tokens": 50, "cost_usd": 0.25}
        },
    }
    record = read_spend(path, TODAY)
    assert record.not_by_feature == 2.0
    assert record.by_feature().cost_usd + record.not_by_feature == record.cost_usd


def test_the_breakdown_of_another_day_is_not_todays(tmp_path: Path) -> None:
    path = tmp_path / "spend.json"
    yesterday = {"completion": {"calls": 9, "input_tokens": 9, "cached_tokens": 9, "cost_usd": 9}}
    path.write_text(json.dumps({"day": "2000-01-01", "cost_usd": 9.0, "features": yesterday}))
    DailySpend(path).add(TODAY, call("diagnostics", 0.5))
    assert json.loads(path.read_text())["features"] == {
        "diagnostics": {"calls": 1, "input_tokens": 0, "cached_tokens": 0, "cost_usd": 0.5}
    }


FEATURE = {"calls": 1, "input_tokens": 10, "cached_tokens": 5, "cost_usd": 1.0}
BROKEN_FEATURES = [
    [1, 2],
    {"completion": [1, 2]},
    {"completion": {**FEATURE, "calls": -1}},
    {"completion": {**FEATURE, "calls": True}},
    {"completion": {**FEATURE, "cached_tokens": 2**70}},
    {"completion": {**FEATURE, "cost_usd": "1"}},
    {"completion": {k: v for k, v in FEATURE.items() if k != "input_tokens"}},
    {"sk-proj-0123456789abcdefghij": FEATURE},
    {f"f{'a' * (n % 26)}{n}": FEATURE for n in range(65)},
]
BROKEN_FEATURES_IDS = [
    "not-an-object",
    "entry-not-an-object",
    "negative-count",
    "boolean-count",
    "count-too-large",
    "dollars-a-string",
    "a-figure-missing",
    "name-not-a-feature",
    "too-many-entries",
]


@pytest.mark.parametrize("features", BROKEN_FEATURES, ids=BROKEN_FEATURES_IDS)
def test_a_broken_breakdown_is_dropped_and_the_total_still_counts(
    tmp_path: Path, features: object, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "spend.json"
    path.write_text(json.dumps({"day": TODAY, "cost_usd": 3.0, "features": features}))
    record = read_spend(path, TODAY)
    assert (record.cost_usd, record.features, record.not_by_feature) == (3.0, {}, 3.0)
    assert record.problem is not None and "sk-proj" not in record.problem

    daily = DailySpend(path)
    with caplog.at_level(logging.WARNING):
        assert daily.read(TODAY) == 3.0
        assert daily.add(TODAY, call("completion", 0.5, 10, 0)) == 3.5

    assert json.loads(path.read_text()) == {
        "day": TODAY,
        "cost_usd": 3.5,
        "features": {
            "completion": {"calls": 1, "input_tokens": 10, "cached_tokens": 0, "cost_usd": 0.5}
        },
    }
    warnings = [r.getMessage() for r in caplog.records if "per-feature" in r.getMessage()]
    assert len(warnings) == 1  # said once, not on every call


UNREADABLE = [
    "",
    "not json",
    "[" * 100_000,  # nested past the parser's recursion limit
    "[1, 2]",
    '{"cost_usd": 1.0}',
    f'{{"day": "{TODAY}"}}',
    f'{{"day": "{TODAY}", "cost_usd": "sk-proj-0123456789abcdefghij"}}',
    f'{{"day": "{TODAY}", "cost_usd": -1}}',
    f'{{"day": "{TODAY}", "cost_usd": NaN}}',
    f'{{"day": "{TODAY}", "cost_usd": Infinity}}',
    f'{{"day": "{TODAY}", "cost_usd": 1{"0" * 400}}}',
    f'{{"day": "{TODAY}", "cost_usd": true}}',
]
UNREADABLE_IDS = [
    "empty",
    "not-json",
    "nested-too-deep",
    "not-an-object",
    "no-day",
    "no-total",
    "total-a-string",
    "total-negative",
    "total-nan",
    "total-infinite",
    "total-too-large-for-a-float",
    "total-a-boolean",
]


@pytest.mark.parametrize("text", UNREADABLE, ids=UNREADABLE_IDS)
def test_an_unreadable_total_says_why_without_quoting_the_file(text: str) -> None:
    with pytest.raises(UnreadableSpend) as raised:
        parse_spend(text, TODAY)
    assert "sk-proj" not in str(raised.value)
    assert len(str(raised.value)) < 200


def test_the_background_writer_records_the_breakdown_too(tmp_path: Path) -> None:
    path = tmp_path / "spend.json"
    ledger = Ledger(daily=BackgroundDailySpend(path))
    ledger.record("completion", Usage(1_000, 500, 0, 0), card_for("gpt-5.4-mini"))
    ledger.record("code_action", Usage(1_000, 0, 0, 0), card_for("gpt-5.4-mini"))
    assert isinstance(ledger.daily, BackgroundDailySpend)
    ledger.daily.flush()

    record = read_spend(path, TODAY)

    assert {name: spend.to_json() for name, spend in record.features.items()} == {
        # 1_000 * 0.75 = 750 micro-dollars; 500 * 0.75 + 500 * 0.075 = 412.5
        "code_action": {
            "calls": 1,
            "input_tokens": 1_000,
            "cached_tokens": 0,
            "cost_usd": pytest.approx(0.00075),
        },
        "completion": {
            "calls": 1,
            "input_tokens": 1_000,
            "cached_tokens": 500,
            "cost_usd": pytest.approx(0.0004125),
        },
    }
    assert record.cost_usd == pytest.approx(ledger.cost_usd)


def test_the_background_writer_waits_then_writes_every_pending_call_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "spend.json"
    writes: list[int] = []
    daily = BackgroundDailySpend(path)
    original = DailySpend.add_all

    def counted(self: DailySpend, day: str, calls: list[CallRecord]) -> float | None:
        writes.append(len(calls))
        return original(self, day, calls)

    monkeypatch.setattr(DailySpend, "add_all", counted)
    ledger = Ledger(daily=daily)
    ledger.record("completion", Usage(1_000, 500, 0, 0), card_for("gpt-5.4-mini"))
    ledger.record("diagnostics", Usage(2_000, 0, 0, 0), card_for("gpt-5.4-mini"))

    assert not path.exists()  # not while the answer is being sent: FLUSH_DELAY_S later
    daily.flush()

    assert writes == [2]
    record = read_spend(path, TODAY)
    assert sorted(record.features) == ["completion", "diagnostics"]
    assert record.cost_usd == pytest.approx(ledger.cost_usd)


def test_the_background_writer_flushes_by_itself_after_its_delay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BackgroundDailySpend, "FLUSH_DELAY_S", 0.05)
    path = tmp_path / "spend.json"
    ledger = Ledger(daily=BackgroundDailySpend(path))
    ledger.record("completion", Usage(1_000, 500, 0, 0), card_for("gpt-5.4-mini"))

    deadline = time.monotonic() + 5
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)

    assert read_spend(path, TODAY).cost_usd == pytest.approx(ledger.cost_usd)


def test_todays_total_is_read_again_only_after_the_file_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "spend.json"
    path.write_text(json.dumps({"day": TODAY, "cost_usd": 1.5}), encoding="utf-8")
    reads: list[Path] = []
    original = usage.read_spend

    def counted(file: Path, day: str) -> DaySpend:
        reads.append(file)
        return original(file, day)

    monkeypatch.setattr(usage, "read_spend", counted)
    daily = DailySpend(path)

    assert [daily.read(TODAY), daily.read(TODAY)] == [1.5, 1.5]
    assert len(reads) == 1
    # Another process adds its spend: an atomic write, a new file in the old one's place.
    (tmp_path / "new.json").write_text(json.dumps({"day": TODAY, "cost_usd": 2.25}), "utf-8")
    (tmp_path / "new.json").replace(path)
    assert daily.read(TODAY) == 2.25
    assert len(reads) == 2
