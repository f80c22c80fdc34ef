"""Where the server's time goes: the overhead benchmark's requests, profiled with pyinstrument.

For each size (2,000 and 20,000 lines by default) one server asks at pauses, as in
`benchmarks/overhead.py`: typed lines, then inline completions, completions, pulls that run a
review, and code actions resolved, against the fake OpenAI with no latency. The server runs
under `benchmarks/profiled_server.py`; sampling (every 0.5 ms, main thread, where the event
loop runs every handler) starts after the warm-up and stops after the last request. Time spent
waiting in the event loop's selector is idle; the shares below are of the rest (busy time).

Run: `.venv/bin/pip install pyinstrument` once, then `.venv/bin/python -m benchmarks.hotspots`
(about 2 minutes).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from benchmarks.documents import python_document
from benchmarks.overhead import AT_PAUSES, Runner
from benchmarks.timing import RunStart, Session
from tests.fake_openai import FakeOpenAI

REPO = Path(__file__).resolve().parent.parent
SITE = "site-packages/"


@dataclass(frozen=True)
class Function:
    name: str
    path: str
    line: int  # where it is defined

    @classmethod
    def parse(cls, identifier: str) -> Function:
        name, path, line = identifier.split("\x01", 1)[0].split("\x00")
        return cls(name, path, int(line or 0))

    @staticmethod
    def running_line(identifier: str) -> int:
        """The line the frame was executing (pyinstrument's `l` attribute), else 0."""
        for attribute in identifier.split("\x01")[1:]:
            if attribute[:1] == "l" and attribute[1:].isdigit():
                return int(attribute[1:])
        return 0

    @property
    def where(self) -> str:
        path = self.path
        if SITE in path:
            path = path.split(SITE, 1)[1]
        elif path.startswith(str(REPO)):
            path = path[len(str(REPO)) + 1 :]
        elif "/lib/python3" in path:
            path = "stdlib/" + path.split("/lib/python3", 1)[1].split("/", 1)[1]
        return f"{path}:{self.line}" if self.line else path

    @property
    def package(self) -> str:
        where = self.where
        if where.startswith("<"):
            return "built-in (C)"
        return where.split("/", 1)[0].split(":", 1)[0].removesuffix(".py")


@dataclass
class Profile:
    lines: int
    busy_s: float
    idle_s: float
    own: dict[Function, float]  # self time
    total: dict[Function, float]  # time with the function anywhere on the stack
    packages: dict[str, float]  # self time by the package of the running frame
    # By the innermost codex_lsp frame on the stack and the line it was running: codex-lsp's
    # own time plus the library code it called from there (who in codex-lsp asked for it).
    asked: dict[tuple[Function, int], float]

    @classmethod
    def load(cls, path: Path, lines: int) -> Profile:
        from pyinstrument.session import Session as Recorded

        recorded = Recorded.load(str(path))
        busy = idle = 0.0
        own: dict[Function, float] = defaultdict(float)
        total: dict[Function, float] = defaultdict(float)
        packages: dict[str, float] = defaultdict(float)
        asked: dict[tuple[Function, int], float] = defaultdict(float)
        for stack, seconds in recorded.frame_records:
            functions = [Function.parse(frame) for frame in stack[1:]]  # [0] is the thread
            if not functions or any(_idle(f) for f in functions):
                idle += seconds
                continue
            busy += seconds
            leaf = functions[-1]
            own[leaf] += seconds
            packages[_package_of(functions)] += seconds
            for function in set(functions):
                total[function] += seconds
            ours = [n for n, f in enumerate(functions) if f.package == "codex_lsp"]
            if ours:
                at = ours[-1]
                asked[(functions[at], Function.running_line(stack[1 + at]))] += seconds
        return cls(lines, busy, idle, own, total, packages, asked)


def _idle(function: Function) -> bool:
    """The event loop waiting for input (epoll through selectors)."""
    return function.name == "select" and function.path.endswith("selectors.py")


def _package_of(functions: list[Function]) -> str:
    """The package of the innermost frame that is not the standard library or C: who asked."""
    for function in reversed(functions):
        package = function.package
        if package not in ("stdlib", "built-in (C)"):
            return package
    return functions[-1].package


def profile_size(lines: int, args: argparse.Namespace, fake: FakeOpenAI, out: Path) -> Profile:
    path = out / f"profile-{lines}.json"
    command = [sys.executable, "-m", "benchmarks.profiled_server", str(path)]
    session = Session(
        fake,
        AT_PAUSES,
        python_document(lines),
        command=command,
        log_dir=out / f"{lines}",
    )
    try:
        time.sleep(3.0)  # the o200k tokenizer loads in the background at start
        warm = Runner(session, lines, warmup=0, samples=3)
        steps = (warm.inline, warm.completion, warm.pull, warm.resolve)
        for offset, step in enumerate(steps):
            warm.run(step, start=offset * 1000 + 900)
        os.kill(session.client.pid, signal.SIGUSR1)
        runner = Runner(session, lines, warmup=0, samples=args.samples)
        for offset, step in enumerate(
            (runner.inline, runner.completion, runner.pull, runner.resolve)
        ):
            runner.run(step, start=offset * 1000)
        os.kill(session.client.pid, signal.SIGUSR2)
        deadline = time.monotonic() + 30
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        session.stop()
    return Profile.load(path, lines)


K = TypeVar("K")


def _top(shares: dict[K, float], count: int) -> list[tuple[K, float]]:
    return sorted(shares.items(), key=lambda item: -item[1])[:count]


def report(profile: Profile, top: int) -> str:
    busy = profile.busy_s or 1.0
    out = [
        f"#### {profile.lines:,} lines: {profile.busy_s:.2f} s busy, "
        f"{profile.idle_s:.2f} s idle in the event loop",
        "",
        "By package (self time of the innermost non-stdlib frame):",
        "",
        "| Package | Share of busy |",
        "| --- | ---: |",
    ]
    for package, seconds in _top(profile.packages, 8):
        out.append(f"| {package} | {seconds / busy:.1%} |")
    out += [
        "",
        "Top functions by self time:",
        "",
        "| Function | Where | Self | With callees |",
        "| --- | --- | ---: | ---: |",
    ]
    for function, seconds in _top(profile.own, top):
        out.append(
            f"| `{function.name}` | {function.where} | {seconds / busy:.1%} | "
            f"{profile.total.get(function, 0.0) / busy:.1%} |"
        )
    out += [
        "",
        "By the innermost codex_lsp line on the stack (its own time and the library code it "
        "called from there):",
        "",
        "| Function | Line running | Share of busy |",
        "| --- | --- | ---: |",
    ]
    for (function, line), seconds in _top(profile.asked, top):
        where = function.where.rsplit(":", 1)[0]
        out.append(f"| `{function.name}` | {where}:{line} | {seconds / busy:.1%} |")
    # The entry points and the request path hold nearly everything: not informative.
    own_code = [
        (f, s)
        for f, s in _top(profile.total, len(profile.total))
        if f.package == "codex_lsp" and s < 0.6 * busy
    ]
    out += [
        "",
        "codex_lsp functions by time with callees (under 60%: below the request path):",
        "",
        "| Function | Where | With callees | Self |",
        "| --- | --- | ---: | ---: |",
    ]
    for function, seconds in own_code[:top]:
        out.append(
            f"| `{function.name}` | {function.where} | {seconds / busy:.1%} | "
            f"{profile.own.get(function, 0.0) / busy:.1%} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--samples", type=int, default=30, help="requests of each kind (30)")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    sys.setswitchinterval(0.0005)
    start = RunStart.now()
    out = Path(tempfile.mkdtemp(prefix="codex-lsp-hotspots-"))
    profiles = []
    with FakeOpenAI(per_prefix_rpm=None) as fake:
        for lines in args.sizes:
            print(f"{lines:,} lines ...", file=sys.stderr, flush=True)
            profiles.append(profile_size(lines, args, fake, out))
            fake.reset()
    print(
        f"{start.header()}; {args.samples} requests of each kind (inline, completion, pull, "
        f"resolve), each after a typed line. Profiles in {out}."
    )
    for profile in profiles:
        print()
        print(report(profile, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
