"""Writing files that users and other processes also write: whole-line edits found again in the
current text, line endings and mode kept, atomic replacement, and a lock for shared files.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path

if sys.platform != "win32":
    import fcntl

_BREAK = re.compile(r"(\r\n|\r|\n)")  # the line breaks `Snapshot` counts, in the same order


@dataclass(frozen=True)
class LineEdit:
    """Whole lines from `first` (0-based) that read `old_lines`, replaced by `new_text`, whose
    lines are separated by "\\n" whatever the file uses."""

    first: int
    old_lines: tuple[str, ...]
    new_text: str

    @property
    def end(self) -> int:
        """One past the last line replaced."""
        return self.first + len(self.old_lines)

    def describe(self) -> str:
        return f"lines {self.first + 1}-{self.end}"


def split_lines(text: str) -> list[tuple[str, str]]:
    """Each line of `text` with the break that ends it ("" for the last line)."""
    pieces = _BREAK.split(text)
    return list(zip(pieces[0::2], [*pieces[1::2], ""], strict=True))


def line_texts(text: str) -> list[str]:
    """The lines of `text` without their breaks, as `Snapshot.lines` has them."""
    return [line for line, _ in split_lines(text)]


def relocate(
    edits: list[LineEdit], lines: list[str]
) -> tuple[list[LineEdit], list[tuple[LineEdit, str]]]:
    """Each edit moved to the one place its old lines now occur; the others, with the reason
    they cannot be placed."""
    placed: list[LineEdit] = []
    skipped: list[tuple[LineEdit, str]] = []
    for edit in edits:
        starts = _occurrences(edit.old_lines, lines)
        moved = replace(edit, first=starts[0]) if len(starts) == 1 else None
        if moved is None:
            reason = (
                "its lines were changed" if not starts else "its lines now occur more than once"
            )
            skipped.append((edit, reason))
        elif any(moved.first < other.end and other.first < moved.end for other in placed):
            skipped.append((edit, "its lines now overlap another fix"))
        else:
            placed.append(moved)
    return placed, skipped


def _occurrences(block: tuple[str, ...], lines: list[str]) -> list[int]:
    size = len(block)
    if not size:
        return []
    return [
        start
        for start in range(len(lines) - size + 1)
        if lines[start] == block[0] and tuple(lines[start : start + size]) == block
    ]


def apply_line_edits(text: str, edits: list[LineEdit]) -> str:
    """`text` with each edit applied. Lines outside the edits keep their bytes and their own
    breaks; new lines take the file's usual break, and the file keeps (or still lacks) its
    final line break."""
    lines = split_lines(text)
    newline = _usual_break(lines)
    for edit in sorted(edits, key=lambda e: e.first, reverse=True):
        new = edit.new_text.split("\n")
        last_break = lines[edit.end - 1][1]
        lines[edit.first : edit.end] = [(line, newline) for line in new[:-1]] + [
            (new[-1], last_break)
        ]
    return _same_final_break(text, "".join(line + end for line, end in lines), newline)


def _usual_break(lines: list[tuple[str, str]]) -> str:
    counts = Counter(end for _, end in lines if end)
    return counts.most_common(1)[0][0] if counts else "\n"


def _same_final_break(original: str, text: str, newline: str) -> str:
    had_break = original.endswith(("\n", "\r"))
    if had_break and text and not text.endswith(("\n", "\r")):
        return text + newline
    if not had_break and text.endswith(("\n", "\r")):
        return text[: -len(split_lines(text)[-2][1])]
    return text


def replace_file(path: Path, data: bytes, *, expected: bytes | None = None) -> bool:
    """Give `path` the content `data` by an atomic rename of a temporary file beside it, so a
    failure leaves the old content whole. A symlink keeps pointing at its file, whose mode is
    kept. With `expected`: False, and nothing written, when the file no longer holds it."""
    target = path.resolve()
    old = _stat_or_none(target)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    replaced = False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if old is not None:
            _copy_owner_and_mode(old, temp)
        if expected is not None and target.read_bytes() != expected:
            return False
        os.replace(temp, target)
        replaced = True
        return True
    finally:
        if not replaced:
            with suppress(OSError):
                os.unlink(temp)


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _copy_owner_and_mode(old: os.stat_result, temp: str) -> None:
    if sys.platform != "win32" and (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        with suppress(OSError):  # only root may give a file away; the mode still follows
            os.chown(temp, old.st_uid, old.st_gid)
    os.chmod(temp, stat.S_IMODE(old.st_mode))


@contextmanager
def exclusive_lock(path: Path, wait_s: float = 2.0) -> Iterator[bool]:
    """Hold an exclusive lock on the file `path` (created if missing) while the block runs.
    Yields whether the lock is held: without one (no folder, no flock, a holder that does not
    let go within `wait_s`) the block runs anyway."""
    fd = _open_or_none(path)
    try:
        yield fd is not None and _flock(fd, wait_s)
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock


def _open_or_none(path: Path) -> int | None:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None


def _flock(fd: int, wait_s: float) -> bool:
    if sys.platform == "win32":
        return False
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.002)
        except OSError:  # a file system without locks
            return False
