"""Editing sessions as data, and the keystrokes a person would make to go from one revision to
the next.

A session is a list of revisions of one real file (see `data/*/SOURCE.md`). Between two
revisions the line diff (difflib) gives hunks; each hunk is replayed top to bottom: the removed
lines go in one edit (select, delete), then the new lines are typed character by character.
A new block starts with "insert line above" (indentation included, as editors auto-indent),
every further line with Enter plus auto-indentation. The typist pauses at the end of each
non-empty line. After the last hunk of a revision the file is saved and one refactor is asked
for on the code just written.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Session:
    name: str
    repo: str
    path: str
    licence: str
    uri: str
    language_id: str
    commits: list[str]
    texts: list[str]


def load_session(directory: Path) -> Session:
    meta = json.loads((directory / "session.json").read_text(encoding="utf-8"))
    revisions = meta["revisions"]
    return Session(
        name=meta["name"],
        repo=meta["repo"],
        path=meta["path"],
        licence=meta["licence"],
        uri=meta["uri"],
        language_id=meta["language_id"],
        commits=[r["commit"] for r in revisions],
        texts=[(directory / r["file"]).read_text(encoding="utf-8") for r in revisions],
    )


@dataclass(frozen=True)
class Edit:
    """One text change, one keystroke (a typed character, Enter with auto-indent, or Delete
    on selected lines); `ahead` is what the person is about to type after it (the rest of the
    block), used to answer completions realistically."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str
    cursor: tuple[int, int]
    ahead: str


@dataclass(frozen=True)
class Pause:
    """The typist stops: the pending automatic completion is let to finish."""


@dataclass(frozen=True)
class Save:
    revision: int


@dataclass(frozen=True)
class CodeAction:
    """Select whole lines [first, last) and ask for a refactor of them."""

    first: int
    last: int


Step = Edit | Pause | Save | CodeAction


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _type_block(row: int, lines: list[str]) -> Iterator[Step]:
    """Type `lines` as a new block starting at line `row` (which is pushed down)."""
    ahead_all = "\n".join(lines)
    done = 0  # characters of ahead_all already in the document
    for index, line in enumerate(lines):
        indent = _indent(line)
        at = (row + index, 0) if index == 0 else (row + index - 1, len(lines[index - 1]))
        text = indent + "\n" if index == 0 else "\n" + indent
        done += len(indent) + (0 if index == 0 else 1)
        cursor = (row + index, len(indent))
        yield Edit(at, at, text, cursor, ahead_all[done:])
        for column in range(len(indent), len(line)):
            done += 1
            yield Edit(
                (row + index, column),
                (row + index, column),
                line[column],
                (row + index, column + 1),
                ahead_all[done:],
            )
        if line.strip():
            yield Pause()


def revision_steps(old: str, new: str, revision: int) -> Iterator[Step]:
    """The steps that turn `old` into `new`, then a save and a code action."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    shift = 0
    last_block = (0, min(10, len(new_lines)))
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        row = a1 + shift
        if a2 > a1:
            yield Edit((row, 0), (row + a2 - a1, 0), "", (row, 0), "")
        if b2 > b1:
            yield from _type_block(row, new_lines[b1:b2])
            last_block = (row, row + b2 - b1)
        shift += (b2 - b1) - (a2 - a1)
    yield Save(revision)
    yield CodeAction(*last_block)


def session_steps(session: Session, transitions: int | None = None) -> Iterator[Step]:
    count = len(session.texts) - 1 if transitions is None else transitions
    for index in range(count):
        yield from revision_steps(session.texts[index], session.texts[index + 1], index + 1)


def apply_edit(text: str, edit: Edit) -> str:
    """Apply an edit to a plain string, as the server will (positions are line, character)."""
    lines = text.split("\n")

    def offset(position: tuple[int, int]) -> int:
        line, character = position
        return sum(len(item) + 1 for item in lines[:line]) + character

    return text[: offset(edit.start)] + edit.text + text[offset(edit.end) :]
