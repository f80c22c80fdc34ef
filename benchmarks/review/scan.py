"""The product's fill scan (`codex_lsp/engine/fill_scan.py`) on the review corpora: what the
local backend's review adds to its verified review-prompt findings, through the same objects
`codex-lsp check` and the editor's diagnostics use (`LocalProvider` built from `Settings`, its
0.5B child in its own slot, `fill_scan.scan` with the shipped rule: the 1.5B's second opinion
when it is installed, else the 0.5B's margin alone, or with `--alone`; no review prompt).

    .venv/bin/python -m benchmarks.review.scan --split heldout [--files NAME ...] [--suffix S]
        [--alone] [--margins A B]
    .venv/bin/python -m benchmarks.review.scan --rescore results/scan-....json

Every finding is stored with its message, its fix, the line as written and the clean copy's
line, so each message can be judged against the diff.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.review.build_real import SPLITS
from benchmarks.review.corpus import RESULTS, TABLE_HEADER, CorpusFile, score_file, summarize
from benchmarks.review.verified import corpus_items
from codex_lsp.engine import fill_scan
from codex_lsp.engine.context import Snapshot
from codex_lsp.providers.base import ProviderConfig
from codex_lsp.providers.local import SCAN_MODEL, LocalProvider
from codex_lsp.settings import Settings


def clean_copy(item: CorpusFile) -> list[str] | None:
    if item.bug is None:
        return None
    clean = item.path.parent.parent / "clean" / item.path.name
    return clean.read_text(encoding="utf-8").split("\n") if clean.exists() else None


class GainLog(logging.Handler):
    """Both models' gains of every correction the second model was asked about (the scan's
    debug log), so that a run can be scored again under a stricter rule."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.gains: list[tuple[float, float, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("scan gains"):
            small, large, body = record.args  # type: ignore[misc]
            self.gains.append((round(small, 3), round(large, 3), body))


def first_tier(entry: dict[str, Any]) -> list[int]:
    """The lines a finding of `entry` keeps under the first tier alone (`CONFIRMED_MARGIN` and
    `SECOND_MARGIN`, the rule shipped before session 15)."""
    a, b = fill_scan.CONFIRMED_MARGIN, fill_scan.SECOND_MARGIN
    passed = {body for small, large, body in entry.get("gains", []) if small >= a and large >= b}
    return [f["line"] for f in entry["findings"] if f["fix"].strip() in passed]


def report(document: dict[str, Any], items: dict[str, CorpusFile]) -> str:
    files = document["files"]
    scores = [
        score_file(items[e["name"]], [f["line"] for f in e["findings"]], e["seconds"])
        for e in files
    ]
    rows = [TABLE_HEADER, summarize(document["label"], scores).row()]
    for e in files:
        for f in e["findings"]:
            rows.append(
                f"{e['name']}:{f['line']} {f['message']}  written {f['written'].strip()!r}"
                f" fix {f['fix'].strip()!r} clean {(f['clean'] or '').strip()!r}"
            )
    if any("gains" in e for e in files):
        tier = [score_file(items[e["name"]], first_tier(e), e["seconds"]) for e in files]
        rows.append(summarize(f"{document['label']} (first tier alone)", tier).row())
    lines = sum(e["line_count"] for e in files)
    seconds = sum(e["seconds"] for e in files)
    loads = [e["load"] for e in files]
    rows.append(
        f"\n{len(files)} files, {lines} lines, {seconds:.0f} s: "
        f"{100 * seconds / max(1, lines):.1f} s per 100 lines "
        f"(1-min load after each file {min(loads, default=0):.1f}-{max(loads, default=0):.1f}, "
        f"mean {sum(loads) / max(1, len(loads)):.1f})"
    )
    return "\n".join(rows)


async def run(args: argparse.Namespace) -> Path:
    items = corpus_items(args.corpus, args.split, args.limit, args.files)[args.start :]
    # --alone: the 0.5B reviews too (the local-lite install), so no second opinion
    reviewer = SCAN_MODEL if args.alone else "auto"
    settings = Settings(local_model=SCAN_MODEL, local_review_model=reviewer)
    provider = LocalProvider(settings, ProviderConfig(base_url="", api_key=""))
    label = f"scan-{args.corpus}-{args.split or 'all'}{args.suffix}"
    files: list[dict[str, Any]] = []
    rule = (
        f"0.5B >= {fill_scan.CONFIRMED_MARGIN:g} & 1.5B >= {fill_scan.SECOND_MARGIN:g}"
        if provider.has_second_opinion()
        else f"0.5B >= {fill_scan.SCAN_MARGIN:g}"
    )
    meta = {"corpus": args.corpus, "split": args.split, "rule": rule}
    document = {"label": label, "meta": meta, "files": files}
    target = RESULTS / f"{label}.json"
    gain_log = GainLog()
    scan_log = logging.getLogger(fill_scan.__name__)
    scan_log.addHandler(gain_log)
    scan_log.setLevel(logging.DEBUG)
    try:
        for item in items:
            text = item.path.read_text(encoding="utf-8")
            snapshot = Snapshot("file:///project/src/module.py", 0, text, "python")
            clean = clean_copy(item)
            gain_log.gains = []
            started = time.perf_counter()
            found = [f async for f in fill_scan.scan(snapshot, provider)]
            seconds = time.perf_counter() - started
            findings = [
                {
                    "line": f.span.start.line + 1,
                    "message": f.message,
                    "fix": f.fix,
                    "written": snapshot.lines[f.span.start.line],
                    "clean": clean[f.span.start.line] if clean else None,
                }
                for f in found
            ]
            lines = [f.span.start.line + 1 for f in found]
            entry = asdict(score_file(item, lines, seconds, [f.message for f in found]))
            entry |= {
                "findings": findings,
                "line_count": len(text.rstrip("\n").split("\n")),
                "load": round(os.getloadavg()[0], 2),
                "gains": gain_log.gains,
            }
            files.append(entry)  # written after every file: a stopped run keeps what it scored
            target.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
            bug = f" bug {item.bug.line}" if item.bug else ""
            print(f"  {item.name}:{bug} flagged {lines} {seconds:.0f}s load {entry['load']}",
                  file=sys.stderr, flush=True)  # fmt: skip
    finally:
        scan_log.removeHandler(gain_log)
        await provider.aclose()
    print(report(document, {i.name: i for i in items}))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", default="real", choices=["small", "real"])
    parser.add_argument("--split", choices=SPLITS)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--files", nargs="*")
    parser.add_argument("--start", type=int, default=0, help="skip the first N files")
    parser.add_argument("--suffix", default="")
    parser.add_argument("--alone", action="store_true", help="the 0.5B alone (no second opinion)")
    parser.add_argument("--margins", nargs=2, type=float, metavar=("A", "B"),
                        help="another rule to compare: 0.5B >= A & 1.5B >= B")  # fmt: skip
    parser.add_argument("--rescore", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.rescore:
        for path in args.rescore:
            document = json.loads(path.read_text(encoding="utf-8"))
            meta = document["meta"]
            items = corpus_items(meta["corpus"], meta["split"], None, None)
            print(report(document, {i.name: i for i in items}))
        return 0
    if args.margins:  # a comparison, not the shipped rule: the label says so
        fill_scan.CONFIRMED_MARGIN, fill_scan.SECOND_MARGIN = args.margins
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
