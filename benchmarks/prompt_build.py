"""What the server spends turning a snapshot into a model request, and a check that it sends
the same bytes as before.

The engine's path of each model-backed request (`Assistant.complete`, `.review`, `.rewrite`)
runs in this process against a stub caller that records the request and answers nothing: no
sockets, no model, no pygls. The edits are the overhead benchmark's (`benchmarks/overhead.py`):
a line `        value_N = ` typed before each request, ten at one place, then the next place.
Each request starts from the document's text, as the server's does (a `Snapshot` made from
it), so the figures are the CPU of the engine's share of "in -> out", per request.

The baseline of the ratio is what every request pays at least: making the snapshot and
redacting the whole document once (`Snapshot(...).redacted_lines`).

Run: `.venv/bin/python -m benchmarks.prompt_build [--lines 2000] [--requests 40]`

`--dump FILE` writes every request of a fixed set of scenarios (documents of several sizes,
a secret, another open file, both layouts, an API model and the embedded one) as JSON lines,
and `--check FILE` compares the requests made now against such a file: the prompts are a
provider's cache prefix, so a change that should only make them faster must leave every byte
as it was. Make the reference at the commit before the change, check after it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from collections.abc import AsyncGenerator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.documents import code_lines, python_document
from codex_lsp.engine import tokens
from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.context import Position, Snapshot
from codex_lsp.engine.prompts import WorkspaceFile
from codex_lsp.engine.usage import Ledger
from codex_lsp.providers.base import ModelRequest
from codex_lsp.settings import Settings

GOLDEN = 0.6180339887498949  # places spread over the file as `benchmarks/timing.py` does
GROUP = 10  # lines typed at one place before the next, as in the overhead benchmark
URI = "file:///bench/module.py"
REWRITE_TASK = "Rewrite this code to be simpler and clearer without changing its behaviour."


class Recorder:
    """The part of `ModelCaller` the assistant uses; every request is kept, none answered."""

    provider = None

    def __init__(self, model: str) -> None:
        self.model = model
        self.ledger = Ledger()
        self.requests: list[ModelRequest] = []

    async def stream_items(
        self, request: ModelRequest, *args: Any, **kwargs: Any
    ) -> AsyncGenerator[Any, None]:
        self.requests.append(request)
        return
        yield  # an async generator that yields nothing


@dataclass
class Editor:
    """A document's lines as the client holds them, edited as the overhead benchmark edits."""

    lines: list[str]
    version: int = 1
    places: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> Editor:
        return cls(text.split("\n"), places=code_lines(text) or [0])

    def type_line(self, index: int) -> Position:
        place = self.places[int(((index // GROUP * GOLDEN) % 1.0) * len(self.places))]
        line = min(place + index % GROUP, len(self.lines) - 1)
        text = f"        value_{index} = "
        self.lines.insert(line, text)
        self.version += 1
        return Position(line, len(text))

    def snapshot(self, uri: str = URI) -> Snapshot:
        return Snapshot(uri, self.version, "\n".join(self.lines), "python")


def assistant_for(model: str, **settings: Any) -> tuple[Assistant, Recorder]:
    recorder = Recorder(model)
    chosen = Settings.model_validate({"backend": "openai", "model": model, **settings})
    return Assistant(recorder, chosen), recorder  # type: ignore[arg-type]


async def complete(assistant: Assistant, snapshot: Snapshot, cursor: Position, ws: Any) -> None:
    async for _ in assistant.complete(snapshot, cursor, ws):
        pass


async def review(assistant: Assistant, snapshot: Snapshot, ws: Any) -> None:
    async for _ in assistant.review(snapshot, ws):
        pass


async def rewrite(assistant: Assistant, snapshot: Snapshot, cursor: Position, ws: Any) -> None:
    region = snapshot.line_span(max(0, cursor.line - 2), cursor.line + 2)
    await assistant.rewrite(snapshot, region, REWRITE_TASK, ws)


# --- the timing ---------------------------------------------------------------------------


KINDS = ("completion", "review", "rewrite")


async def time_kind(kind: str, lines: int, requests: int, warmup: int) -> list[float]:
    """CPU ms per request of `kind`, each after a typed line (the snapshot made in it)."""
    assistant, _ = assistant_for("codex-mini-latest")
    editor = Editor.of(python_document(lines))
    await review(assistant, editor.snapshot(), [])  # the first, whole review: not measured
    taken = []
    for index in range(warmup + requests):
        cursor = editor.type_line(index)
        text = "\n".join(editor.lines)
        started = time.process_time()
        snapshot = Snapshot(URI, editor.version, text, "python")
        if kind == "completion":
            await complete(assistant, snapshot, cursor, [])
        elif kind == "review":
            await review(assistant, snapshot, [])
        else:
            await rewrite(assistant, snapshot, cursor, [])
        if index >= warmup:
            taken.append((time.process_time() - started) * 1000)
    return taken


def time_baseline(lines: int, requests: int) -> list[float]:
    """CPU ms to make a snapshot of the document and redact all of it: once per request."""
    editor = Editor.of(python_document(lines))
    taken = []
    for index in range(requests):
        editor.type_line(index)
        text = "\n".join(editor.lines)
        started = time.process_time()
        Snapshot(URI, editor.version, text, "python").redacted_lines  # noqa: B018
        taken.append((time.process_time() - started) * 1000)
    return taken


def report(lines: int, requests: int, rounds: int) -> None:
    """Rounds of every kind in turn; per kind the round with the median p50."""
    runs: dict[str, list[list[float]]] = {kind: [] for kind in ("baseline", *KINDS)}
    for _ in range(rounds):
        runs["baseline"].append(time_baseline(lines, requests))
        for kind in KINDS:
            runs[kind].append(asyncio.run(time_kind(kind, lines, requests, warmup=5)))
    base = statistics.median(statistics.median(r) for r in runs["baseline"])
    print(f"\n{lines:,} lines, {requests} requests a round, {rounds} rounds (median round)\n")
    print("| Request | CPU ms p50 | p90 | max | / snapshot and redaction (p50) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind, samples in runs.items():
        chosen = sorted(samples, key=statistics.median)[len(samples) // 2]
        p50 = statistics.median(chosen)
        p90 = statistics.quantiles(chosen, n=10)[-1] if len(chosen) > 1 else p50
        name = "snapshot + redaction (baseline)" if kind == "baseline" else kind
        print(f"| {name} | {p50:.2f} | {p90:.2f} | {max(chosen):.2f} | {p50 / base:.1f}x |")


# --- the identity check -------------------------------------------------------------------

SECRET = 'API_TOKEN = "sk-proj-' + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2 + '"'


def scenarios() -> Iterator[tuple[str, str, dict[str, Any], str, bool]]:
    """(name, model, settings, document, another file open)."""
    secret_doc = python_document(600).replace("import", SECRET + "\nimport", 1)
    documents = {
        "100": python_document(100),
        "2000": python_document(2000),
        "secret600": secret_doc,
        "20000": python_document(20000),
    }
    for doc_name, text in documents.items():
        yield f"{doc_name}/cache-aware", "codex-mini-latest", {}, text, False
        yield f"{doc_name}/gpt-5.4-mini", "gpt-5.4-mini", {}, text, doc_name == "2000"
    for doc_name in ("100", "2000"):
        text = documents[doc_name]
        yield f"{doc_name}/naive", "codex-mini-latest", {"promptLayout": "naive"}, text, False
        yield f"{doc_name}/local", "local", {}, text, False
        yield f"{doc_name}/small-budget", "gpt-5.4-mini", {"maxContextTokens": 3000}, text, False


async def scenario_requests(
    model: str, settings: dict[str, Any], text: str, other_file: bool, steps: int
) -> list[ModelRequest]:
    assistant, recorder = assistant_for(model, **settings)
    editor = Editor.of(text)
    ws = (
        [WorkspaceFile("file:///bench/other.py", python_document(300, salt=7))]
        if other_file
        else []
    )
    await review(assistant, editor.snapshot(), ws)
    for index in range(steps):
        cursor = editor.type_line(index * 3)  # several places, a few lines at each
        snapshot = editor.snapshot()
        await complete(assistant, snapshot, cursor, ws)
        if index % 2 == 0:  # asked again at the same place (an invoked completion after one)
            await complete(
                assistant, editor.snapshot(), Position(cursor.line, cursor.character), ws
            )
        if index % 3 == 1:
            await review(assistant, editor.snapshot(), ws)
        if index % 4 == 2:
            await rewrite(assistant, editor.snapshot(), cursor, ws)
    # A jump to the end and the start, and an edit inside the head.
    for line in (len(editor.lines) - 2, 3):
        await complete(assistant, editor.snapshot(), Position(line, 4), ws)
    editor.lines.insert(5, "import os  # typed")
    editor.version += 1
    await complete(assistant, editor.snapshot(), Position(5, 9), ws)
    await review(assistant, editor.snapshot(), ws)
    await rewrite(assistant, editor.snapshot(), Position(5, 0), ws)
    return recorder.requests


def request_record(name: str, index: int, request: ModelRequest) -> dict[str, Any]:
    record = asdict(request)
    record["json_schema"] = json.dumps(request.json_schema, sort_keys=True)
    return {"scenario": name, "index": index, **record}


def all_records(steps: int) -> list[dict[str, Any]]:
    records = []
    for name, model, settings, text, other in scenarios():
        made = asyncio.run(scenario_requests(model, settings, text, other, steps))
        records += [request_record(name, n, request) for n, request in enumerate(made)]
    return records


def check(path: Path, steps: int) -> int:
    expected = [json.loads(line) for line in path.read_text().splitlines()]
    made = json.loads(json.dumps(all_records(steps)))  # tuples as lists, as in the file
    problems = 0
    if len(made) != len(expected):
        print(f"{len(made)} requests made, {len(expected)} expected")
        problems += 1
    for now, then in zip(made, expected, strict=False):
        if now != then:
            problems += 1
            keys = [key for key in then if now.get(key) != then[key]]
            print(f"{then['scenario']} #{then['index']}: differs in {', '.join(keys)}")
    print(f"{len(made)} requests compared, {problems} differ")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[2000])
    parser.add_argument("--requests", type=int, default=40, help="a kind, a round (40)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=12, help="edits a scenario (--dump/--check)")
    parser.add_argument("--dump", type=Path, help="write the scenarios' requests (JSON lines)")
    parser.add_argument("--check", type=Path, help="compare the scenarios' requests with a dump")
    args = parser.parse_args()
    if not tokens.load_now():
        print("the o200k tokenizer did not load: counts would be estimates", file=sys.stderr)
        return 2
    if args.dump:
        records = all_records(args.steps)
        args.dump.write_text("".join(json.dumps(r) + "\n" for r in records))
        print(f"{len(records)} requests written to {args.dump}")
        return 0
    if args.check:
        return check(args.check, args.steps)
    print(f"Python {platform.python_version()}, load average {_load():.1f}")
    for lines in args.lines:
        report(lines, args.requests, args.rounds)
    print(f"\nload average {_load():.1f} at the end")
    return 0


def _load() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return float("nan")


if __name__ == "__main__":
    raise SystemExit(main())
