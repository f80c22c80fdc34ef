"""The cost replay on every editing history, one summary table per split.

    .venv/bin/python -m benchmarks.replay_all [--regimes implicit,explicit] [--jobs 3]
    .venv/bin/python -m benchmarks.replay_all --from-results   # re-render the summary only

Each history under `data/` (held-out ones first: they are the result, then the tune ones) is
replayed by `benchmarks.replay` exactly as a single `--session` run: real-time typing at the
replay's pace (its defaults: 100 ms a key, 1 s more at each pause), both prompt layouts
("cache-aware" and "naive") against one fake OpenAI server per regime, with the fake's
per-machine overflow (15 requests a minute per routing prefix and key). One task is one
history in one regime; `--jobs` tasks run side by side, each in its own process.

Per history, the raw figures go to `results/replay-<history>-<commit>.json`; the summary
(completion cached ratio, all calls cached, cost vs naive per LSP request, completion calls per
pause, against the issue 13 targets, and the worst history) to
`results/replay-all-<commit>.md` and stdout. Options not listed here (`--transitions`,
`--keystroke-ms`, `--setting`, ...) go to each replay unchanged.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import replay
from benchmarks.edits import DATA_DIR
from benchmarks.histories import describe, folders
from benchmarks.metrics import Figures
from benchmarks.report import cost_ratio, machine_note, server_version
from benchmarks.run import Timing

RESULTS_DIR = Path(__file__).parent / "results"
REPO_ROOT = Path(__file__).resolve().parent.parent

# Issue 13, item 3: floors for every history.
COMPLETION_CACHED_TARGET = 0.90
OVERALL_CACHED_TARGET = 0.80
COST_TARGET = 0.25
CALLS_PER_PAUSE_TARGET = 1
SPLIT_ORDER = ("heldout", "tune")


@dataclass(frozen=True)
class HistoryRun:
    """One history replayed in one regime: the project's layout against the naive one."""

    history: str
    split: str
    regime: str
    model: str
    lines: str  # smallest-largest line count over the revisions
    revisions: str  # "4 of 4"
    completion_cached: float
    overall_cached: float
    cost_vs_naive: float | None
    calls_per_pause: float
    max_calls_per_pause: int
    completion_calls: int = 0
    pauses: int = 0
    calls_while_typing: int = 0
    repeat_calls: int = 0
    key_gap_ms: tuple[float, float] = (0.0, 0.0)  # p99 and max, the project's layout
    # Pooled figures (sums), so several histories can be added up.
    completion_input: int = 0
    completion_cached_tokens: int = 0
    overall_input: int = 0
    overall_cached_tokens: int = 0
    cost_usd: float = 0.0
    lsp_requests: int = 0
    naive_cost_usd: float = 0.0
    naive_lsp_requests: int = 0
    seconds: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.regime} ({self.model})"


def summarize(
    figs: Figures,
    naive: Figures | None,
    *,
    history: str,
    split: str,
    regime: str,
    model: str,
    lines: str,
    revisions: str,
) -> HistoryRun:
    ratio = cost_ratio(figs, naive)
    return HistoryRun(
        history=history,
        split=split,
        regime=regime,
        model=model,
        lines=lines,
        revisions=revisions,
        completion_cached=figs.completion.cached_ratio,
        overall_cached=figs.overall.cached_ratio,
        cost_vs_naive=ratio,
        calls_per_pause=figs.calls_per_pause,
        max_calls_per_pause=figs.max_calls_per_pause,
        completion_calls=figs.completion.calls,
        pauses=figs.pauses,
        calls_while_typing=figs.calls_while_typing,
        repeat_calls=figs.repeat_calls,
        key_gap_ms=figs.key_gap_ms,
        completion_input=figs.completion.input_tokens,
        completion_cached_tokens=figs.completion.cached_tokens,
        overall_input=figs.overall.input_tokens,
        overall_cached_tokens=figs.overall.cached_tokens,
        cost_usd=figs.overall.cost_usd,
        lsp_requests=figs.lsp_requests,
        naive_cost_usd=naive.overall.cost_usd if naive else 0.0,
        naive_lsp_requests=naive.lsp_requests if naive else 0,
        seconds=figs.seconds,
    )


def checks(run: HistoryRun) -> dict[str, bool]:
    """The issue 13 targets for one history, by name."""
    return {
        "completion": run.completion_cached >= COMPLETION_CACHED_TARGET,
        "overall": run.overall_cached >= OVERALL_CACHED_TARGET,
        "cost": run.cost_vs_naive is not None and run.cost_vs_naive <= COST_TARGET,
        "calls per pause": run.max_calls_per_pause <= CALLS_PER_PAUSE_TARGET,
    }


def failed(run: HistoryRun) -> int:
    return sum(1 for ok in checks(run).values() if not ok)


def worst(runs: Iterable[HistoryRun]) -> HistoryRun | None:
    """The history that fails the most targets; among those, the lowest completion cached
    ratio, then the lowest all-calls cached ratio."""
    return min(
        runs,
        key=lambda r: (-failed(r), r.completion_cached, r.overall_cached),
        default=None,
    )


def pooled(runs: Sequence[HistoryRun], label: str) -> HistoryRun | None:
    """All the runs as one: token and dollar sums, the most calls in one pause, the longest
    keystroke gaps."""
    if not runs:
        return None
    lsp = sum(r.lsp_requests for r in runs)
    naive_lsp = sum(r.naive_lsp_requests for r in runs)
    cost = sum(r.cost_usd for r in runs)
    naive_cost = sum(r.naive_cost_usd for r in runs)
    ratio = None
    if lsp and naive_lsp and naive_cost:
        ratio = (cost / lsp) / (naive_cost / naive_lsp)
    comp_in = sum(r.completion_input for r in runs)
    comp_cached = sum(r.completion_cached_tokens for r in runs)
    all_in = sum(r.overall_input for r in runs)
    all_cached = sum(r.overall_cached_tokens for r in runs)
    pauses = sum(r.pauses for r in runs)
    calls = sum(r.completion_calls for r in runs)
    return HistoryRun(
        history=label,
        split=runs[0].split,
        regime=runs[0].regime,
        model=runs[0].model,
        lines="",
        revisions="",
        completion_cached=comp_cached / comp_in if comp_in else 0.0,
        overall_cached=all_cached / all_in if all_in else 0.0,
        cost_vs_naive=ratio,
        calls_per_pause=calls / pauses if pauses else 0.0,
        max_calls_per_pause=max(r.max_calls_per_pause for r in runs),
        completion_calls=calls,
        pauses=pauses,
        calls_while_typing=sum(r.calls_while_typing for r in runs),
        repeat_calls=sum(r.repeat_calls for r in runs),
        key_gap_ms=(max(r.key_gap_ms[0] for r in runs), max(r.key_gap_ms[1] for r in runs)),
        completion_input=comp_in,
        completion_cached_tokens=comp_cached,
        overall_input=all_in,
        overall_cached_tokens=all_cached,
        cost_usd=cost,
        lsp_requests=lsp,
        naive_cost_usd=naive_cost,
        naive_lsp_requests=naive_lsp,
    )


# --- the summary -------------------------------------------------------------------------
def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def figure(value: float, target: float) -> str:
    """Three decimals, or four where three would round onto the target (0.8997 is no 0.900)."""
    text = f"{value:.3f}"
    return f"{value:.4f}" if text == f"{target:.3f}" and value != target else text


def table_row(run: HistoryRun, name: str | None = None) -> str:
    ok = checks(run)
    cost = run.cost_vs_naive
    ratio = "n/a" if cost is None else f"{figure(cost, COST_TARGET)}x"
    return (
        f"| {name or f'`{run.history}`'} | {run.lines} | {run.revisions} | {run.label} "
        f"| {figure(run.completion_cached, COMPLETION_CACHED_TARGET)} "
        f"{_verdict(ok['completion'])} "
        f"| {figure(run.overall_cached, OVERALL_CACHED_TARGET)} {_verdict(ok['overall'])} "
        f"| {ratio} {_verdict(ok['cost'])} "
        f"| {run.calls_per_pause:.2f} ({run.max_calls_per_pause}) "
        f"{_verdict(ok['calls per pause'])} "
        f"| {run.calls_while_typing} | {run.repeat_calls} "
        f"| {run.key_gap_ms[0]:.0f} / {run.key_gap_ms[1]:.0f} |"
    )


TABLE_HEAD = (
    "| History | Lines | Revisions replayed | Regime (model) "
    f"| Completion cached ratio (>= {COMPLETION_CACHED_TARGET:.2f}) "
    f"| All calls cached (>= {OVERALL_CACHED_TARGET:.2f}) "
    f"| Cost vs naive per LSP request (<= {COST_TARGET}x) "
    f"| Completion calls per pause: mean (max) (max <= {CALLS_PER_PAUSE_TARGET}) "
    "| Completion calls while typing | Calls for an identical repeat "
    "| Keystroke gap p99 / max (ms) |\n"
    "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
)


def split_section(runs: Sequence[HistoryRun], split: str) -> list[str]:
    title = {"heldout": "Held-out histories (the result)", "tune": "Tune histories"}[split]
    mine = [r for r in runs if r.split == split]
    out = [f"### {title}\n"]
    if not mine:
        return [*out, "Not run.\n"]
    out.append(TABLE_HEAD)
    regimes = sorted({r.regime for r in mine}, key=lambda g: list(replay.REGIMES).index(g))
    for regime in regimes:
        rows = sorted((r for r in mine if r.regime == regime), key=lambda r: r.history)
        out += [table_row(r) for r in rows]
        total = pooled(rows, f"{len(rows)} histories pooled")
        if total is not None and len(rows) > 1:
            out.append(table_row(total, f"**all {len(rows)}, pooled**"))
    out.append("")
    for regime in regimes:
        rows = [r for r in mine if r.regime == regime]
        bad = worst(rows)
        if bad is None:
            continue
        passing = sum(1 for r in rows if not failed(r))
        out.append(
            f"- {regime}: {passing} of {len(rows)} histories meet every target. Worst history: "
            f"`{bad.history}` ({failed(bad)} of 4 targets failed; completion cached "
            f"{figure(bad.completion_cached, COMPLETION_CACHED_TARGET)}, all calls "
            f"{figure(bad.overall_cached, OVERALL_CACHED_TARGET)}, cost "
            + ("n/a" if bad.cost_vs_naive is None else f"{figure(bad.cost_vs_naive, COST_TARGET)}x")
            + f" naive, at most {bad.max_calls_per_pause} completion call(s) in one pause)."
            + f" Worst per figure: {worst_per_figure(rows)}."
        )
    return [*out, ""]


def worst_per_figure(rows: Sequence[HistoryRun]) -> str:
    comp = min(rows, key=lambda r: r.completion_cached)
    over = min(rows, key=lambda r: r.overall_cached)
    cost = max(rows, key=lambda r: r.cost_vs_naive if r.cost_vs_naive is not None else 9e9)
    calls = max(rows, key=lambda r: r.max_calls_per_pause)
    cost_text = (
        "n/a" if cost.cost_vs_naive is None else f"{figure(cost.cost_vs_naive, COST_TARGET)}x"
    )
    return (
        f"completion cached {figure(comp.completion_cached, COMPLETION_CACHED_TARGET)} "
        f"(`{comp.history}`), all calls {figure(over.overall_cached, OVERALL_CACHED_TARGET)} "
        f"(`{over.history}`), cost {cost_text} (`{cost.history}`), "
        f"calls in one pause {calls.max_calls_per_pause} (`{calls.history}`)"
    )


def render_summary(runs: Sequence[HistoryRun], header: str, notes: Sequence[str] = ()) -> str:
    body = [header, ""]
    for split in SPLIT_ORDER:
        body += split_section(runs, split)
    if notes:
        body += ["Notes:\n", *(f"- {note}" for note in notes), ""]
    return "\n".join(body).rstrip("\n") + "\n"


# --- running -----------------------------------------------------------------------------
@dataclass
class TaskOutcome:
    history: str
    regime: str
    runs: list[tuple[Figures, Figures | None]]
    notes: list[str]
    load_before: float
    load_after: float
    started: str
    finished: str
    seconds: float
    revisions: str
    timing: str


def task_worker(history: str, regime: str, replay_argv: list[str]) -> TaskOutcome:
    """Both layouts of one history in one regime, as `benchmarks.replay --session` runs them."""
    args = replay.parse_args([*replay_argv, "--session", history, "--no-readme"])
    timing = Timing(args.keystroke_ms, args.think_ms, args.debounce_ms)
    load_before, started, clock = os.getloadavg()[0], _now(), time.monotonic()
    results = replay.regime_worker(regime, args, timing)
    if args.dump:  # one folder per history: the runs' files are named by layout and regime
        replay.dump_records(results, args.dump / history)
    count = len(describe(history).lines) - 1
    done = replay.QUICK_TRANSITIONS if args.quick else min(args.transitions or count, count)
    return TaskOutcome(
        history=history,
        regime=regime,
        runs=replay.pair_with_naive(results),
        notes=replay.notes_for(results),
        load_before=load_before,
        load_after=os.getloadavg()[0],
        started=started,
        finished=_now(),
        seconds=time.monotonic() - clock,
        revisions=f"{done} of {count}",
        timing=replay.describe_timing(args),
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def commit_hash(short: bool = True) -> str:
    command = ["git", "-C", str(REPO_ROOT), "rev-parse", *(["--short"] if short else []), "HEAD"]
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def server_module_path() -> str:
    """Which codex_lsp the replayed servers import (they start from the repository root)."""
    command = [sys.executable, "-c", "import codex_lsp; print(codex_lsp.__file__)"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, check=False)
    return done.stdout.strip() or done.stderr.strip()[-200:]


def result_file(results_dir: Path, history: str, commit: str) -> Path:
    return results_dir / f"replay-{history}-{commit}.json"


def lines_range(history: str) -> str:
    counts = describe(history).lines
    return f"{min(counts)}-{max(counts)}"


def outcome_runs(outcome: TaskOutcome, split: str) -> list[HistoryRun]:
    return [
        summarize(
            figs,
            naive,
            history=outcome.history,
            split=split,
            regime=outcome.regime,
            model=replay.REGIMES[outcome.regime],
            lines=lines_range(outcome.history),
            revisions=outcome.revisions,
        )
        for figs, naive in outcome.runs
        if figs.label.startswith("cache-aware")
    ]


def record_outcome(outcome: TaskOutcome, path: Path, meta: dict[str, Any]) -> None:
    """Add one regime's raw figures (both layouts) to the history's JSON file."""
    data = _history_data(path, outcome.history, meta)
    summary = outcome_runs(outcome, data["split"])
    data.get("failed", {}).pop(outcome.regime, None)
    data.setdefault("regimes", {})[outcome.regime] = {
        "model": replay.REGIMES[outcome.regime],
        "revisions": outcome.revisions,
        "timing": outcome.timing,
        "started": outcome.started,
        "finished": outcome.finished,
        "seconds": round(outcome.seconds, 1),
        "load_average": [round(outcome.load_before, 2), round(outcome.load_after, 2)],
        "summary": [dataclasses.asdict(run) for run in summary],
        "targets": [checks(run) for run in summary],
        "figures": [dataclasses.asdict(figs) for figs, _ in outcome.runs],
        "notes": outcome.notes,
    }
    _write(path, data)


def record_failure(history: str, regime: str, error: str, path: Path, meta: dict[str, Any]) -> None:
    """Note in the history's JSON file that its replay in `regime` did not finish, and why."""
    data = _history_data(path, history, meta)
    data.setdefault("failed", {})[regime] = {"error": error, "at": _now()}
    _write(path, data)


def _history_data(path: Path, folder: str, meta: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
    history = describe(folder)
    data.update(
        {
            "history": folder,
            "split": history.split,
            "project_file": f"{history.repo} {history.path}",
            "licence": history.licence,
            "lines_per_revision": history.lines,
            **meta,
        }
    )
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def load_results(results_dir: Path, commit: str) -> tuple[list[HistoryRun], list[str]]:
    """The summaries stored for `commit`, and the notes of every run."""
    runs, notes = [], []
    for path in sorted(results_dir.glob(f"replay-*-{commit}.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for regime, entry in data.get("regimes", {}).items():
            for item in entry["summary"]:
                item["key_gap_ms"] = tuple(item["key_gap_ms"])
                runs.append(HistoryRun(**item))
            notes += [f"`{data['history']}` {regime}: {note}" for note in entry["notes"]]
        for regime, failure in data.get("failed", {}).items():
            notes.append(f"`{data['history']}` {regime}: the replay failed: {failure['error']}")
    return runs, notes


def stored_header(results_dir: Path, commit: str) -> str:
    """The header of a summary rendered again from the results files of `commit`."""
    versions, timings, loads, started, finished = set(), set(), [], [], []
    for path in sorted(results_dir.glob(f"replay-*-{commit}.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        versions.add(str(data.get("codex_lsp_version", commit)))
        for entry in data.get("regimes", {}).values():
            timings.add(entry["timing"])
            loads += entry["load_average"]
            started.append(entry["started"])
            finished.append(entry["finished"])
    if not started:
        return f"No results of `{commit}` in {results_dir}."
    return (
        f"Runs {min(started)} to {max(finished)}, codex_lsp at "
        f"`{', '.join(sorted(versions))}`, on {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load average "
        f"{min(loads):.1f}-{max(loads):.1f} (1 minute, at the start and end of each task); "
        f"{'; '.join(sorted(timings))}; {OVERFLOW_NOTE}"
    )


@dataclass
class Plan:
    tasks: list[tuple[str, str]]  # (history, regime), in the order they start
    start_before: dt.datetime | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)


def plan_tasks(histories: Sequence[str], regimes: Sequence[str]) -> list[tuple[str, str]]:
    """Every regime's held-out histories, then its tune ones; the first regime first."""
    order = {split: index for index, split in enumerate(SPLIT_ORDER)}
    ranked = sorted(histories, key=lambda h: (order[describe(h).split], h))
    return [(history, regime) for regime in regimes for history in ranked]


def run_tasks(
    plan: Plan, jobs: int, replay_argv: list[str], on_done: Any
) -> list[tuple[str, str, str]]:
    """Run the plan `jobs` at a time; no task starts after `plan.start_before`. Returns the
    tasks that failed, with their error."""
    spawn = multiprocessing.get_context("spawn")
    pending = list(plan.tasks)
    errors: list[tuple[str, str, str]] = []
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=spawn) as pool:
        running: dict[cf.Future[TaskOutcome], tuple[str, str]] = {}
        while pending or running:
            while pending and len(running) < jobs:
                if plan.start_before and dt.datetime.now(dt.UTC) >= plan.start_before:
                    plan.skipped += pending
                    pending = []
                    break
                history, regime = pending.pop(0)
                replay.progress(f"[{_now()}] start {history} / {regime}")
                future = pool.submit(task_worker, history, regime, replay_argv)
                running[future] = (history, regime)
            if not running:
                break
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                history, regime = running.pop(future)
                try:
                    outcome = future.result()
                except Exception as error:  # one history failing must not lose the others
                    errors.append((history, regime, repr(error)))
                    replay.progress(f"[{_now()}] {history} / {regime} failed: {error!r}")
                    continue
                replay.progress(f"[{_now()}] done {history} / {regime}: {outcome.seconds:.0f} s")
                try:
                    on_done(outcome)
                except Exception as error:  # keep running the others; say what was lost
                    errors.append((history, regime, f"recording the results: {error!r}"))
                    replay.progress(f"[{_now()}] {history} / {regime}: {error!r}")
    return errors


def parse_args(argv: list[str] | None = None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.replay_all",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument(
        "--sessions", help="comma-separated history folders (default: every history)"
    )
    parser.add_argument("--split", choices=SPLIT_ORDER, help="only histories of this split")
    parser.add_argument("--regimes", default="implicit", help="comma-separated: implicit, explicit")
    parser.add_argument("--jobs", type=int, default=3, help="tasks side by side")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="results folder")
    parser.add_argument("--start-before", help="HH:MM (UTC): no task starts after this time today")
    parser.add_argument(
        "--from-results",
        action="store_true",
        help="only render the summary from the results folder (this commit)",
    )
    parser.add_argument("--commit", help="with --from-results: the commit's results to read")
    args, rest = parser.parse_known_args(argv)
    replay.parse_args(rest)  # reject unknown options now, not in every worker
    return args, rest


def deadline(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    hour, minute = (int(part) for part in text.split(":"))
    return dt.datetime.now(dt.UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)


OVERFLOW_NOTE = (
    "per-machine overflow at 15 requests a minute per routing prefix and key (the fake's "
    "default). Each row: the project's layout (cache-aware) of one history in one regime; "
    "cost against the naive whole-file layout replayed on the same edits in the same regime."
)


def header(commit: str, load: tuple[float, float], timing: str, started: str) -> str:
    return (
        f"Run {started}, codex_lsp at `{commit}`, on {machine_note(load[0])}; load average "
        f"{load[1]:.1f} at the end; {timing}; {OVERFLOW_NOTE}"
    )


def main(argv: list[str] | None = None) -> int:
    args, replay_argv = parse_args(argv)
    commit = args.commit or commit_hash()
    summary_path = args.results / f"replay-all-{commit}.md"
    if args.from_results:
        stored, stored_notes = load_results(args.results, commit)
        text = render_summary(stored, stored_header(args.results, commit), stored_notes)
        print(text)
        return 0
    histories = args.sessions.split(",") if args.sessions else folders(args.split)
    regimes = args.regimes.split(",")
    unknown = [g for g in regimes if g not in replay.REGIMES]
    missing = [h for h in histories if not (DATA_DIR / h / "session.json").exists()]
    if unknown or missing:
        raise SystemExit(f"unknown regime(s) {unknown} or history folder(s) {missing}")
    plan = Plan(plan_tasks(histories, regimes), deadline(args.start_before))
    meta = {
        "commit": commit_hash(short=False),
        "codex_lsp_version": server_version(),
        "server_imports": server_module_path(),
        "machine": machine_note(os.getloadavg()[0]),
    }
    replay.progress(
        f"codex_lsp at {meta['codex_lsp_version']}, servers import {meta['server_imports']}"
    )
    started, load_start = _now(), os.getloadavg()[0]
    runs: list[HistoryRun] = []
    notes: list[str] = []
    timings: set[str] = set()

    def on_done(outcome: TaskOutcome) -> None:
        record_outcome(outcome, result_file(args.results, outcome.history, commit), meta)
        runs.extend(outcome_runs(outcome, describe(outcome.history).split))
        notes.extend(f"`{outcome.history}` {outcome.regime}: {note}" for note in outcome.notes)
        timings.add(outcome.timing)
        write_summary()

    def write_summary() -> str:
        timing = "; ".join(sorted(timings)) or "no run finished"
        extra = [f"not started (deadline): {h} / {g}" for h, g in plan.skipped]
        extra += [f"failed: {h} / {g}: {e}" for h, g, e in errors]
        text = render_summary(
            runs,
            # The commit the servers were started from, not HEAD now (it may have moved on).
            header(meta["codex_lsp_version"], (load_start, os.getloadavg()[0]), timing, started),
            [*notes, *extra],
        )
        summary_path.parent.mkdir(parents=True, exist_ok=True)
        summary_path.write_text(text, encoding="utf-8")
        return text

    errors: list[tuple[str, str, str]] = []
    errors += run_tasks(plan, args.jobs, replay_argv, on_done)
    for history, regime, error in errors:
        record_failure(history, regime, error, result_file(args.results, history, commit), meta)
    print(write_summary())
    replay.progress(f"wrote {summary_path}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
