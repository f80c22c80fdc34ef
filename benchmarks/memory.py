"""Memory benchmark: the server's resident memory with 1 and with 50 open 2,000-line documents,
caches warm, and what holds it.

1. Imports, each in a fresh interpreter: RSS of Python alone, of each large dependency alone,
   of everything `codex-lsp serve` imports, and of that plus the o200k tokenizer loaded (the
   server loads it in a background thread at start); import time by package
   (`-X importtime`).
2. The real server (`python -m codex_lsp`, stdio, a VS Code-like client asking at pauses)
   against the in-process fake OpenAI with no latency: RSS and peak RSS (`VmRSS`, `VmHWM` of
   /proc/PID/status) when started, after the first 2,000-line document is opened, reviewed,
   completed three times and then edited through a replayed session (`typer/core.py`
   revision 0 -> 1 of `data/typer_core`, which is the document's first 796 lines: 317
   keystrokes, an inline completion at each of 9 pauses, a save with its review, a refactor
   resolved), and after 10, 25 and 50 documents (each different, each reviewed once and
   completed three times).
3. The same server under tracemalloc (`benchmarks/profiled_server.py --memory`): the Python
   allocations alive at the end by file and line, and what grew between 1 and 50 documents.

Target (issue 12, item 4): <= 150 MB with 50 open 2,000-line documents.
Run: `.venv/bin/python -m benchmarks.memory` (about 2 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.documents import python_document
from benchmarks.edits import DATA_DIR, CodeAction, Edit, Pause, Save, load_session, revision_steps
from benchmarks.timing import (
    RunStart,
    code_action_params,
    completion_params,
    inline_params,
    pull_params,
)
from benchmarks.wire import REPO_ROOT, WireClient, capabilities, proc_status, server_env
from tests.fake_openai import FakeOpenAI

TARGET_MB = 150.0
LINES = 2000
SETTINGS = {"backend": "openai", "fallbackModels": [], "debounceMs": 0}
SERVER_IMPORTS = (
    "import codex_lsp.cli, codex_lsp.server; "
    "from codex_lsp.features import code_actions, completion, configuration, diagnostics, usage"
)
PROBES = (
    ("Python alone", "pass"),
    ("openai", "import openai"),
    ("pydantic", "import pydantic"),
    ("pygls + lsprotocol", "import pygls.lsp.server"),
    ("tiktoken (module only)", "import tiktoken"),
    ("o200k tokenizer loaded, alone", "from codex_lsp.engine import tokens; tokens.load_now()"),
    ("what `codex-lsp serve` imports", SERVER_IMPORTS),
    (
        "... and the o200k tokenizer loaded",
        SERVER_IMPORTS + "; from codex_lsp.engine import tokens; tokens.load_now()",
    ),
)
_PROBE = (
    "import time; started = time.perf_counter(); {statement}; took = time.perf_counter() - "
    "started; import json, pathlib; status = pathlib.Path('/proc/self/status').read_text(); "
    "print(json.dumps([took, status]))"
)
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def _mb(kb: int) -> float:
    return kb / 1024


def _status_kb(status: str, name: str) -> int:
    line = next(line for line in status.splitlines() if line.startswith(name + ":"))
    return int(line.split()[1])


def import_costs() -> list[tuple[str, float, float, float]]:
    """(label, RSS MB, peak RSS MB, seconds) per probe, each in a fresh interpreter."""
    rows = []
    for label, statement in PROBES:
        out = subprocess.run(
            [sys.executable, "-c", _PROBE.format(statement=statement)],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO_ROOT,
        ).stdout
        took, status = json.loads(out)
        rows.append(
            (label, _mb(_status_kb(status, "VmRSS")), _mb(_status_kb(status, "VmHWM")), took)
        )
    return rows


def import_times(top: int = 10) -> list[tuple[str, float]]:
    """Seconds of import time (self) per top-level package, for what `serve` imports."""
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", SERVER_IMPORTS],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    ).stderr
    by_package: dict[str, float] = defaultdict(float)
    for match in _IMPORT_LINE.finditer(err):
        by_package[match.group(4).split(".")[0]] += int(match.group(1)) / 1e6
    return sorted(by_package.items(), key=lambda item: -item[1])[:top]


class Workload:
    """One server, the documents it has open, and the RSS readings along the way."""

    def __init__(self, fake: FakeOpenAI, log_dir: Path, command: list[str] | None = None):
        from benchmarks.answers import respond

        fake.default_responder = respond
        self.fake = fake
        log_dir.mkdir(parents=True, exist_ok=True)
        self.client = WireClient(
            server_env(fake.base_url, log_dir), SETTINGS, log_dir / "server.log", command
        )
        self.client.initialize(capabilities(pull=True))
        self.readings: list[tuple[str, dict[str, int]]] = []
        self.versions: dict[str, int] = {}

    def read(self, label: str) -> None:
        time.sleep(0.3)  # let the last answers' bookkeeping finish
        self.readings.append((label, proc_status(self.client.pid)))

    def _call(self, method: str, params: Any) -> Any:
        _, reply = self.client.call(method, params, timeout_s=60)
        return reply.body.get("result")

    def open_warm(self, uri: str, text: str) -> None:
        """Open, review (the first pull reviews the whole file), three completions."""
        self.versions[uri] = 1
        self.client.open(uri, text)
        self._call("textDocument/diagnostic", pull_params(uri))
        lines = text.split("\n")
        for n, line in enumerate((len(lines) // 5, len(lines) // 2, 4 * len(lines) // 5)):
            typed = f"        warm_{n} = "
            self.versions[uri] += 1
            self.client.change(uri, self.versions[uri], line, 0, typed + "\n")
            self._call("textDocument/inlineCompletion", inline_params(uri, (line, len(typed))))

    def replay(self, uri: str) -> None:
        """`typer/core.py` revision 0 -> 1, typed into the document that starts with it."""
        session = load_session(DATA_DIR / "typer_core")
        for step in revision_steps(session.texts[0], session.texts[1], 1):
            if isinstance(step, Edit):
                self.versions[uri] += 1
                self.client.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": self.versions[uri]},
                        "contentChanges": [
                            {
                                "range": {
                                    "start": _pos(step.start),
                                    "end": _pos(step.end),
                                },
                                "text": step.text,
                            }
                        ],
                    },
                )
                cursor = step.cursor
                time.sleep(0.005)
            elif isinstance(step, Pause):
                self._call("textDocument/inlineCompletion", inline_params(uri, cursor))
            elif isinstance(step, Save):
                self.client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
                self._call("textDocument/diagnostic", pull_params(uri))
            elif isinstance(step, CodeAction):
                actions = self._call(
                    "textDocument/codeAction", code_action_params(uri, step.first, step.last)
                )
                if actions:
                    self._call("codeAction/resolve", actions[0])
        self._call("textDocument/completion", completion_params(uri, cursor))

    def run(self, documents: int, snapshot: Any = None) -> None:
        time.sleep(3.0)  # the o200k tokenizer loads in a background thread at start
        self.read("started, no document open")
        if snapshot:
            snapshot()
        first = "file:///bench/doc_0.py"
        self.open_warm(first, python_document(LINES))
        self.read("1 document, opened and warm")
        self.replay(first)
        self.read("1 document, after the replayed session")
        if snapshot:
            snapshot()
        for index in range(1, documents):
            self.open_warm(f"file:///bench/doc_{index}.py", python_document(LINES, salt=index))
            if index + 1 in (10, 25, documents):
                self.read(f"{index + 1} documents")
        if snapshot:
            snapshot()

    def stop(self) -> None:
        self.client.stop()


def _pos(at: tuple[int, int]) -> dict[str, int]:
    return {"line": at[0], "character": at[1]}


def traced(
    fake: FakeOpenAI, log_dir: Path, documents: int
) -> tuple[tracemalloc.Snapshot, tracemalloc.Snapshot, tracemalloc.Snapshot]:
    out = log_dir / "tracemalloc"
    command = [sys.executable, "-m", "benchmarks.profiled_server", "--memory", str(out)]
    work = Workload(fake, log_dir, command)
    taken = 0

    def snapshot() -> None:
        nonlocal taken
        taken += 1
        os.kill(work.client.pid, signal.SIGUSR1)
        path = out.with_name(f"{out.name}.{taken}")
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)

    try:
        work.run(documents, snapshot)
    finally:
        work.stop()
    return tuple(  # type: ignore[return-value]
        tracemalloc.Snapshot.load(str(out.with_name(f"{out.name}.{n}"))) for n in (1, 2, 3)
    )


def _where(filename: str) -> str:
    for marker in ("site-packages/", str(REPO_ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    if "/lib/python3" in filename:
        return "stdlib/" + filename.split("/lib/python3", 1)[1].split("/", 1)[1]
    return filename


def traced_report(snapshots: tuple[tracemalloc.Snapshot, ...], top: int) -> str:
    start, one, end = snapshots
    total = sum(s.size for s in end.statistics("filename"))
    out = [
        f"Python allocations alive with {LINES:,}-line documents open: "
        f"{total / 2**20:.1f} MB at the end (tracemalloc; its own bookkeeping excluded).",
        "",
        "| Allocated in (file:line) | MB at the end | Grew from 1 to all documents (MB) |",
        "| --- | ---: | ---: |",
    ]
    grew = {
        (s.traceback[0].filename, s.traceback[0].lineno): s.size_diff
        for s in end.compare_to(one, "lineno")
    }
    for stat in end.statistics("lineno")[:top]:
        frame = stat.traceback[0]
        diff = grew.get((frame.filename, frame.lineno), 0)
        out.append(
            f"| {_where(frame.filename)}:{frame.lineno} | {stat.size / 2**20:.1f} | "
            f"{diff / 2**20:+.1f} |"
        )
    out += ["", "| By file | MB at the end |", "| --- | ---: |"]
    for stat in end.statistics("filename")[:top]:
        out.append(f"| {_where(stat.traceback[0].filename)} | {stat.size / 2**20:.1f} |")
    started = sum(s.size for s in start.statistics("filename"))
    out.append(f"\n(at start, before any document: {started / 2**20:.1f} MB)")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--no-tracemalloc", action="store_true")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    start = RunStart.now()
    log_dir = Path(tempfile.mkdtemp(prefix="codex-lsp-memory-"))

    costs = import_costs()
    times = import_times()
    with FakeOpenAI(per_prefix_rpm=None) as fake:
        work = Workload(fake, log_dir / "rss")
        try:
            work.run(args.documents)
        finally:
            work.stop()
        fake.reset()
        snapshots = (
            None if args.no_tracemalloc else traced(fake, log_dir / "traced", args.documents)
        )

    print(f"{start.header()}.")
    print("\n| Fresh interpreter, after | RSS (MB) | Peak RSS (MB) | Seconds |")
    print("| --- | ---: | ---: | ---: |")
    for label, rss, peak, took in costs:
        print(f"| {label} | {rss:.1f} | {peak:.1f} | {took:.2f} |")
    print(
        "\nImport time of what `serve` imports, by package (self time, s): "
        + ", ".join(f"{name} {seconds:.2f}" for name, seconds in times)
    )
    print("\n| The server, after | RSS (MB) | Peak RSS (MB) |")
    print("| --- | ---: | ---: |")
    for label, status in work.readings:
        print(f"| {label} | {_mb(status['VmRSS']):.1f} | {_mb(status['VmHWM']):.1f} |")
    by_label = {label: status for label, status in work.readings}
    one = by_label["1 document, after the replayed session"]["VmRSS"]
    last_label = work.readings[-1][0]
    last = work.readings[-1][1]
    per_doc = (last["VmRSS"] - one) / max(1, args.documents - 1)
    peak = _mb(last["VmHWM"])
    verdict = "PASS" if peak <= TARGET_MB else "FAIL"
    print(
        f"\nPer document beyond the first: {per_doc / 1024:.2f} MB. "
        f"Target: peak RSS <= {TARGET_MB:.0f} MB with {args.documents} documents: {verdict} "
        f"({peak:.1f} MB; {last_label})."
    )
    if snapshots is not None:
        print()
        print(traced_report(snapshots, args.top))
    print(f"\n(server logs in {log_dir})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
