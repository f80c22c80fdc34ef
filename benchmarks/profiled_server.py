"""The server under a profiler, for `benchmarks/hotspots.py` and `benchmarks/memory.py`:
`python -m benchmarks.profiled_server [--memory] OUT [codex-lsp arguments]`.

Serves exactly as `python -m codex_lsp` does, and answers signals, so a benchmark profiles the
requests it measures and not the start-up or its warm-up:

- time (the default): SIGUSR1 starts pyinstrument sampling the main thread (the event loop,
  where every handler runs), SIGUSR2 stops it and saves the session to OUT (written whole,
  then renamed into place). pyinstrument is a benchmark-only tool
  (`.venv/bin/pip install pyinstrument`), not a dependency of the server.
- `--memory`: tracemalloc records from the start (one frame per allocation); each SIGUSR1
  saves a snapshot to OUT.1, OUT.2, ... (Python's allocations only: native memory such as
  the tokenizer's Rust tables is not in it).
- `--gc`: every garbage collection longer than 2 ms is appended to OUT as a line
  `gen DURATION_MS END_TIME` (`time.time()`), for matching against requests.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import FrameType

INTERVAL_S = 0.0005


def _save_whole(out: Path, write: Callable[[str], object]) -> None:
    partial = out.with_name(out.name + ".partial")
    write(str(partial))
    os.replace(partial, out)


def _time_mode(out: Path) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=INTERVAL_S, async_mode="disabled")

    def start(signum: int, frame: FrameType | None) -> None:
        if not profiler.is_running:
            profiler.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        if profiler.is_running:
            _save_whole(out, profiler.stop().save)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)


def _memory_mode(out: Path) -> None:
    tracemalloc.start(1)
    taken = 0

    def snapshot(signum: int, frame: FrameType | None) -> None:
        nonlocal taken
        taken += 1
        _save_whole(out.with_name(f"{out.name}.{taken}"), tracemalloc.take_snapshot().dump)

    signal.signal(signal.SIGUSR1, snapshot)


def _gc_mode(out: Path) -> None:
    started = 0.0

    def collected(phase: str, info: dict[str, int]) -> None:
        nonlocal started
        if phase == "start":
            started = time.perf_counter()
            return
        took_ms = (time.perf_counter() - started) * 1000
        if took_ms > 2:
            with out.open("a") as log:
                log.write(f"{info['generation']} {took_ms:.1f} {time.time():.6f}\n")

    gc.callbacks.append(collected)


MODES = {"--memory": _memory_mode, "--gc": _gc_mode}


def main() -> int:
    args = sys.argv[1:]
    mode = MODES.get(args[0], _time_mode)
    if args[0] in MODES:
        args = args[1:]
    mode(Path(args[0]))
    from codex_lsp.cli import main as serve

    return serve(args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
