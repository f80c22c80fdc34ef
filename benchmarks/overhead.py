"""Overhead benchmark: the time codex-lsp adds to a request when the model takes none.

The real server (`python -m codex_lsp`, stdio) against the in-process fake OpenAI answering
with no latency (`benchmarks/answers.py`: a suggestion, two findings, a rewrite), on documents
of 100, 2,000 and 20,000 lines of real Python (`benchmarks/documents.py`). Each sample types a
line at one of five places in the file (ten samples per place, as a person edits), lets the
server take the change in, then asks; see `benchmarks/timing.py` for what is measured.

Two servers per size:
- asks at pauses, `debounceMs: 0`, `features.diagnosticsOnChange: true` (every pull reviews
  the edit): inline completion, completion (invoked), pull diagnostics (no `previousResultId`,
  so the review starts at once), code action listing and `codeAction/resolve`, and the
  `didChange` itself;
- the defaults (`debounceMs: 250`, reviews on open and save): inline completion asked once at
  a pause (three keystrokes 100 ms apart, then `--pause-ms` of quiet), and a pull after an
  edit, which the last review answers without a model call.

Run: `.venv/bin/python -m benchmarks.overhead` (about 4.5 minutes on 2 cores; `--quick`: 15
samples a cell, 100 and 2,000 lines).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.documents import python_document
from benchmarks.timing import (
    UNOPENED,
    Cell,
    RunStart,
    Sample,
    Session,
    Stats,
    code_action_params,
    completion_params,
    inline_params,
    pull_params,
)
from benchmarks.wire import cpu_spent, cpu_times, percentile
from tests.fake_openai import FakeOpenAI

SIZES = (100, 2000, 20000)
GROUP = 10  # samples typed at one place before moving to the next
KEYSTROKE_S = 0.1

AT_PAUSES = {
    "backend": "openai",
    "fallbackModels": [],
    "debounceMs": 0,
    "features": {"diagnosticsOnChange": True},
}
DEFAULTS = {"backend": "openai", "fallbackModels": []}

INLINE = "inline completion, debounceMs 0"
INLINE_PAUSE = "inline completion at a pause, debounceMs 250"
COMPLETION = "completion (invoked)"
PULL = "pull diagnostics (a review runs)"
PULL_STANDING = "pull diagnostics (no model call)"
RESOLVE = "codeAction/resolve"
LIST = "codeAction (list, no model call)"
CHANGE = "didChange (one line, + a round trip)"
ORDER = (INLINE, INLINE_PAUSE, COMPLETION, PULL, RESOLVE, PULL_STANDING, LIST, CHANGE)

# Issue 12's targets, at 2,000 lines: p99 of the time added, in ms.
TARGETS = {INLINE: 10.0, INLINE_PAUSE: 10.0, RESOLVE: 10.0, PULL: 20.0}


class Runner:
    """The samples of one server: each typed line, then the request it is for."""

    def __init__(self, session: Session, lines: int, warmup: int, samples: int) -> None:
        self.session = session
        self.lines = lines
        self.warmup = warmup
        self.samples = samples
        self.cells: dict[str, Cell] = {}
        self._last_key = 0.0

    def cell(self, name: str) -> Cell:
        return self.cells.setdefault(name, Cell(name, self.lines))

    def run(self, step: Callable[[int], list[Sample]], start: int = 0) -> None:
        """`warmup` unmeasured samples, then `samples` kept; indices from `start` on."""
        for index in range(start, start + self.warmup + self.samples):
            taken = step(index)
            if index >= start + self.warmup:
                for sample in taken:
                    self.cell(sample.cell).samples.append(sample)

    def _line(self, index: int) -> int:
        return self.session.place(index // GROUP) + index % GROUP

    def _typed(self, index: int) -> tuple[int, int]:
        """A typed line, taken in by the server: returns the cursor, records the change."""
        session = self.session
        threads = cpu_times(session.client.pid)
        sent = time.time()
        cursor = session.insert_line(self._line(index), f"        value_{index} = ")
        barrier = session.round_trip("textDocument/inlineCompletion", self._empty_inline())
        cpu_ms, queued_ms = cpu_spent(threads, cpu_times(session.client.pid))
        self._last_change = Sample(
            CHANGE, sent, sent + barrier, 0.0, cpu_ms=cpu_ms, queued_ms=queued_ms
        )
        return cursor

    def _empty_inline(self) -> dict[str, Any]:
        return inline_params(UNOPENED, (0, 0))

    def _with_change(self, sample: Sample) -> list[Sample]:
        change = self._last_change
        change.baseline_s = sample.baseline_s
        return [sample, change]

    # --- the steps -----------------------------------------------------------------------
    def inline(self, index: int) -> list[Sample]:
        cursor = self._typed(index)
        params = inline_params(self.session.uri, cursor)
        sample, result = self.session.measure(
            INLINE, "textDocument/inlineCompletion", params, self._empty_inline()
        )
        _expect_items(sample, result)
        return self._with_change(sample)

    def completion(self, index: int) -> list[Sample]:
        cursor = self._typed(index)
        sample, result = self.session.measure(
            COMPLETION,
            "textDocument/completion",
            completion_params(self.session.uri, cursor),
            completion_params(UNOPENED, (0, 0)),
        )
        _expect_items(sample, result)
        return [sample]

    def pull(self, index: int, name: str = PULL) -> list[Sample]:
        self._typed(index)
        sample, result = self.session.measure(
            name, "textDocument/diagnostic", pull_params(self.session.uri), pull_params(UNOPENED)
        )
        if name == PULL:
            _expect_items(sample, result)
        return [sample]

    def resolve(self, index: int) -> list[Sample]:
        line, _ = self._typed(index)
        first, last = max(0, line - 2), line + 3
        listed, actions = self.session.measure(
            LIST,
            "textDocument/codeAction",
            code_action_params(self.session.uri, first, last),
            code_action_params(UNOPENED, first, last),
        )
        if not actions:
            listed.error = "no action offered"
            return [listed]
        action = actions[0]
        empty = {**action, "data": {**action["data"], "uri": UNOPENED}}
        resolved, result = self.session.measure(RESOLVE, "codeAction/resolve", action, empty)
        if not (result or {}).get("edit"):
            resolved.error = "resolved without an edit"
        return [listed, resolved]

    def inline_at_pause(self, index: int, pause_s: float, think_s: float) -> list[Sample]:
        """Three keystrokes, quiet for `pause_s`, the request; the next burst starts `think_s`
        after this one's last keystroke (over a second: a pause, not typing rhythm)."""
        session = self.session
        time.sleep(max(0.0, self._last_key + think_s - time.monotonic()))
        line, column = session.insert_line(self._line(index), f"        value_{index} = ")
        for key in "se":
            time.sleep(KEYSTROKE_S)
            line, column = session.type_at(line, column, key)
        self._last_key = time.monotonic()
        time.sleep(pause_s)
        sample, result = session.measure(
            INLINE_PAUSE,
            "textDocument/inlineCompletion",
            inline_params(session.uri, (line, column)),
            self._empty_inline(),
        )
        _expect_items(sample, result)
        return [sample]


def _expect_items(sample: Sample, result: Any) -> None:
    """A request answered without the model's items took a shortcut: not what is measured."""
    if sample.error is None and not (result or {}).get("items"):
        sample.error = "answered without items"


def measure_size(
    lines: int, args: argparse.Namespace, fake: FakeOpenAI, log_dir: Path
) -> list[Cell]:
    text = python_document(lines)
    cells: list[Cell] = []
    extra = dict(args.setting)

    session = Session(
        fake,
        {**AT_PAUSES, **extra},
        text,
        log_dir=log_dir / f"{lines}-at-pauses",
        command=_command(args, log_dir / f"{lines}-at-pauses.gc"),
    )
    try:
        time.sleep(args.settle_s)  # the o200k tokenizer loads in the background at start
        runner = Runner(session, lines, args.warmup, args.samples)
        runner.run(runner.inline)
        runner.run(runner.completion, start=1000)
        # The first pull reviews the whole file (one to four calls): not what is measured.
        runner.run(runner.pull, start=2000)
        runner.run(runner.resolve, start=3000)
        cells += runner.cells.values()
    finally:
        session.stop()

    session = Session(
        fake,
        {**DEFAULTS, **extra},
        text,
        log_dir=log_dir / f"{lines}-defaults",
        command=_command(args, log_dir / f"{lines}-defaults.gc"),
    )
    try:
        time.sleep(args.settle_s)
        runner = Runner(session, lines, args.warmup, args.samples)
        runner.run(lambda i: runner.pull(i, PULL_STANDING), start=4000)
        runner.run(lambda i: runner.inline_at_pause(i, args.pause_ms / 1000, args.think_ms / 1000))
        cells += runner.cells.values()
    finally:
        session.stop()
    return cells


def _command(args: argparse.Namespace, gc_log: Path) -> list[str] | None:
    """With `--gc-log`, the server logs its slow garbage collections (profiled_server --gc)."""
    if not args.gc_log:
        return None
    return [sys.executable, "-m", "benchmarks.profiled_server", "--gc", str(gc_log)]


def collections(cells: list[Cell], log_dir: Path) -> str:
    """The servers' collections over 2 ms, and the measured requests they fell into."""
    rows = [
        "| Generation | Collections over 2 ms | Duration p50 / max (ms) | Inside a measured "
        "request (that request's added ms) |",
        "| ---: | ---: | ---: | --- |",
    ]
    samples = [s for cell in cells for s in cell.samples]
    found: dict[int, list[tuple[float, float]]] = {}
    for path in sorted(log_dir.glob("*.gc")):
        for line in path.read_text().splitlines():
            gen, took_ms, at = line.split()
            found.setdefault(int(gen), []).append((float(took_ms), float(at)))
    for generation, events in sorted(found.items()):
        durations = [took for took, _ in events]
        hits = [
            f"{s.cell} {s.added_ms:.0f}"
            for _, at in events
            for s in samples
            if s.sent <= at <= s.answered
        ]
        rows.append(
            f"| {generation} | {len(events)} | {percentile(durations, 0.5):.1f} / "
            f"{max(durations):.1f} | {len(hits)}: {'; '.join(hits[:6]) or '-'} |"
        )
    return "\n".join(rows)


# --- the report ----------------------------------------------------------------------------
def _ms(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.1f}"


def table(cells: list[Cell]) -> str:
    rows = [
        "| Request | Lines | n | Added p50 / p99 (ms) | In -> out p50 / p99 | End -> out p50 / "
        "p99 | Server CPU p50 / p99 | Waiting for a CPU p99 | Empty round trip p50 / p99 "
        "| Added / empty round trip, p50 (p99) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ORDER:
        for cell in sorted((c for c in cells if c.name == name), key=lambda c: c.lines):
            added, base = cell.stats("added_ms"), cell.baseline()
            into, out = cell.stats("in_to_out_ms"), cell.stats("end_to_out_ms")
            cpu, queued = cell.stats("cpu_ms"), cell.stats("queued_ms")
            calls = "" if name in (PULL_STANDING, LIST, CHANGE) else _no_call_note(cell)
            errors = len(cell.samples) - len(cell.ok)
            note = f"{calls}{f' ({errors} failed)' if errors else ''}"
            rows.append(
                f"| {name}{note} | {cell.lines:,} | {added.n} | {_pair(added)} | {_pair(into)} "
                f"| {_pair(out)} | {_pair(cpu)} | {_ms(queued.p99)} "
                f"| {_pair(base)} | {added.p50 / base.p50:.1f}x ({added.p99 / base.p99:.1f}x) |"
            )
    return "\n".join(rows)


def _pair(stats: Stats) -> str:
    return f"{_ms(stats.p50)} / {_ms(stats.p99)}"


def _no_call_note(cell: Cell) -> str:
    return f" [{cell.without_call} without a model call]" if cell.without_call else ""


def growth(cells: list[Cell]) -> str:
    sizes = sorted({c.lines for c in cells})
    head = " | ".join(f"p50 at {n:,}" for n in sizes)
    rows = [
        f"| Request | {head} | Exponent 2,000 -> 20,000 (p50, p99) |",
        "| --- | " + " | ".join("---:" for _ in sizes) + " | ---: |",
    ]
    for name in ORDER:
        by_size = {c.lines: c for c in cells if c.name == name}
        if not by_size:
            continue
        values = [by_size[n].stats("added_ms").p50 if n in by_size else math.nan for n in sizes]
        rows.append(
            f"| {name} | " + " | ".join(_ms(v) for v in values) + f" | {_exponent(by_size)} |"
        )
    return "\n".join(rows)


def _exponent(by_size: dict[int, Cell]) -> str:
    """log(ms at 20,000 / ms at 2,000) / log(10): 1 is linear in the document size."""
    if 2000 not in by_size or 20000 not in by_size:
        return "-"
    small, large = by_size[2000].stats("added_ms"), by_size[20000].stats("added_ms")
    parts = []
    for a, b in ((small.p50, large.p50), (small.p99, large.p99)):
        parts.append(f"{math.log(b / a) / math.log(10):.2f}" if a > 0 and b > 0 else "-")
    return ", ".join(parts)


def targets(cells: list[Cell]) -> str:
    rows = ["| Target (2,000 lines) | Result | p99 added |", "| --- | --- | ---: |"]
    for name, limit in TARGETS.items():
        cell = next((c for c in cells if c.name == name and c.lines == 2000), None)
        if cell is None:
            continue
        p99 = cell.stats("added_ms").p99
        verdict = "PASS" if p99 <= limit else "FAIL"
        rows.append(f"| {name}: p99 <= {limit:.0f} ms | {verdict} | {p99:.1f} ms |")
    for name in (INLINE, COMPLETION, PULL, RESOLVE):
        by_size = {c.lines: c for c in cells if c.name == name}
        if 2000 in by_size and 20000 in by_size:
            a, b = by_size[2000].stats("added_ms").p50, by_size[20000].stats("added_ms").p50
            verdict = "PASS" if b <= 10 * a else "FAIL"
            rows.append(
                f"| {name}: growth no worse than linear (p50 x{b / a:.1f} for 10x lines) "
                f"| {verdict} | |"
            )
    return "\n".join(rows)


def header(start: RunStart, args: argparse.Namespace) -> str:
    return (
        f"{start.header()}; {args.samples} samples a cell after {args.warmup} warm-up samples, "
        f"pause {args.pause_ms:.0f} ms after three keystrokes 100 ms apart."
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--samples", type=int, default=50, help="measured samples a cell (50)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured samples first (5)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument(
        "--pause-ms", type=float, default=200, help="quiet after the last keystroke (200)"
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=1100,
        help="from one burst's last keystroke to the next burst (1100: over a second, so the "
        "server does not take it for typing rhythm)",
    )
    parser.add_argument("--settle-s", type=float, default=3.0, help="wait after start (3)")
    parser.add_argument("--quick", action="store_true", help="15 samples, 100 and 2,000 lines")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        type=_setting,
        help="KEY=JSON, an extra server setting for every run (repeatable)",
    )
    parser.add_argument("--json", type=Path, help="write every sample here")
    parser.add_argument(
        "--gc-log",
        action="store_true",
        help="run the servers through benchmarks.profiled_server --gc and report their slow "
        "garbage collections against the requests",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.samples, args.sizes = 15, [100, 2000]
    return args


def _setting(value: str) -> tuple[str, Any]:
    key, _, raw = value.partition("=")
    return key, json.loads(raw)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.setswitchinterval(0.0005)  # the reader thread stamps replies without waiting for the GIL
    start = RunStart.now()
    cells: list[Cell] = []
    log_dir = Path(tempfile.mkdtemp(prefix="codex-lsp-overhead-"))
    with FakeOpenAI(per_prefix_rpm=None) as fake:
        for lines in args.sizes:
            print(f"{lines:,} lines ...", file=sys.stderr, flush=True)
            cells += measure_size(lines, args, fake, log_dir)
            fake.reset()
    print(header(start, args))
    print()
    print(table(cells))
    print()
    print(growth(cells))
    print()
    print(targets(cells))
    if args.gc_log:
        print()
        print(collections(cells, log_dir))
    print(f"\n(server logs in {log_dir})")
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {"cell": c.name, "lines": c.lines, "samples": [asdict(s) for s in c.samples]}
                    for c in cells
                ],
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
