"""Local-model latency benchmark: inline-completion latency on the embedded model while typing.

    .venv/bin/python -m benchmarks.local_latency [--quick]

The real server (`python -m codex_lsp`, `backend: local`: llama.cpp through xllamacpp serving
Qwen2.5-Coder-0.5B-Instruct Q4_K_M) is driven over LSP by the cost harness's client
(`benchmarks.client.BenchClient`) and typist (`benchmarks.run.Typist`), with no API key and no
network. A 760-line real file (`data/typer_core/rev4.py.txt`, typer/core.py) is opened with a
few blocks of lines removed; the blocks are then typed back character by character (one
`didChange` per keystroke, an automatic `textDocument/inlineCompletion` after each, the
previous one cancelled with `$/cancelRequest`), pausing at the end of every non-empty line.
At each pause the pending completion is let to finish, and its wall-clock latency (from
sending the request to its response, the server's debounce included) is what is measured.

The session is replayed twice in the same run, one server each, one after the other: the
project's layout (`promptLayout: "cache-aware"`) and the naive whole-file prompt (`"naive"`).
The first completion of each server starts llama.cpp, loads the model and reads a cold prompt:
it is reported on its own ("cold first") and left out of p50 / p95 / mean. Token counts per
model call (prompt, served from llama.cpp's KV cache, output) come from the server's log.
See LOCAL.md in this folder for what is reported and the latest figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.client import REPO_ROOT, BenchClient
from benchmarks.edits import DATA_DIR, Edit, Pause, Step, revision_steps
from benchmarks.responder import Oracle
from benchmarks.run import Timing, Typist
from codex_lsp.providers import local as local_provider

SOURCE = DATA_DIR / "typer_core" / "rev4.py.txt"
SOURCE_LABEL = "tiangolo/typer typer/core.py at 249b70e (data/typer_core/rev4.py.txt)"
URI = "file:///bench/typer/typer/core.py"
LAYOUTS = ("cache-aware", "naive")
MODEL_DIR = REPO_ROOT / ".pytest_cache" / "d" / "codex-lsp-models"
MODEL_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
LOCAL_MD = Path(__file__).parent / "LOCAL.md"
FIGURES_HEADING = "## Local-model latency: latest figures"

# Blocks retyped, as 1-based inclusive line ranges of SOURCE, with their first line's text
# (a guard against the data file changing under the benchmark).
Place = tuple[int, int, str]
PLACES_FULL: tuple[Place, ...] = (
    (113, 121, "    if show_default_is_str:"),
    (381, 391, "        if self.metavar is not None:"),
    (573, 581, "    args = []"),
)
PLACES_QUICK: tuple[Place, ...] = (
    (113, 116, "    if show_default_is_str:"),
    (573, 575, "    args = []"),
)

# The output cap of a local completion call: a dedicated one if the server has it.
OUTPUT_CAP = int(
    getattr(local_provider, "LOCAL_MAX_COMPLETION_TOKENS", local_provider.LOCAL_MAX_OUTPUT_TOKENS)
)
TARGET_P50_S = 1.5
TARGET_SPEEDUP = 5.0
# Issue 12, item 5: with warm-ups and prefetches (providers/infill_lane.py).
TARGET_WARM_P50_S = 0.6
TARGET_WARM_P95_S = 2.0
PAUSE_TIMEOUT_S = 180.0  # a cold naive prompt on a busy 2-core machine takes tens of seconds

_HTTP_LINE = re.compile(
    r"^(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*HTTP Request: POST "
    r"\S+/(?:chat/completions|infill)"  # local completions go to /infill since 2026-11-25
)
# Calls made ahead of the request (providers/infill_lane.py), and a request answered by one.
_AHEAD_LINE = re.compile(r"^\d{4}-.* (?P<kind>warm-up|prefetch): in=\d+")
_SERVED_LINE = "completion served from the prefetched answer"
# A request answered from the short window while the wide one was still unread (since s9).
_SHORT_LINE = re.compile(
    r"^(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*completion from the short window"
)
_USAGE_LINE = re.compile(
    r"^(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*usage completion .*?: "
    r"in=(?P<input>\d+) cached=(?P<cached>\d+) write=\d+ out=(?P<output>\d+)"
)


# --- the session ---------------------------------------------------------------------------
def remove_places(lines: list[str], places: tuple[Place, ...]) -> list[str]:
    drop = {n for first, last, _ in places for n in range(first, last + 1)}
    return [line for n, line in enumerate(lines, 1) if n not in drop]


def session_plan(places: tuple[Place, ...]) -> tuple[str, list[list[Step]]]:
    """The text to open and, per place, the keystrokes and pauses that type its block back.

    Place k is replayed as the revision from "places k.. removed" to "places k+1.. removed",
    with the cost harness's `revision_steps` (its save and code action are left out)."""
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    for first, _, text in places:
        if lines[first - 1] != text:
            raise SystemExit(f"{SOURCE} changed: line {first} is not {text!r}")
    texts = ["\n".join(remove_places(lines, places[k:])) for k in range(len(places) + 1)]
    plan: list[list[Step]] = [
        [s for s in revision_steps(texts[k], texts[k + 1], k + 1) if isinstance(s, Edit | Pause)]
        for k in range(len(places))
    ]
    return texts[0], plan


# --- the server ------------------------------------------------------------------------------
def model_path() -> Path:
    """The assembled GGUF the local tests keep in pytest's cache, else the user cache."""
    path = MODEL_DIR / MODEL_FILE
    if path.is_file():
        return path
    from codex_lsp.local.weights import resolve_model_path

    return resolve_model_path()


def local_env(cache_dir: Path, gguf: Path) -> dict[str, str]:
    """No API key, no base URL: the local backend, the given weights, a throwaway cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_LSP_", "OPENAI_"))}
    return {
        **env,
        "OPENAI_API_KEY": "",
        "OPENAI_BASE_URL": "",
        "CODEX_LSP_BACKEND": "local",
        "CODEX_LSP_CACHE_DIR": str(cache_dir),
        "CODEX_LSP_LOCAL_MODEL_PATH": str(gguf),
    }


def server_settings(layout: str, debounce_ms: int) -> dict[str, Any]:
    return {"promptLayout": layout, "debounceMs": debounce_ms, "features": {"diagnostics": False}}


# --- one replay ------------------------------------------------------------------------------
@dataclass
class ModelCall:
    """One completion model call, from the server's log (millisecond timestamps)."""

    asked_at: float  # wall time llama.cpp answered the HTTP request (headers, before reading)
    done_at: float  # wall time the stream ended and the usage was logged
    input: int  # prompt tokens
    cached: int  # of those, served from llama.cpp's KV cache
    output: int
    prefetched: bool = False  # answered by a prefetch made earlier: no model time of its own

    @property
    def uncached(self) -> int:
        return self.input - self.cached

    @property
    def model_s(self) -> float:
        return self.done_at - self.asked_at


@dataclass
class PauseRecord:
    place: int
    index_in_place: int
    sent_wall: float  # time.time() when the request was sent
    latency_s: float | None  # None: no answer (error or timeout)
    items: int
    load: float  # 1-minute load average when the answer came
    text: str  # the first suggestion (up to 200 characters), for reading the dump
    calls: list[ModelCall] = field(default_factory=list)  # the model calls it waited for
    short: bool = False  # answered from the short window (the wide one still unread)

    @property
    def single_call(self) -> ModelCall | None:
        if self.latency_s is None or len(self.calls) != 1 or self.calls[0].prefetched:
            return None
        return self.calls[0]


@dataclass
class LayoutRun:
    layout: str
    pauses: list[PauseRecord]
    keystrokes: int
    requests: int
    cancels: int
    key_gaps_s: list[float]
    calls_total: int
    usage: dict[str, Any]
    errors: list[str]
    load_start: float
    seconds: float
    log_file: str
    warmups: int = 0
    prefetches: int = 0
    prefetch_hits: int = 0
    short_answers: int = 0

    @property
    def measured(self) -> list[PauseRecord]:
        """Every pause but the first (which starts llama.cpp and reads a cold prompt)."""
        return self.pauses[1:]


class LatencyTypist(Typist):
    """The cost harness's typist, keeping each pause's latency and answer; `ask_at_pauses`: a
    client that sends no request while the user types, one at each pause (Neovim, Emacs)."""

    def __init__(self, client: BenchClient, timing: Timing, ask_at_pauses: bool = False) -> None:
        super().__init__(client, Oracle(), timing)
        self.place = 0
        self.pauses: list[PauseRecord] = []
        self._in_place = 0
        self.ask_at_pauses = ask_at_pauses

    async def _key(self, edit: Edit) -> None:
        if not self.ask_at_pauses:
            await super()._key(edit)
            return
        delay = self._next_key_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        now = time.monotonic()
        if self._last_key_at is not None:
            self.client.stats.key_gaps_s.append(now - self._last_key_at)
        self.oracle.set(edit.ahead)
        self.client.change(edit)  # the edit only: no request
        self.cursor = edit.cursor
        self._last_key_at = now
        self._next_key_at = now + self.timing.keystroke_ms / 1000

    def start_place(self, place: int) -> None:
        self.place, self._in_place = place, 0

    async def _pause(self) -> None:
        if self.ask_at_pauses:
            self.client.request_inline(self.cursor)  # at once: the person stopped typing
        stats = self.client.stats
        answered = len(stats.pause_wait_s)
        pending = self.client._pending  # the request the pause waits for
        sent_at = pending.sent_at if pending is not None else time.monotonic()
        sent_wall = time.time() - (time.monotonic() - sent_at)
        result = await self.client.finish_pending(PAUSE_TIMEOUT_S)
        latency = stats.pause_wait_s[-1] if len(stats.pause_wait_s) > answered else None
        items = suggestion_texts(result)
        first = items[0][:200] if items else ""
        record = PauseRecord(
            self.place, self._in_place, sent_wall, latency, len(items), load_now(), first
        )
        self.pauses.append(record)
        self._in_place += 1
        progress(
            f"    place {self.place + 1} pause {self._in_place}: "
            + (f"{latency:.2f} s" if latency is not None else "no answer")
        )
        await self._think()


def suggestion_texts(result: Any) -> list[str]:
    """The insert texts of an inline completion answer, whichever shape the client gave it
    (lsprotocol objects, or plain JSON when the request was sent without a known type)."""
    raw = result.get("items", []) if isinstance(result, dict) else getattr(result, "items", result)
    if not isinstance(raw, list | tuple):  # InlineCompletionList.items is a tuple
        return []
    texts = []
    for item in raw:
        text = (
            item.get("insertText") if isinstance(item, dict) else getattr(item, "insert_text", "")
        )
        text = text.get("value", "") if isinstance(text, dict) else getattr(text, "value", text)
        texts.append(str(text or ""))
    return texts


def _log_time(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def parse_calls(log_file: Path) -> list[ModelCall]:
    """The completion model calls the server logged, each with the HTTP request before it (a
    warm-up or prefetch takes its own; a request answered by a prefetch had none)."""
    calls, asked_at, served = [], None, False
    for line in log_file.read_text(encoding="utf-8", errors="replace").splitlines():
        if (match := _HTTP_LINE.match(line)) is not None:
            asked_at = _log_time(match["at"])
        elif _AHEAD_LINE.match(line) is not None:
            asked_at = None
        elif _SERVED_LINE in line:
            served = True
        elif (match := _USAGE_LINE.match(line)) is not None:
            done_at = _log_time(match["at"])
            counts = (int(match["input"]), int(match["cached"]), int(match["output"]))
            start = done_at if served else (asked_at or done_at)
            calls.append(ModelCall(start, done_at, *counts, prefetched=served))
            asked_at, served = (asked_at if served else None), False
    return calls


def count_ahead(log_file: Path) -> tuple[int, int, int]:
    """Warm-ups and prefetches the server made, and the requests prefetches answered."""
    text = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    kinds = [m["kind"] for line in text if (m := _AHEAD_LINE.match(line)) is not None]
    served = sum(_SERVED_LINE in line for line in text)
    return kinds.count("warm-up"), kinds.count("prefetch"), served


def short_times(log_file: Path) -> list[float]:
    """When the server answered a request from the short window."""
    lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    return [_log_time(m["at"]) for line in lines if (m := _SHORT_LINE.match(line)) is not None]


def attach_calls(
    pauses: list[PauseRecord], calls: list[ModelCall], shorts: Sequence[float] = ()
) -> None:
    """Give each pause the model calls that ended while it was waiting (and whether one was
    asked from the short window)."""
    for pause in pauses:
        if pause.latency_s is None:
            continue
        start, end = pause.sent_wall - 0.002, pause.sent_wall + pause.latency_s + 0.002
        pause.calls = [call for call in calls if start <= call.done_at <= end]
        pause.short = any(start <= at <= end for at in shorts)


async def replay_layout(
    layout: str,
    text: str,
    plan: list[list[Step]],
    timing: Timing,
    gguf: Path,
    ask_at_pauses: bool = False,
) -> LayoutRun:
    log_file = Path(tempfile.mkstemp(prefix=f"codex-lsp-local-{layout}-", suffix=".log")[1])
    load_start = os.getloadavg()[0]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="codex-lsp-bench-cache-") as cache_dir:
        env = local_env(Path(cache_dir), gguf)
        client = BenchClient("", server_settings(layout, timing.debounce_ms), log_file, env)
        await client.start()
        try:
            client.open(URI, "python", text)
            typist = LatencyTypist(client, timing, ask_at_pauses)
            for place, steps in enumerate(plan):
                typist.start_place(place)
                await typist.play(steps)
            await client.drain_requests()
            usage = await client.usage()
        finally:
            await client.stop()
    calls = parse_calls(log_file)
    shorts = short_times(log_file)
    attach_calls(typist.pauses, calls, shorts)
    warmups, prefetches, hits = count_ahead(log_file)
    stats = client.stats
    errors = sorted(set(stats.errors))
    if "Traceback" in client.stderr_tail:
        errors.append(f"the server wrote a traceback to stderr (see {log_file})")
    return LayoutRun(
        layout=layout,
        pauses=typist.pauses,
        keystrokes=stats.keystrokes,
        requests=stats.inline_requests,
        cancels=stats.cancels_sent,
        key_gaps_s=stats.key_gaps_s,
        calls_total=sum(not call.prefetched for call in calls),
        usage=usage,
        errors=errors,
        load_start=load_start,
        seconds=time.monotonic() - started,
        log_file=str(log_file),
        warmups=warmups,
        prefetches=prefetches,
        prefetch_hits=hits,
        short_answers=len(shorts),
    )


def load_now() -> float:
    return os.getloadavg()[0]


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- figures ---------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Figures:
    layout: str
    cold_s: float | None
    measured: int
    p50: float
    p95: float
    mean: float
    max: float
    no_answer: int
    with_items: int
    new_place_mean: float | None  # first pause at a new place (included in p50 / p95)
    calls: int
    prompt_tokens: float  # means per model call of the measured pauses
    uncached_tokens: float
    output_tokens: float
    load_mean: float  # 1-minute load average at the measured pauses
    capped: int  # measured pauses whose answer ran to the local output cap
    p50_uncapped: float  # p50 / p95 of the other measured pauses
    p95_uncapped: float


def figures(run: LayoutRun) -> Figures:
    first, rest = run.pauses[0], run.measured
    latencies = [p.latency_s for p in rest if p.latency_s is not None] or [math.nan]
    new_place = [p.latency_s for p in rest if p.index_in_place == 0 and p.latency_s is not None]
    calls = [c for p in rest for c in p.calls]
    capped = [p for p in rest if any(c.output >= OUTPUT_CAP for c in p.calls)]
    uncapped = [p.latency_s for p in rest if p not in capped and p.latency_s is not None]
    uncapped = uncapped or [math.nan]

    def mean(values: list[float]) -> float:
        return statistics.fmean(values) if values else math.nan

    return Figures(
        layout=run.layout,
        cold_s=first.latency_s,
        measured=len(rest),
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        mean=statistics.fmean(latencies),
        max=max(latencies),
        no_answer=sum(p.latency_s is None for p in rest),
        with_items=sum(p.items > 0 for p in rest),
        new_place_mean=statistics.fmean(new_place) if new_place else None,
        calls=len(calls),
        prompt_tokens=mean([c.input for c in calls]),
        uncached_tokens=mean([c.uncached for c in calls]),
        output_tokens=mean([c.output for c in calls]),
        load_mean=mean([p.load for p in rest]),
        capped=len(capped),
        p50_uncapped=percentile(uncapped, 50),
        p95_uncapped=percentile(uncapped, 95),
    )


@dataclass(frozen=True)
class Fit:
    """Least squares over the single-call measured pauses of all layouts, of the time spent
    in llama.cpp: model_s = per_request_s + prompt_s * uncached tokens + output_s * output."""

    per_request_s: float
    prompt_s: float  # per prompt token not served from llama.cpp's KV cache
    output_s: float  # per output token
    samples: int


def fit_model_time(runs: list[LayoutRun]) -> Fit | None:
    calls = [c for run in runs for p in run.measured if (c := p.single_call) is not None]
    rows = [(1.0, float(c.uncached), float(c.output), c.model_s) for c in calls]
    if len(rows) < 6:
        return None
    # Normal equations (X'X) beta = X'y.
    matrix = [[sum(r[i] * r[j] for r in rows) for j in range(3)] for i in range(3)]
    vector = [sum(r[i] * r[3] for r in rows) for i in range(3)]
    beta = solve(matrix, vector)
    return None if beta is None else Fit(beta[0], beta[1], beta[2], len(rows))


def solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    """Gauss-Jordan elimination with partial pivoting; None when singular."""
    a = [[*row, v] for row, v in zip(matrix, vector, strict=True)]
    n = len(a)
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-9:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][n] / a[i][i] for i in range(n)]


def breakdown(runs: list[LayoutRun], debounce_ms: int) -> list[str]:
    """Where a typical measured pause's time goes, per layout: medians of the measured parts,
    and the time in llama.cpp split by the fit."""
    fit = fit_model_time(runs)
    if fit is None:
        return ["Too few single-call pauses to split the latency."]
    rows = [
        f"Where the time goes. Measured per pause (medians): before the model call (debounce "
        f"{debounce_ms} ms, building the prompt, connecting), in llama.cpp (HTTP request to end "
        f"of stream), after it (parsing, LSP answer). The time in llama.cpp is split by a "
        f"least-squares fit over {fit.samples} single-call pauses of both layouts: "
        f"{fit.per_request_s:.2f} s per request + {fit.prompt_s * 1000:.1f} ms per prompt "
        f"token not in the KV cache (~{_rate(fit.prompt_s)} tokens/s) + "
        f"{fit.output_s * 1000:.0f} ms per output token (~{_rate(fit.output_s)} tokens/s).",
        "",
        "| Layout | Uncached prompt / output tokens | Before the call (s) | In llama.cpp (s) "
        "| = per request (s) | + reading the prompt (s) | + writing the answer (s) "
        "| After (s) | p50 (s) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        pairs = [(p, c) for p in run.measured if (c := p.single_call) is not None]
        if not pairs:
            continue
        uncached = statistics.median(c.uncached for _, c in pairs)
        output = statistics.median(c.output for _, c in pairs)
        before = statistics.median(c.asked_at - p.sent_wall for p, c in pairs)
        inside = statistics.median(c.model_s for _, c in pairs)
        after = statistics.median(p.sent_wall + (p.latency_s or 0.0) - c.done_at for p, c in pairs)
        rows.append(
            f"| {run.layout} | {uncached:.0f} / {output:.0f} | {before:.2f} | {inside:.2f} "
            f"| {fit.per_request_s:.2f} | {fit.prompt_s * uncached:.2f} "
            f"| {fit.output_s * output:.2f} | {after:.2f} | {figures(run).p50:.2f} |"
        )
    return rows


def _rate(seconds_per_token: float) -> str:
    return f"{1 / seconds_per_token:.0f}" if seconds_per_token > 0 else "n/a"


def render(runs: list[LayoutRun], context: dict[str, str], debounce_ms: int) -> str:
    figs = {run.layout: figures(run) for run in runs}
    out = [
        FIGURES_HEADING,
        "",
        context["header"],
        "",
        "| Layout | Pauses measured | p50 (s) | p95 (s) | Mean (s) | Max (s) | Cold first (s) "
        "| First pause at a new place, mean (s) | Model calls "
        "| Prompt / uncached / output tokens per call (mean) | Answers with a suggestion "
        f"| Answers cut at {OUTPUT_CAP} tokens | p50 / p95 without those (s) "
        "| Load average (start, mean at pauses) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: "
        "| --- | --- |",
    ]
    for run in runs:
        f = figs[run.layout]
        out.append(
            f"| {f.layout} | {f.measured} | {f.p50:.2f} | {f.p95:.2f} | {f.mean:.2f} "
            f"| {f.max:.2f} | {_s(f.cold_s)} | {_s(f.new_place_mean)} | {f.calls} "
            f"| {f.prompt_tokens:.0f} / {f.uncached_tokens:.0f} / {f.output_tokens:.0f} "
            f"| {f.with_items} / {f.measured} | {f.capped} "
            f"| {f.p50_uncapped:.2f} / {f.p95_uncapped:.2f} "
            f"| {run.load_start:.1f}, {f.load_mean:.1f} |"
        )
    out += ["", *targets_table(figs), "", *breakdown(runs, debounce_ms), "", *runs_table(runs)]
    notes = [f"- {run.layout}: {error}" for run in runs for error in run.errors[:5]]
    notes += [
        f"- {run.layout}: {f.no_answer} measured pause(s) got no answer"
        for run in runs
        if (f := figs[run.layout]).no_answer
    ]
    if notes:
        out += ["", "Notes:", "", *notes]
    return "\n".join(out) + "\n"


def _s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def target_results(figs: dict[str, Figures]) -> list[tuple[str, bool, str]]:
    ours, naive = figs.get("cache-aware"), figs.get("naive")
    results = []
    if ours is not None:
        results.append(
            (
                f"p50 <= {TARGET_P50_S} s (cache-aware)",
                ours.p50 <= TARGET_P50_S,
                f"{ours.p50:.2f} s",
            )
        )
        results.append(
            (
                f"p50 <= {TARGET_WARM_P50_S} s (cache-aware, issue 12 item 5)",
                ours.p50 <= TARGET_WARM_P50_S,
                f"{ours.p50:.2f} s",
            )
        )
        results.append(
            (
                f"p95 <= {TARGET_WARM_P95_S:g} s (cache-aware, issue 12 item 5)",
                ours.p95 <= TARGET_WARM_P95_S,
                f"{ours.p95:.2f} s",
            )
        )
    if ours is not None and naive is not None:
        ratio = naive.p50 / ours.p50 if ours.p50 > 0 else math.inf
        results.append(
            (
                f"p50 >= {TARGET_SPEEDUP:g}x faster than naive",
                ratio >= TARGET_SPEEDUP,
                f"naive / cache-aware p50 = {naive.p50:.2f} / {ours.p50:.2f} = {ratio:.2f}x",
            )
        )
    return results


def targets_table(figs: dict[str, Figures]) -> list[str]:
    rows = [
        "| Target (issue 5 item 8; issue 12 item 5) | Result | Measured |",
        "| --- | --- | --- |",
    ]
    for name, ok, measured in target_results(figs):
        rows.append(f"| {name} | {'PASS' if ok else 'FAIL'} | {measured} |")
    return rows


def runs_table(runs: list[LayoutRun]) -> list[str]:
    rows = [
        "| Run | Keystrokes | Inline requests (cancelled) | Pauses | Completion model calls "
        "(all) | Calls avoided | Warm-ups / prefetches (answers served) "
        "| Answers from the short window (measured pauses) "
        "| Keystroke gap p99 / max (ms) | Seconds |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- | ---: |",
    ]
    for run in runs:
        gaps = run.key_gaps_s or [0.0]
        avoided = run.usage.get("avoided") or {}
        avoided_text = (
            ", ".join(f"{k} {v}" for k, v in avoided.items()) if isinstance(avoided, dict) else ""
        )
        rows.append(
            f"| {run.layout} | {run.keystrokes} | {run.requests} ({run.cancels}) "
            f"| {len(run.pauses)} | {run.calls_total} | {avoided_text or '0'} "
            f"| {run.warmups} / {run.prefetches} ({run.prefetch_hits}) "
            f"| {run.short_answers} ({sum(p.short for p in run.measured)}) "
            f"| {percentile(gaps, 99) * 1000:.0f} / {max(gaps) * 1000:.0f} | {run.seconds:.0f} |"
        )
    return rows


def write_section(path: Path, section: str) -> None:
    """Replace the "Latest figures" section of `path` (up to the next `## ` heading)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start = text.find(FIGURES_HEADING)
    if start < 0:
        path.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
        return
    end = text.find("\n## ", start + len(FIGURES_HEADING))
    rest = text[end + 1 :] if end >= 0 else ""
    path.write_text(text[:start] + section + ("\n" + rest if rest else ""), encoding="utf-8")


# --- main ------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.local_latency", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 short blocks instead of 3")
    parser.add_argument("--keystroke-ms", type=float, default=30.0, help="typing interval")
    parser.add_argument("--think-ms", type=float, default=500.0, help="extra time per pause")
    parser.add_argument("--debounce-ms", type=int, default=150, help="server debounceMs")
    parser.add_argument(
        "--layouts", nargs="+", choices=LAYOUTS, default=list(LAYOUTS), help="layouts, in order"
    )
    parser.add_argument("--write", action="store_true", help="also write LOCAL.md after --quick")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--json", type=Path, help="write every pause's record here")
    parser.add_argument(
        "--ask-at-pauses",
        action="store_true",
        help="a client that asks only at pauses (no request per keystroke); never writes LOCAL.md",
    )
    return parser.parse_args(argv)


def header(args: argparse.Namespace, plan: list[list[Step]], seconds: float) -> str:
    places = PLACES_QUICK if args.quick else PLACES_FULL
    blocks = ", ".join(f"{first}-{last}" for first, last, _ in places)
    pauses = sum(isinstance(s, Pause) for steps in plan for s in steps)
    keys = sum(isinstance(s, Edit) for steps in plan for s in steps)
    return (
        f"Run {datetime.now():%Y-%m-%d %H:%M} on {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{'quick' if args.quick else 'full'} session: {SOURCE_LABEL}, "
        f"{len(SOURCE.read_text(encoding='utf-8').splitlines())} lines, lines {blocks} retyped "
        f"({keys} keystrokes, {pauses} pauses); keystroke {args.keystroke_ms:g} ms, "
        f"think {args.think_ms:g} ms per pause, debounceMs {args.debounce_ms}; "
        + ("the client asks only at pauses; " if args.ask_at_pauses else "")
        + f"model {MODEL_FILE}, completion output cap {OUTPUT_CAP} tokens; "
        f"codex_lsp {code_revision()}; wall time {seconds:.0f} s."
    )


def code_revision() -> str:
    """The commit measured, and whether codex_lsp had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "codex_lsp"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "(revision unknown)"
    return f"at {head}" + (" with uncommitted changes" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    timing = Timing(args.keystroke_ms, args.think_ms, args.debounce_ms)
    text, plan = session_plan(PLACES_QUICK if args.quick else PLACES_FULL)
    gguf = model_path()
    started = time.monotonic()
    progress(f"load average at start: {os.getloadavg()}")
    runs = []
    for layout in args.layouts:
        progress(f"replaying {layout} ...")
        run = asyncio.run(replay_layout(layout, text, plan, timing, gguf, args.ask_at_pauses))
        progress(f"  {layout}: {run.seconds:.0f} s, log {run.log_file}")
        runs.append(run)
    context = {"header": header(args, plan, time.monotonic() - started)}
    section = render(runs, context, args.debounce_ms)
    print(section)
    for name, ok, measured in target_results({r.layout: figures(r) for r in runs}):
        print(f"{'PASS' if ok else 'FAIL'}  {name}  ({measured})")
    if args.json:
        args.json.write_text(json.dumps([asdict(run) for run in runs], indent=1), "utf-8")
    if not args.no_write and not args.ask_at_pauses and (not args.quick or args.write):
        write_section(LOCAL_MD, section)
        progress(f"wrote the figures to {LOCAL_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
