"""Cost replay benchmark: real code history typed through the real server over LSP.

    .venv/bin/python -m benchmarks.replay [--quick]

For each caching regime (implicit: codex-mini-latest; explicit: gpt-5.6-luna) one fake OpenAI
server is started; the session is replayed twice against it, with the project's prompt layout
("cache-aware") and with the naive whole-file layout, each with a fresh server process and a
fresh fake cache. The two regimes run side by side. Figures come from what the fake billed;
see README.md in this folder for what each one means.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.edits import DATA_DIR, load_session
from benchmarks.metrics import TOKENIZERS, Figures, figures
from benchmarks.report import Context, render, targets, write_readme
from benchmarks.responder import Oracle, Responder
from benchmarks.run import NoGcPauses, RunResult, RunSpec, Timing, replay_once
from tests.fake_openai import FakeOpenAI

REGIMES = {"implicit": "codex-mini-latest", "explicit": "gpt-5.6-luna"}
LAYOUTS = ("cache-aware", "naive")
QUICK_TRANSITIONS = 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replay", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="replay only the first revision")
    parser.add_argument("--session", default="typer_core", help="folder under benchmarks/data")
    parser.add_argument("--transitions", type=int, help="replay only this many revisions")
    # A fast human typist (about 120 words a minute) who stops briefly at each line end; the
    # server's default debounce. `--keystroke-ms 30 --think-ms 250 --debounce-ms 120` is the
    # compressed stress run: 4x the call rate, past OpenAI's ~15 a minute per cache machine.
    parser.add_argument("--keystroke-ms", type=float, default=100.0, help="typing interval")
    parser.add_argument("--think-ms", type=float, default=1000.0, help="extra time per pause")
    parser.add_argument("--debounce-ms", type=int, default=250, help="server debounceMs")
    parser.add_argument(
        "--model-delay-ms", type=float, default=30.0, help="fake model: time between deltas"
    )
    parser.add_argument(
        "--suggestion-lines", type=int, default=1, help="lines the fake model suggests"
    )
    parser.add_argument(
        "--tokenizer",
        choices=sorted(TOKENIZERS),
        default="o200k",
        help="what the fake bills with: o200k_base (OpenAI's) or its ~2x approximation",
    )
    parser.add_argument("--sequential", action="store_true", help="run the regimes in turn")
    parser.add_argument("--write-readme", action="store_true", help="also after --quick")
    parser.add_argument("--no-readme", action="store_true", help="print only")
    parser.add_argument("--dump", type=Path, help="write each run's fake records (JSON) here")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        type=setting_pair,
        metavar="KEY=JSON",
        help="an extra server setting for every run, e.g. editContextTokens=6144",
    )
    return parser.parse_args(argv)


def setting_pair(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=JSON, got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value  # a bare string


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def quiet_disconnects(fake: FakeOpenAI) -> None:
    """Cancelled completions close their HTTP connections; the stdlib server prints a
    traceback for each reset. Those are expected here, so they are not printed."""
    server: Any = getattr(fake, "_server", None)
    if server is None:
        return
    original: Callable[[Any, Any], None] = server.handle_error

    def handle_error(request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            original(request, client_address)

    server.handle_error = handle_error


async def run_regime(regime: str, args: argparse.Namespace, timing: Timing) -> list[RunResult]:
    session = load_session(DATA_DIR / args.session)
    transitions = QUICK_TRANSITIONS if args.quick else args.transitions
    oracle = Oracle(args.suggestion_lines)
    responder = Responder(oracle, args.model_delay_ms / 1000)
    results = []
    tokenizer = TOKENIZERS[args.tokenizer]
    tokenizer("")  # o200k_base loads now (a second), not in the fake's first request
    with FakeOpenAI(default_responder=responder, tokenizer=tokenizer) as fake:
        quiet_disconnects(fake)
        for layout in LAYOUTS:
            spec = RunSpec(layout, regime, REGIMES[regime], tuple(args.setting), args.tokenizer)
            progress(f"replaying {layout} / {regime} ({spec.model}) ...")
            result = await replay_once(fake, oracle, session, spec, timing, transitions)
            progress(f"  {layout} / {regime}: {result.seconds:.0f} s, log {result.log_file}")
            results.append(result)
    return results


def regime_worker(regime: str, args: argparse.Namespace, timing: Timing) -> list[RunResult]:
    """Both layouts of one regime, in this process, with the garbage collector held off."""
    with NoGcPauses():
        return asyncio.run(run_regime(regime, args, timing))


def run_all(args: argparse.Namespace, timing: Timing) -> list[RunResult]:
    """The regimes run side by side in two processes, so that one regime's pauses (a cache
    reset freeing millions of objects, forking a server) never stall the other's typist."""
    if args.sequential:
        return [r for regime in REGIMES for r in regime_worker(regime, args, timing)]
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(REGIMES), mp_context=spawn) as pool:
        futures = [pool.submit(regime_worker, regime, args, timing) for regime in REGIMES]
        return [r for future in futures for r in future.result()]


def pair_with_naive(results: list[RunResult]) -> list[tuple[Figures, Figures | None]]:
    by_key = {(r.spec.layout, r.spec.regime): figures(r) for r in results}
    return [(figs, by_key.get(("naive", regime))) for (_, regime), figs in by_key.items()]


def notes_for(results: list[RunResult]) -> list[str]:
    notes = []
    for result in results:
        label = f"{result.spec.layout} / {result.spec.regime}"
        for error in sorted(set(result.stats.errors))[:5]:
            notes.append(f"{label}: {error}")
        if result.stats.diagnostics_timeouts:
            notes.append(f"{label}: {result.stats.diagnostics_timeouts} review(s) never published")
        if result.spec.layout == "naive" and result.usage.get("avoided"):
            notes.append(f"{label}: the naive layout still avoided calls {result.usage['avoided']}")
        if "Traceback" in result.stderr_tail:
            notes.append(f"{label}: the server wrote a traceback to stderr (see {result.log_file})")
    return notes


def dump_records(results: list[RunResult], directory: Path) -> None:
    """One JSON file per run: every request the fake saw, for offline prompt diffing."""
    directory.mkdir(parents=True, exist_ok=True)
    for result in results:
        name = f"{result.spec.layout}-{result.spec.regime}.json"
        records = [record.to_dict() for record in result.records]
        (directory / name).write_text(json.dumps(records), encoding="utf-8")
    progress(f"wrote the fake's records to {directory}")


def describe_timing(args: argparse.Namespace) -> str:
    return (
        f"keystroke {args.keystroke_ms:g} ms, think {args.think_ms:g} ms per pause, "
        f"debounceMs {args.debounce_ms}, fake model {args.model_delay_ms:g} ms per delta, "
        f"suggestions of {args.suggestion_lines} line(s), billed in {args.tokenizer} tokens"
        + "".join(f", {key}={json.dumps(value)}" for key, value in args.setting)
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    timing = Timing(args.keystroke_ms, args.think_ms, args.debounce_ms)
    started, load_before = time.monotonic(), os.getloadavg()[0]
    results = run_all(args, timing)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    progress(f"replays done in {time.monotonic() - started:.0f} s, peak memory {peak_mb:.0f} MB")
    session = load_session(DATA_DIR / args.session)
    count = QUICK_TRANSITIONS if args.quick else (args.transitions or len(session.texts) - 1)
    context = Context(
        session=f"{session.repo} {session.path}",
        transitions=f"{count} of {len(session.texts) - 1} revisions",
        timing=describe_timing(args),
        wall_seconds=time.monotonic() - started,
        quick=args.quick,
        load_before=load_before,
    )
    if args.dump:
        dump_records(results, args.dump)
    runs = pair_with_naive(results)
    section = render(runs, context, notes_for(results))
    print(section)
    for name, ok, measured in targets(runs):
        print(f"{'PASS' if ok else 'FAIL'}  {name}  ({measured})")
    if not args.no_readme and (not args.quick or args.write_readme):
        write_readme(section)
        progress("wrote the figures to benchmarks/README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
