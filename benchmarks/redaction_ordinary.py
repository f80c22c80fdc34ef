"""Over-redaction check: redact files of ordinary code and list the lines that change.

Ordinary code holds no secrets, so a new redaction rule must change no line of it that was not
changed before. The files: the virtual environment's site-packages (`*.py`), and the repository's
benchmarks, docs and Markdown files (`git ls-files`). `--write FILE` keeps every changed line
(as JSON); `--against FILE` prints the lines changed now that were not, or not so, in FILE. Make
the reference at the commit before a change, check after it:

    git stash; .venv/bin/python -m benchmarks.redaction_ordinary --write /tmp/before.json
    git stash pop; .venv/bin/python -m benchmarks.redaction_ordinary --against /tmp/before.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from codex_lsp.engine.secrets import redact

REPO = Path(__file__).resolve().parent.parent
Changes = dict[str, dict[str, str]]  # path -> line number (from 0) -> the line redacted


def ordinary_files() -> list[Path]:
    site = Path(sysconfig.get_paths()["purelib"])
    listed = subprocess.run(
        ["git", "ls-files", "benchmarks", "docs", "*.md"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sorted(site.rglob("*.py")) + [REPO / name for name in sorted(set(listed))]


def changed_lines(files: list[Path]) -> tuple[Changes, int]:
    """The lines redaction changes, by file, and how many files were read (text ones)."""
    changes: Changes = {}
    read = 0
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        read += 1
        redacted = redact(text)
        if redacted != text:
            pairs = zip(text.split("\n"), redacted.split("\n"), strict=True)
            changes[str(path)] = {str(n): b for n, (a, b) in enumerate(pairs) if a != b}
    return changes, read


def new_changes(now: Changes, before: Changes) -> list[str]:
    lines = []
    for path, changed in now.items():
        original = Path(path).read_text(encoding="utf-8").split("\n")
        for number, line in changed.items():
            if before.get(path, {}).get(number) != line:
                was = original[int(number)].strip()[:200]
                lines.append(f"{path}:{int(number) + 1}: {was!r}\n    -> {line.strip()[:200]!r}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", type=Path, help="keep the changed lines in this JSON file")
    parser.add_argument("--against", type=Path, help="print lines changed now and not in it")
    args = parser.parse_args()
    start = time.process_time()
    changes, read = changed_lines(ordinary_files())
    count = sum(map(len, changes.values()))
    seconds = time.process_time() - start
    print(f"{read:,} files, {len(changes):,} with changed lines, {count:,} lines ({seconds:.1f} s)")
    if args.write:
        args.write.write_text(json.dumps(changes))
    if args.against:
        before: Changes = json.loads(args.against.read_text())
        new = new_changes(changes, before)
        print("\n".join(new))
        print(f"{len(new)} lines redacted that were not before")
        return 1 if new else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
