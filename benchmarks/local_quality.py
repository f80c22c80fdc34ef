"""Local-model completion quality: how often the embedded model's ghost text is the code that was
really written next, per fill-in-the-middle layout.

    .venv/bin/python -m benchmarks.local_quality [--configs NAME ...] [--json FILE]

Real Python files of packages installed beside codex-lsp (their licences in `SOURCES`; none of
them is the latency benchmark's typer/core.py) give cursor positions inside function bodies,
drawn with a fixed seed: at a line's indentation (the line is to be written) or after its first
one to three tokens (the rest is to be written). The document is the file with the rest of
that line removed. Each position goes through the project's own path: `engine.prompts.infill`
builds the pieces (with the configuration's settings patched in) and `providers.infill`'s
`stream_infill` asks llama.cpp's `/infill` (Qwen2.5-Coder-0.5B-Instruct Q4_K_M, one slot,
greedy), exactly as the local provider does. The suggestion's first line is scored against
the line's true rest: exact match (trailing spaces ignored) and character similarity
(difflib's ratio, 0-1).

Files are split in two: positions of the tune files choose a layout, the held-out files' are
the result quoted. Positions run file by file in line order, so a configuration whose
extra context is the same across a file reads it once (as an editor session would).
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import os
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.local_latency import model_path
from codex_lsp.engine import prompts
from codex_lsp.engine.context import Position, Snapshot
from codex_lsp.local.server import LocalModelServer, local_http_client
from codex_lsp.providers.base import TextDelta, Usage
from codex_lsp.providers.infill import stream_infill
from codex_lsp.providers.local import COMPLETION_SLOT, LOCAL_MAX_COMPLETION_TOKENS

# (distribution, its licence, file inside site-packages, split)
SOURCES: tuple[tuple[str, str, str, str], ...] = (
    ("h11", "MIT", "h11/_connection.py", "tune"),
    ("anyio", "MIT", "anyio/_core/_fileio.py", "tune"),
    ("attrs", "MIT", "attr/validators.py", "tune"),
    ("cachetools", "MIT", "cachetools/__init__.py", "tune"),
    ("packaging", "Apache-2.0 OR BSD-2-Clause", "packaging/specifiers.py", "tune"),
    ("pluggy", "MIT", "pluggy/_manager.py", "tune"),
    ("httpx2", "BSD-3-Clause", "httpx2/_utils.py", "tune"),
    ("h11", "MIT", "h11/_readers.py", "held-out"),
    ("anyio", "MIT", "anyio/streams/memory.py", "held-out"),
    ("anyio", "MIT", "anyio/_core/_sockets.py", "held-out"),
    ("attrs", "MIT", "attr/_funcs.py", "held-out"),
    ("httpx2", "BSD-3-Clause", "httpx2/_models.py", "held-out"),
    ("httpx2", "BSD-3-Clause", "httpx2/_client.py", "held-out"),
    ("packaging", "Apache-2.0 OR BSD-2-Clause", "packaging/tags.py", "held-out"),
    ("packaging", "Apache-2.0 OR BSD-2-Clause", "packaging/utils.py", "held-out"),
)
SEED = 12
PER_FILE = 6
MIN_LINE = 48  # positions below the first lines: where the window and the head differ
BUDGET = prompts.file_budget(1800, naive=False, shared=False)  # the local completion budget

# Layouts compared: overrides of `engine.prompts` settings.
# "before32" is the layout until 2026-12-06; "before16+head64+scope" the one until 2026-12-07
# (2 lines after the cursor's in the suffix); "before16+head64+scope+rest" the current one
# (only the rest of the cursor's line).
_OLD_SUFFIX = {"INFILL_SUFFIX_LINES": 2}
CONFIGS: dict[str, dict[str, Any]] = {
    "before32": {"INFILL_BEFORE": 32, "INFILL_HEAD_LINES": 0, "INFILL_SCOPE": False, **_OLD_SUFFIX},
    "before16": {"INFILL_BEFORE": 16, "INFILL_HEAD_LINES": 0, "INFILL_SCOPE": False, **_OLD_SUFFIX},
    "before8": {"INFILL_BEFORE": 8, "INFILL_HEAD_LINES": 0, "INFILL_SCOPE": False, **_OLD_SUFFIX},
    "before8+head64": {
        "INFILL_BEFORE": 8, "INFILL_HEAD_LINES": 64, "INFILL_SCOPE": False, **_OLD_SUFFIX,
    },
    "before8+head64+scope": {
        "INFILL_BEFORE": 8, "INFILL_HEAD_LINES": 64, "INFILL_SCOPE": True, **_OLD_SUFFIX,
    },
    "before16+head64+scope": {
        "INFILL_BEFORE": 16, "INFILL_HEAD_LINES": 64, "INFILL_SCOPE": True, **_OLD_SUFFIX,
    },
    "before16+head64+scope+rest": {
        "INFILL_BEFORE": 16, "INFILL_HEAD_LINES": 64, "INFILL_SCOPE": True,
        "INFILL_SUFFIX_LINES": 0,
    },
    "before8+head64+scope+rest": {
        "INFILL_BEFORE": 8, "INFILL_HEAD_LINES": 64, "INFILL_SCOPE": True,
        "INFILL_SUFFIX_LINES": 0,
    },
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    source: str
    split: str
    line: int  # 0-based
    column: int
    kind: str  # "line" (at the indentation) or "rest" (after the first tokens)
    target: str  # the line's true rest


@dataclass
class Outcome:
    case: Case
    answer: str
    exact: bool
    similarity: float
    seconds: float
    prompt_tokens: int
    uncached_tokens: int


def site_file(relative: str) -> Path:
    import h11  # any installed package: they share site-packages

    return Path(h11.__file__).parent.parent / relative


def body_lines(text: str) -> list[int]:
    """0-based lines of code inside function bodies, docstrings and comments left out."""
    import ast

    tree = ast.parse(text)
    inside: set[int] = set()
    strings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0]
            inside.update(range(first.lineno - 1, (node.end_lineno or first.lineno)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.update(range(node.lineno - 1, (node.end_lineno or node.lineno)))
    lines = text.split("\n")
    return [
        n
        for n in sorted(inside - strings)
        if n >= MIN_LINE and len(lines[n].strip()) >= 8 and not lines[n].strip().startswith("#")
    ]


def cases_of(relative: str, split: str, rng: random.Random, per_file: int) -> list[Case]:
    import re

    text = site_file(relative).read_text()
    lines = text.split("\n")
    chosen = sorted(rng.sample(body_lines(text), per_file))
    cases = []
    for index, n in enumerate(chosen):
        line = lines[n]
        indent = len(line) - len(line.lstrip())
        if index % 2 == 0:
            cases.append(Case(relative, split, n, indent, "line", line[indent:].rstrip()))
            continue
        ends = [indent + m.end() for m in re.finditer(r"\w+|[^\w\s]", line[indent:])]
        take = [end for end in ends[:3] if len(line[end:].strip()) >= 3]
        column = rng.choice(take) if take else indent
        cases.append(Case(relative, split, n, column, "rest", line[column:].rstrip()))
    return cases


def all_cases(seed: int = SEED, per_file: int = PER_FILE) -> list[Case]:
    rng = random.Random(seed)
    return [case for _, _, rel, split in SOURCES for case in cases_of(rel, split, rng, per_file)]


def document(case: Case) -> tuple[Snapshot, Position]:
    lines = site_file(case.source).read_text().split("\n")
    lines[case.line] = lines[case.line][: case.column]
    uri = f"file:///bench/{case.source}"
    return Snapshot(uri, 1, "\n".join(lines), "python"), Position(case.line, case.column)


def score(answer: str, target: str) -> tuple[bool, float]:
    first = answer.split("\n", 1)[0].rstrip()
    return first == target, difflib.SequenceMatcher(None, first, target).ratio()


async def run_config(name: str, cases: list[Case], base_url: str, api_key: str) -> list[Outcome]:
    saved = {key: getattr(prompts, key) for key in CONFIGS[name]}
    for key, value in CONFIGS[name].items():
        setattr(prompts, key, value)
    outcomes = []
    try:
        async with local_http_client() as client:
            for case in cases:
                snapshot, cursor = document(case)
                pieces = prompts.infill(snapshot, cursor, BUDGET)
                started = time.perf_counter()
                answer, usage = "", Usage()
                async for event in stream_infill(
                    client,
                    base_url,
                    pieces,
                    LOCAL_MAX_COMPLETION_TOKENS,
                    "local",
                    api_key=api_key,
                    slot=COMPLETION_SLOT,
                ):
                    if isinstance(event, TextDelta):
                        suggestions = json.loads(event.text)["suggestions"]
                        answer = suggestions[0]["insert_text"] if suggestions else ""
                    elif isinstance(event, Usage):
                        usage = event
                exact, similarity = score(answer, case.target)
                outcomes.append(
                    Outcome(
                        case,
                        answer,
                        exact,
                        similarity,
                        time.perf_counter() - started,
                        usage.input_tokens,
                        usage.input_tokens - usage.cached_tokens,
                    )
                )
    finally:
        for key, value in saved.items():
            setattr(prompts, key, value)
    return outcomes


def _mean(values: list[float]) -> float:
    return statistics.mean(values) if values else 0.0


def summary(outcomes: list[Outcome], split: str) -> str:
    part = [o for o in outcomes if o.case.split == split]
    exact = sum(o.exact for o in part)
    similarity = _mean([o.similarity for o in part])
    return f"{exact}/{len(part)} exact, similarity {similarity:.3f}"


def table(results: dict[str, list[Outcome]]) -> list[str]:
    rows = [
        "| Configuration | Tune: exact | Tune: similarity | Held-out: exact | Held-out: "
        "similarity | Prompt / uncached tokens per call (mean) | Seconds per position |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for name, outcomes in results.items():
        cells = [name]
        for split in ("tune", "held-out"):
            part = [o for o in outcomes if o.case.split == split]
            cells.append(f"{sum(o.exact for o in part)}/{len(part)}")
            cells.append(f"{_mean([o.similarity for o in part]):.3f}")
        prompt = statistics.mean(o.prompt_tokens for o in outcomes)
        uncached = statistics.mean(o.uncached_tokens for o in outcomes)
        cells.append(f"{prompt:.0f} / {uncached:.0f}")
        cells.append(f"{statistics.mean(o.seconds for o in outcomes):.2f}")
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def sources_line() -> str:
    seen = {}
    for dist, licence, _, _ in SOURCES:
        seen[dist] = f"{dist} {metadata.version(dist)} ({licence})"
    return ", ".join(seen.values())


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--json", type=Path, help="write every position's answer here")
    parser.add_argument("--seed", type=int, default=SEED, help="another seed: other positions")
    parser.add_argument("--per-file", type=int, default=PER_FILE, help="positions per file")
    parser.add_argument("--splits", nargs="+", default=["tune", "held-out"])
    parser.add_argument("--limit", type=int, help="the first N positions only (a smoke run)")
    parser.add_argument("--threads-batch", type=int, default=None, help="llama.cpp prompt threads")
    args = parser.parse_args(argv)
    cases = all_cases(args.seed, args.per_file)
    cases = [case for case in cases if case.split in args.splits][: args.limit]
    print(f"{len(cases)} positions from {sources_line()}", flush=True)
    server = LocalModelServer(model_path(), threads_batch=args.threads_batch)
    endpoint = await server.endpoint()
    results: dict[str, list[Outcome]] = {}
    try:
        for name in args.configs:
            started = time.perf_counter()
            load = os.getloadavg()[0]
            results[name] = await run_config(name, cases, endpoint.base_url, endpoint.api_key)
            print(
                f"{name}: tune {summary(results[name], 'tune')}; held-out "
                f"{summary(results[name], 'held-out')}; {time.perf_counter() - started:.0f} s,"
                f" load {load:.1f} -> {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            if args.json:  # after each configuration: a long run stopped keeps the rest
                args.json.write_text(
                    json.dumps(
                        {k: [asdict(o) for o in out] for k, out in results.items()}, indent=1
                    )
                )
    finally:
        await server.stop()
    print("\n".join(table(results)))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
