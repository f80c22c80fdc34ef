"""Lines changed since a git revision, for `codex-lsp check --diff REV`.

`git diff --unified=0 REV -- PATHS` compares the working tree with REV; its hunk headers say
which lines of each file as it is now were added or replaced (a pure deletion leaves none).
The parser counts each hunk's lines through, so code that looks like a header (`+++ x`, a
removed `--- y`) is never taken for one. Git runs with explicit options, so a user's diff
settings (no prefixes, colour, an external diff, textconv, renames off) cannot change what is
parsed. Untracked files are not part of a diff, and neither are deleted or binary files'
lines.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codex_lsp.engine.secrets.files import git_program

_HUNK = re.compile(r"@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_OCTAL = re.compile("[0-3][0-7]{2}")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_DIFF_OPTIONS = (
    "--unified=0",
    "--find-renames",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


class DiffError(Exception):
    """`--diff` cannot work here: the message says why (not a repository, unknown revision)."""


class GitMissing(DiffError):
    """Git itself could not be run."""


@dataclass
class FileChange:
    """One file of a diff. `path` is where the file is now, relative to the repository root
    ('/'-separated; None when deleted); `lines` are the 1-based lines of that file that were
    added or replaced (empty for a pure rename, a mode change, a deletion of lines only)."""

    path: str | None = None
    old_path: str | None = None
    lines: set[int] = field(default_factory=set)
    binary: bool = False


def parse_diff(text: str) -> list[FileChange]:
    """The files of a `git diff --unified=0` and their added or replaced lines."""
    files: list[FileChange] = []
    old_left = new_left = 0  # lines still to come in the current hunk
    for line in text.split("\n"):
        if old_left and line.startswith("-"):
            old_left -= 1
            continue
        if new_left and line.startswith("+"):
            new_left -= 1
            continue
        if line.startswith("\\"):
            continue  # "\ No newline at end of file", after either side's last line
        old_left = new_left = 0  # a hunk shorter than its header said ends here
        if line.startswith("diff --git "):
            files.append(FileChange(path=_new_path_of_header(line[len("diff --git ") :])))
        elif not files:
            continue
        elif match := _HUNK.match(line):
            old_size, new_start, new_size = match.groups()
            old_left = 1 if old_size is None else int(old_size)
            new_left = 1 if new_size is None else int(new_size)
            files[-1].lines.update(range(int(new_start), int(new_start) + new_left))
        else:
            _header_line(files[-1], line)
    return files


def _header_line(change: FileChange, line: str) -> None:
    if line.startswith("+++ "):
        name = _unquote(_strip_tab(line[4:]))
        change.path = None if name == "/dev/null" else name.removeprefix("b/")
    elif line.startswith("--- "):
        name = _unquote(_strip_tab(line[4:]))
        change.old_path = None if name == "/dev/null" else name.removeprefix("a/")
    elif line.startswith(("rename from ", "copy from ")):
        change.old_path = _unquote(line.split(" from ", 1)[1])
    elif line.startswith(("rename to ", "copy to ")):
        change.path = _unquote(line.split(" to ", 1)[1])
    elif line.startswith("deleted file mode "):
        change.path = None
    elif line.startswith("Binary files ") or line == "GIT binary patch":
        change.binary = True


def _strip_tab(name: str) -> str:
    # Git ends a ---/+++ name that holds a space with a tab.
    return name[:-1] if name.endswith("\t") else name


def _new_path_of_header(rest: str) -> str | None:
    """The `b/` name of `diff --git a/X b/Y`, when it can be read without the lines below it
    (which name a renamed, deleted or changed file anyway): quoted, or X and Y the same."""
    if rest.startswith('"'):
        end = _closing_quote(rest)
        after = rest[end + 2 :] if end > 0 else ""
        name = _unquote(after) if after else ""
        return name.removeprefix("b/") if name.startswith("b/") else None
    half = (len(rest) - 1) // 2
    old, new = rest[:half], rest[half + 1 :]
    if old.startswith("a/") and new.startswith("b/") and old[2:] == new[2:]:
        return new[2:]
    return None


def _closing_quote(text: str) -> int:
    index = 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == '"':
            return index
        index += 1
    return -1


def _unquote(name: str) -> str:
    """A name as git's C-style quoting wrote it (`"a\\tb\\303\\251"`), back to a path string."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    body, raw, index = name[1:-1], bytearray(), 0
    while index < len(body):
        char = body[index]
        if char != "\\" or index + 1 == len(body):
            raw += char.encode("utf-8", "surrogateescape")
            index += 1
        elif body[index + 1] in _ESCAPES:
            raw.append(_ESCAPES[body[index + 1]])
            index += 2
        elif _OCTAL.fullmatch(octal := body[index + 1 : index + 4]):
            raw.append(int(octal, 8))  # one byte of a name's UTF-8
            index += 4
        else:  # not an escape git writes: the backslash stands for itself
            raw.append(92)
            index += 1
    return os.fsdecode(bytes(raw))


@dataclass(frozen=True)
class Changes:
    root: Path  # the repository's top folder
    files: dict[Path, frozenset[int]]  # absolute path -> 1-based lines added or replaced


def changed_lines(rev: str, paths: Sequence[Path]) -> Changes:
    """The files under `paths` (in one repository) with lines added or replaced since `rev`,
    in the working tree. Raises DiffError saying why when that cannot be known."""
    if rev.startswith("-") or ".." in rev:
        raise DiffError(
            f"--diff takes one revision (the working tree is compared with it), got {rev!r}; "
            "for a branch's own changes use --diff $(git merge-base origin/main HEAD)"
        )
    given = [path.resolve() for path in paths]
    root = repo_root(_existing(given[0]) if given else Path.cwd())
    outside = [
        str(path) for path, full in zip(paths, given, strict=True) if not full.is_relative_to(root)
    ]
    if outside:
        raise DiffError(f"{', '.join(outside)}: outside the git repository at {root}")
    pathspecs = [os.path.relpath(full, root) for full in given] or ["."]
    try:
        diff = _git(root, "diff", *_DIFF_OPTIONS, rev, "--", *pathspecs)
    except DiffError as error:
        raise DiffError(f"--diff {rev}: {error}") from None
    files = {
        root / change.path: frozenset(change.lines)
        for change in parse_diff(diff)
        if change.path is not None and change.lines and not change.binary
    }
    return Changes(root, files)


def repo_root(folder: Path) -> Path:
    """The top folder of the git working tree holding `folder`; DiffError when none does."""
    try:
        top = _git(folder, "rev-parse", "--show-toplevel")
    except GitMissing:
        raise
    except DiffError as error:
        raise DiffError(f"--diff needs a git repository: {folder}: {error}") from None
    return Path(top.rstrip("\n")).resolve()


def _existing(path: Path) -> Path:
    """The folder to ask git from: the path's own when it exists, else its nearest parent."""
    folder = path if path.is_dir() else path.parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return folder


def _git(cwd: Path, *args: str) -> str:
    """Git's output; DiffError with git's own message when it fails or cannot be run."""
    try:
        run = subprocess.run(
            # Never the repository's own `git`, nor its `core.fsmonitor` command.
            [git_program(), "-c", "core.fsmonitor=false", "--literal-pathspecs", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
        )
    except OSError as error:
        raise GitMissing(f"--diff needs git, which could not be run: {error}") from None
    if run.returncode != 0:
        message = os.fsdecode(run.stderr).strip().removeprefix("fatal: ")
        raise DiffError(message.splitlines()[0] if message else f"git failed ({run.returncode})")
    return os.fsdecode(run.stdout)
