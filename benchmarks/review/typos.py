"""The fill scan's misspelt-name kind (`fill_scan.misspelt_names`) on `corpus_real`, through
the product's scan (`LocalProvider`, both models, the shipped rule), reading only the rows
concerned (a whole-file scan of every excerpt would take hours):

- `--clean`: every row of the clean excerpts where the kind proposes a correction, which must
  publish nothing (a clean excerpt has no typo);
- `--planted N --seed S`: N clean excerpts, each with one typo planted in a name read on one
  line (a letter dropped, doubled or swapped with the next; the file must still parse and the
  new name be bound nowhere): how many get a candidate, how many are found with the right fix.

    .venv/bin/python -m benchmarks.review.typos --clean
    .venv/bin/python -m benchmarks.review.typos --planted 24 --seed 16

Pairs of the held-out splits built after the kind (`heldout6` on: pair 100 and up) are never
read here. Results: `results/typos-clean.json`, `results/typos-planted-<seed>.json`.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.review.corpus import RESULTS
from codex_lsp.engine import fill_scan
from codex_lsp.engine.context import Snapshot
from codex_lsp.providers.base import ProviderConfig
from codex_lsp.providers.local import SCAN_MODEL, LocalProvider
from codex_lsp.settings import Settings

CLEAN = Path(__file__).resolve().parent / "corpus_real" / "clean"
FIRST_UNREAD_PAIR = 100  # heldout6 and later: built after this kind, kept for a held-out run


def excerpts() -> list[Path]:
    return sorted(p for p in CLEAN.glob("*.py") if int(p.name.split("_")[0]) < FIRST_UNREAD_PAIR)


def misspell(name: str, rng: random.Random) -> str:
    """`name` with one letter after the first dropped, doubled, or swapped with the next."""
    at = rng.randrange(1, len(name))
    kind = rng.choice(["drop", "double", "swap"])
    if kind == "drop":
        return name[:at] + name[at + 1 :]
    if kind == "double":
        return name[:at] + name[at] + name[at:]
    at = min(at, len(name) - 2)
    return name[:at] + name[at + 1] + name[at] + name[at + 2 :]


def plant(text: str, rng: random.Random) -> tuple[str, int, str, str] | None:
    """The text with one read name misspelt: (text, 0-based row, name, misspelling)."""
    lines = text.split("\n")
    reads = [
        node
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Name)
        and isinstance(node.ctx, ast.Load)
        and len(node.id) >= 4
        and node.id.islower()
        and node.lineno == node.end_lineno
        and lines[node.lineno - 1].isascii()
        and not lines[node.lineno - 1].lstrip().startswith(("def ", "class ", "@"))  # not scanned
    ]
    rng.shuffle(reads)
    for node in reads:
        wrong = misspell(node.id, rng)
        line = lines[node.lineno - 1]
        changed = line[: node.col_offset] + wrong + line[node.end_col_offset :]
        planted = "\n".join([*lines[: node.lineno - 1], changed, *lines[node.lineno :]])
        try:
            tree = ast.parse(planted)
        except SyntaxError:
            continue
        if not fill_scan.undefined(tree, wrong):
            continue
        return planted, node.lineno - 1, node.id, wrong
    return None


async def scan_rows(provider: LocalProvider, text: str, rows: set[int]) -> list[dict[str, Any]]:
    snapshot = Snapshot("file:///project/src/module.py", 0, text, "python")
    found = fill_scan.scan(snapshot, provider, covers=lambda f: f.span.start.line in rows)
    return [{"row": f.span.start.line, "message": f.message, "fix": f.fix} async for f in found]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(local_model=SCAN_MODEL, local_review_model="auto")
    provider = LocalProvider(settings, ProviderConfig(base_url="", api_key=""))
    entries: list[dict[str, Any]] = []
    try:
        for name, text, rows, planted in jobs(args):
            candidates = fill_scan.candidates(text)
            started = time.perf_counter()
            found = await scan_rows(provider, text, rows)
            entry: dict[str, Any] = {"file": name, "rows": sorted(rows), "planted": planted}
            entry["found"] = found
            entry["seconds"] = round(time.perf_counter() - started, 1)
            if planted:
                (row,) = rows
                entry["has_candidate"] = any(planted[0] in c for c in candidates.get(row, []))
                entry["right"] = any(_restores(f["fix"], planted) for f in found)
            entries.append(entry)
            print(json.dumps(entry), file=sys.stderr, flush=True)
    finally:
        await provider.aclose()
    return {"mode": "planted" if args.planted else "clean", "seed": args.seed, "files": entries}


def _restores(fix: str, planted: tuple[str, str]) -> bool:
    name, wrong = planted
    return name in fix and wrong not in fix


def jobs(args: argparse.Namespace) -> list[tuple[str, str, set[int], tuple[str, str] | None]]:
    if not args.planted:
        texts = [(p.name, p.read_text(encoding="utf-8")) for p in excerpts()]
        spotted = [(n, t, {r for r, _ in fill_scan.misspelt_names(ast.parse(t))}) for n, t in texts]
        return [(n, t, rows, None) for n, t, rows in spotted if rows]
    rng = random.Random(args.seed)
    files = excerpts()
    rng.shuffle(files)
    out: list[tuple[str, str, set[int], tuple[str, str] | None]] = []
    for path in files[: args.planted]:
        got = plant(path.read_text(encoding="utf-8"), rng)
        if got is not None:
            text, row, name, wrong = got
            out.append((path.name, text, {row}, (name, wrong)))
    return out


def summary(document: dict[str, Any]) -> str:
    files = document["files"]
    published = sum(len(e["found"]) for e in files)
    seconds = sum(e["seconds"] for e in files)
    if document["mode"] == "clean":
        return (
            f"{len(files)} clean excerpts with candidates: {published} findings ({seconds:.0f} s)"
        )
    with_candidate = sum(e["has_candidate"] for e in files)
    right = sum(e["right"] for e in files)
    return (
        f"{len(files)} typos planted (seed {document['seed']}): {with_candidate} with a candidate,"
        f" {right} found with the right fix, {published - right} other findings ({seconds:.0f} s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--clean", action="store_true", help="the candidate rows of clean excerpts")
    group.add_argument("--planted", type=int, metavar="N", help="plant a typo in N excerpts")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)
    document = asyncio.run(run(args))
    label = "clean" if args.clean else f"planted-{args.seed}"
    target = RESULTS / f"typos-{label}.json"
    target.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(summary(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
