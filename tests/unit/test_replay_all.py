"""The multi-history replay's summary: per-history figures, targets, worst history, pooling,
and the results files, from given run results (nothing is replayed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import replay_all
from benchmarks.metrics import Figures, Totals
from benchmarks.replay_all import HistoryRun, TaskOutcome


def totals(calls: int, input_tokens: int, cached: int, cost: float) -> Totals:
    return Totals(calls=calls, input_tokens=input_tokens, cached_tokens=cached, cost_usd=cost)


def figures(
    layout: str,
    completion: Totals,
    overall: Totals,
    *,
    pauses: int = 10,
    lsp_requests: int = 100,
    max_per_pause: int = 1,
) -> Figures:
    return Figures(
        label=f"{layout} / implicit (codex-mini-latest)",
        completion=completion,
        overall=overall,
        by_schema={},
        keystrokes=500,
        pauses=pauses,
        lsp_requests=lsp_requests,
        avoided={},
        peak_prefix_rpm=10,
        peak_prefix_any_key_rpm=12,
        repeat_calls=0,
        repeat_same_answer=True,
        seconds=60.0,
        max_calls_per_pause=max_per_pause,
        key_gap_ms=(101.0, 104.0),
    )


def run(
    history: str,
    completion: float,
    overall: float,
    cost: float | None,
    max_per_pause: int = 1,
    split: str = "heldout",
) -> HistoryRun:
    return HistoryRun(
        history=history,
        split=split,
        regime="implicit",
        model="codex-mini-latest",
        lines="100-120",
        revisions="4 of 4",
        completion_cached=completion,
        overall_cached=overall,
        cost_vs_naive=cost,
        calls_per_pause=1.0,
        max_calls_per_pause=max_per_pause,
    )


def test_summarize_takes_the_ratios_from_the_fake_bill() -> None:
    figs = figures("cache-aware", totals(10, 10_000, 9_200, 0.02), totals(14, 20_000, 17_000, 0.05))
    naive = figures("naive", totals(10, 30_000, 3_000, 0.15), totals(14, 40_000, 4_000, 0.20))
    summary = replay_all.summarize(
        figs,
        naive,
        history="h",
        split="heldout",
        regime="implicit",
        model="codex-mini-latest",
        lines="1-2",
        revisions="1 of 1",
    )
    assert summary.completion_cached == pytest.approx(0.92)
    assert summary.overall_cached == pytest.approx(0.85)
    assert summary.cost_vs_naive == pytest.approx(0.25)  # same LSP requests: 0.05 / 0.20
    assert summary.calls_per_pause == pytest.approx(1.0)
    assert replay_all.checks(summary) == {
        "completion": True,
        "overall": True,
        "cost": True,  # exactly at the floor passes
        "calls per pause": True,
    }


def test_each_target_fails_on_its_own() -> None:
    assert not replay_all.checks(run("a", 0.899, 0.9, 0.1))["completion"]
    assert not replay_all.checks(run("a", 0.95, 0.799, 0.1))["overall"]
    assert not replay_all.checks(run("a", 0.95, 0.9, 0.251))["cost"]
    assert not replay_all.checks(run("a", 0.95, 0.9, None))["cost"]  # no naive run
    assert not replay_all.checks(run("a", 0.95, 0.9, 0.1, max_per_pause=2))["calls per pause"]
    assert replay_all.failed(run("a", 0.5, 0.5, 0.5, max_per_pause=3)) == 4


def test_worst_history_fails_most_targets_then_caches_least() -> None:
    runs = [
        run("fine", 0.95, 0.90, 0.20),
        run("low-cache", 0.70, 0.85, 0.20),  # one target failed
        run("two-failed", 0.91, 0.70, 0.30),  # two failed, caches more
        run("two-failed-lower", 0.88, 0.82, 0.30, max_per_pause=1),  # two failed
    ]
    worst = replay_all.worst(runs)
    assert worst is not None and worst.history == "two-failed-lower"
    assert replay_all.worst([]) is None


def test_pooled_adds_tokens_and_dollars() -> None:
    a = HistoryRun(
        **{
            **run("a", 0.0, 0.0, None).__dict__,
            "completion_input": 1000,
            "completion_cached_tokens": 900,
            "overall_input": 2000,
            "overall_cached_tokens": 1500,
            "cost_usd": 1.0,
            "lsp_requests": 100,
            "naive_cost_usd": 4.0,
            "naive_lsp_requests": 100,
            "completion_calls": 10,
            "pauses": 10,
        }
    )
    b = HistoryRun(
        **{
            **a.__dict__,
            "history": "b",
            "completion_cached_tokens": 700,
            "overall_cached_tokens": 1100,
            "cost_usd": 2.0,
            "max_calls_per_pause": 2,
            "completion_calls": 12,
            "key_gap_ms": (110.0, 130.0),
        }
    )
    total = replay_all.pooled([a, b], "pooled")
    assert total is not None
    assert total.completion_cached == pytest.approx(0.8)
    assert total.overall_cached == pytest.approx(0.65)
    assert total.cost_vs_naive == pytest.approx(3.0 / 8.0)
    assert total.calls_per_pause == pytest.approx(22 / 20)
    assert total.max_calls_per_pause == 2
    assert total.key_gap_ms == (110.0, 130.0)
    assert replay_all.pooled([], "none") is None


def test_summary_reports_splits_separately_with_verdicts() -> None:
    runs = [
        run("held1", 0.93, 0.85, 0.20),
        run("held2", 0.80, 0.60, 0.40, max_per_pause=2),
        run("tuned", 0.95, 0.90, 0.15, split="tune"),
    ]
    text = replay_all.render_summary(runs, "Header.", ["a note"])
    held, tune = text.split("### Held-out histories (the result)")[1].split("### Tune histories")
    assert "`held1`" in held and "`held2`" in held and "`tuned`" not in held
    assert "`tuned`" in tune and "`held1`" not in tune
    assert "0.930 PASS" in held and "0.800 FAIL" in held and "0.400x FAIL" in held
    assert "1.00 (2) FAIL" in held
    assert "**all 2, pooled**" in held
    assert "Worst history: `held2` (4 of 4 targets failed" in held
    assert "1 of 2 histories meet every target" in held
    assert "Worst per figure: completion cached 0.800 (`held2`)" in held
    assert "- a note" in text


def test_a_figure_next_to_its_target_shows_which_side_it_is_on() -> None:
    assert replay_all.figure(0.8997, 0.90) == "0.8997"
    assert replay_all.figure(0.9003, 0.90) == "0.9003"
    assert replay_all.figure(0.90, 0.90) == "0.900"
    assert replay_all.figure(0.8512, 0.90) == "0.851"
    row = replay_all.table_row(run("t", 0.8997, 0.9, 0.2504))
    assert "0.8997 FAIL" in row and "0.2504x FAIL" in row


def test_missing_split_says_not_run() -> None:
    text = replay_all.render_summary([run("held1", 0.93, 0.85, 0.20)], "Header.")
    assert text.split("### Tune histories")[1].strip() == "Not run."


def test_results_file_round_trip(tmp_path: Path) -> None:
    figs = figures("cache-aware", totals(10, 10_000, 9_500, 0.02), totals(14, 20_000, 17_000, 0.05))
    naive = figures("naive", totals(10, 30_000, 3_000, 0.15), totals(14, 40_000, 4_000, 0.20))
    outcome = TaskOutcome(
        history="flask_testing",
        regime="implicit",
        runs=[(figs, naive), (naive, naive)],
        notes=["something"],
        load_before=1.0,
        load_after=2.0,
        started="s",
        finished="f",
        seconds=1.0,
        revisions="4 of 4",
        timing="keystroke 100 ms",
    )
    path = replay_all.result_file(tmp_path, "flask_testing", "abc1234")
    replay_all.record_outcome(outcome, path, {"commit": "abc1234"})
    runs, notes = replay_all.load_results(tmp_path, "abc1234")
    assert [r.history for r in runs] == ["flask_testing"]  # only the project's layout
    assert runs[0].split == "heldout"
    assert runs[0].completion_cached == pytest.approx(0.95)
    assert runs[0].key_gap_ms == (101.0, 104.0)
    assert notes == ["`flask_testing` implicit: something"]
    replay_all.record_failure("flask_testing", "explicit", "Boom()", path, {"commit": "abc1234"})
    runs, notes = replay_all.load_results(tmp_path, "abc1234")
    assert len(runs) == 1  # the implicit figures are kept
    assert notes[-1] == "`flask_testing` explicit: the replay failed: Boom()"
    header = replay_all.stored_header(tmp_path, "abc1234")
    assert "Runs s to f" in header and "load average 1.0-2.0" in header
    assert "keystroke 100 ms" in header
    assert replay_all.stored_header(tmp_path, "other").startswith("No results")


def test_plan_puts_held_out_first_and_regimes_in_turn() -> None:
    plan = replay_all.plan_tasks(["typer_core", "flask_testing"], ["implicit", "explicit"])
    assert plan == [
        ("flask_testing", "implicit"),
        ("typer_core", "implicit"),
        ("flask_testing", "explicit"),
        ("typer_core", "explicit"),
    ]


def test_extra_options_go_to_the_replay() -> None:
    args, rest = replay_all.parse_args(["--jobs", "2", "--transitions", "2"])
    assert args.jobs == 2 and rest == ["--transitions", "2"]
    with pytest.raises(SystemExit):
        replay_all.parse_args(["--no-such-option"])
