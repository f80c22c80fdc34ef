"""The editing histories under `data/` and what replaying each one would type.

Every folder under `data/` with a `session.json` is a history (see its `SOURCE.md`). Its
`split` says what it is for: "tune" histories may be looked at while tuning the server,
"heldout" ones only to check the result. The figures come from the same keystroke planner
the replay uses (`edits.session_steps`); nothing is sent to a server.

    .venv/bin/python -m benchmarks.histories [--split tune|heldout]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from benchmarks.edits import DATA_DIR, Edit, Pause, load_session, session_steps

SPLITS = ("tune", "heldout")


@dataclass(frozen=True)
class History:
    folder: str
    split: str
    name: str
    repo: str
    path: str
    licence: str
    lines: list[int]
    keystrokes: int
    pauses: int


def split_of(directory: Path) -> str:
    meta = json.loads((directory / "session.json").read_text(encoding="utf-8"))
    split = meta.get("split")
    if split not in SPLITS:
        raise ValueError(f"{directory.name}: split must be one of {SPLITS}, not {split!r}")
    return str(split)


def folders(split: str | None = None, data_dir: Path = DATA_DIR) -> list[str]:
    """The history folders under `data_dir`, by name, optionally of one split only."""
    names = sorted(p.parent.name for p in data_dir.glob("*/session.json"))
    return [name for name in names if split is None or split_of(data_dir / name) == split]


def describe(folder: str, data_dir: Path = DATA_DIR) -> History:
    directory = data_dir / folder
    session = load_session(directory)
    keystrokes = pauses = 0
    for step in session_steps(session):
        if isinstance(step, Edit):
            keystrokes += 1
        elif isinstance(step, Pause):
            pauses += 1
    return History(
        folder=folder,
        split=split_of(directory),
        name=session.name,
        repo=session.repo,
        path=session.path,
        licence=session.licence,
        lines=[text.count("\n") for text in session.texts],
        keystrokes=keystrokes,
        pauses=pauses,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=SPLITS, help="only histories of this split")
    args = parser.parse_args()
    print("| Folder | Split | Project file | Licence | Lines per revision | Keystrokes | Pauses |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for folder in folders(args.split):
        h = describe(folder)
        lines = ", ".join(str(n) for n in h.lines)
        print(
            f"| `{h.folder}` | {h.split} | {h.repo} `{h.path}` | {h.licence} | {lines} "
            f"| {h.keystrokes:,} | {h.pauses} |"
        )


if __name__ == "__main__":
    main()
