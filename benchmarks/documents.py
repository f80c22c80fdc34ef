"""Real-looking Python documents of any length, for benchmarks that measure by document size.

A document is Typer's `typer/core.py` (`data/typer_core/`, MIT, real code of 739-800 lines)
repeated: copy k is revision k mod 5, with every `def` and `class` name suffixed `_k` so that
the copies are different modules' worth of code, not one text pasted over and over (line
diffs and caches would otherwise see the same lines everywhere). `salt` makes documents of the
same size different from each other (the memory benchmark opens 50 of them).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "typer_core"
REVISIONS = 5
_DEFINITION = re.compile(r"^(\s*(?:async\s+)?(?:def|class)\s+)(\w+)", re.MULTILINE)


@cache
def _revision(index: int) -> str:
    return (DATA / f"rev{index}.py.txt").read_text()


def _copy(index: int, salt: int) -> list[str]:
    text = _revision(index % REVISIONS)
    suffix = f"_{salt}_{index}" if salt else f"_{index}"
    if index or salt:
        text = _DEFINITION.sub(lambda m: m.group(1) + m.group(2) + suffix, text)
    return text.rstrip("\n").split("\n")


def python_document(lines: int, salt: int = 0) -> str:
    """`lines` lines of Python (a newline at the end)."""
    out: list[str] = []
    index = 0
    while len(out) < lines:
        out.extend(_copy(index, salt))
        out.append("")
        index += 1
    return "\n".join(out[:lines]) + "\n"


def code_lines(text: str) -> list[int]:
    """Indices of lines worth putting a cursor or a finding on: indented, non-blank code."""
    return [
        n
        for n, line in enumerate(text.split("\n"))
        if line.startswith("    ") and len(line.strip()) > 12 and not line.strip().startswith("#")
    ]
