"""`codex-lsp check` shows one status line on stderr while it reviews, only on a terminal:
redrawn by a ticker, cleared at the end and before anything else is written."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
from pathlib import Path

import pytest

from codex_lsp import check
from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.calls import ModelCaller
from codex_lsp.progress import Progress
from codex_lsp.providers.base import TextDelta, Usage
from codex_lsp.settings import Settings
from tests.unit.fakes import FakeClock, FakeProvider


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Ticks:
    """The ticker's sleep: moves the clock, then lets the test run until it calls `step`."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.slept: list[float] = []
        self._go = asyncio.Event()
        self._asleep = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)
        self._asleep.set()
        await self._go.wait()
        self._go.clear()

    async def step(self) -> None:
        """Let the ticker draw once more, and wait until it has."""
        self._asleep.clear()
        self._go.set()
        await self._asleep.wait()

    async def first(self) -> None:
        await self._asleep.wait()


LINE = "codex-lsp check: reviewing src/a.py (1/2)"


def test_on_a_terminal_the_line_is_redrawn_each_tick_and_cleared_at_the_end() -> None:
    stream, clock = Terminal(), FakeClock()
    ticks = Ticks(clock)
    progress = Progress(stream, clock=clock, sleep=ticks.sleep, interval_s=1.0)

    async def run() -> None:
        progress.status("reviewing src/a.py (1/2)")
        async with progress.shown():
            await ticks.first()
            await ticks.step()
            progress.status("reviewing b.py (2/2)")
            await ticks.step()

    asyncio.run(run())

    short = "codex-lsp check: reviewing b.py (2/2) 2s"
    pad = " " * (len(LINE) + 3 - len(short))
    assert stream.getvalue() == (
        f"\r{LINE} 0s\r{LINE} 1s\r{short}{pad}\r" + " " * len(short) + "\r"
    )
    assert ticks.slept == [1.0, 1.0, 1.0]


def test_off_a_terminal_nothing_is_written_and_no_ticker_runs() -> None:
    stream = io.StringIO()  # a pipe or a file: isatty() is False
    progress = Progress(stream)

    async def run() -> set[asyncio.Task[object]]:
        async with progress.shown():
            progress.status("reviewing a.py (1/1)")
            progress.render()
            progress.clear()
            return asyncio.all_tasks()

    tasks = asyncio.run(run())

    assert stream.getvalue() == ""
    assert len(tasks) == 1  # only the test's own


def test_a_message_clears_the_line_first() -> None:
    stream, clock = Terminal(), FakeClock()
    progress = Progress(stream, clock=clock)
    progress.status("reviewing src/a.py (1/2)")
    progress.render()

    progress.say("src/b.py: cannot read")

    assert stream.getvalue() == (
        f"\r{LINE} 0s\r" + " " * len(f"{LINE} 0s") + "\rsrc/b.py: cannot read\n"
    )


def test_an_unchanged_line_is_not_written_again() -> None:
    stream, clock = Terminal(), FakeClock()
    progress = Progress(stream, clock=clock)
    progress.status("reviewing src/a.py (1/2)")

    progress.render()
    clock.advance(0.5)
    progress.render()

    assert stream.getvalue() == f"\r{LINE} 0s"


def test_a_long_line_is_cut_to_the_terminal_width() -> None:
    stream = Terminal()  # no real terminal behind it: 80 columns
    progress = Progress(stream, clock=FakeClock())
    progress.status("reviewing " + "deep/" * 30 + "a.py (1/1)")

    progress.render()

    drawn = stream.getvalue()
    assert drawn.startswith("\rcodex-lsp check: reviewing deep/deep/")
    assert len(drawn) == 1 + 79 and drawn.endswith("...")


class Screen:
    """One terminal that stdout and stderr both write to, in order."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, str]] = []

    def stream(self, name: str) -> Terminal:
        screen = self

        class Stream(Terminal):
            def write(self, text: str) -> int:
                screen.writes.append((name, text))
                return len(text)

        return Stream()


def test_a_check_on_a_terminal_clears_the_line_before_each_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEX_LSP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # a short path: the line fits 80 columns
    path = Path("a.py")
    path.write_text("def is_even(n):\n    return n % 2 == 1\n")
    finding = {
        "line": 2,
        "snippet": "n % 2 == 1",
        "severity": "error",
        "code": "inverted-condition",
        "message": "Odd.",
    }
    answer = json.dumps({"findings": [finding]})
    provider = FakeProvider({"gpt-5.4-mini": [TextDelta(answer), Usage(10, 0, 0, 10)]})
    settings = Settings(model="gpt-5.4-mini")
    caller = ModelCaller(provider, ["gpt-5.4-mini"], notify=lambda *_: None)
    screen = Screen()
    args = argparse.Namespace(paths=[path], diff=None, fix=False, yes=False, format="text")

    async def never(_seconds: float) -> None:
        await asyncio.Event().wait()  # one drawing, however long the review takes

    async def run() -> int:
        progress = Progress(screen.stream("stderr"), clock=FakeClock(), sleep=never)
        assistant = Assistant(caller, settings)
        selection = check.select(args, [])
        return await check._check_all(
            args, settings, assistant, screen.stream("stdout"), selection, progress
        )

    assert asyncio.run(run()) == 1
    line = f"codex-lsp check: reviewing {path} (1/1) 0s"
    assert screen.writes == [
        ("stderr", f"\r{line}"),
        ("stderr", "\r" + " " * len(line) + "\r"),
        ("stdout", f"{path}:2:12: error inverted-condition Odd."),
        ("stdout", "\n"),
    ]


def test_a_file_reviewed_in_parts_shows_which_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEX_LSP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    path = Path("long.py")
    path.write_text("".join(f"value_{n} = {n} * factor + offset\n" for n in range(300)))
    empty = json.dumps({"findings": []})
    provider = FakeProvider({"gpt-5.4-mini": [TextDelta(empty), Usage(10, 0, 0, 10)]})
    settings = Settings(model="gpt-5.4-mini", max_context_tokens=1200)  # too long for one
    caller = ModelCaller(provider, ["gpt-5.4-mini"], notify=lambda *_: None)
    screen = Screen()
    args = argparse.Namespace(paths=[path], diff=None, fix=False, yes=False, format="text")

    seen: list[str] = []

    class Recording(Progress):
        def status(self, text: str) -> None:
            seen.append(text)  # what the next redraw (a quarter second later) would show
            super().status(text)

    async def never(_seconds: float) -> None:
        await asyncio.Event().wait()

    async def run() -> int:
        progress = Recording(screen.stream("stderr"), clock=FakeClock(), sleep=never)
        selection = check.select(args, [])
        return await check._check_all(
            args,
            settings,
            Assistant(caller, settings),
            screen.stream("stdout"),
            selection,
            progress,
        )

    assert asyncio.run(run()) == 0
    parts = len(provider.requests)
    assert parts > 1
    assert seen == [f"reviewing {path} (1/1)"] + [
        f"reviewing {path} (1/1), part {part}/{parts}" for part in range(1, parts + 1)
    ]
