"""Bugs found by the review model's fill-in-the-middle alone (issue 15; an experiment, not what
ships). For each line, candidate corrections of the kinds of one-line bugs the corpora plant (a
comparison or `and`/`or` flipped, a `not` added or dropped, `is`/`in` negated, a `return` or an
`await` restored, a local name swapped for another of its function) are scored against the line
as written by the model's fill of that line (`/infill`, the code around it, no instructions: the
third check of `codex_lsp/engine/verify.py`). A line whose best candidate beats the line as
written by at least a margin is flagged, that candidate its fix. No review prompt is asked.

    .venv/bin/python -m benchmarks.review.mutants [--corpus real|small] [--split tune|heldout]
        [--local-model 0.5b|1.5b] [--files NAME ...] [--limit N] [--max-per-line N]
    .venv/bin/python -m benchmarks.review.mutants --rescore results/mutants-....json [--merge]
        [--margins 4 5 6 ...]

Every candidate's score is stored, so one run gives the figures of every margin (`--rescore`).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.review.build_real import SPLITS
from benchmarks.review.calibrate import CONTEXTS, SlotScorer, function_spans, small_gap
from benchmarks.review.corpus import RESULTS, TABLE_HEADER, CorpusFile, score_file, summarize
from benchmarks.review.variants import LOCAL_MODELS
from benchmarks.review.verified import corpus_items
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.fill_scan import candidates
from codex_lsp.engine.verify import fill_gap
from codex_lsp.local.server import LocalModelServer

MARGINS = (0.0, 2.0, 4.0, 6.0, 8.0, 10.0)


async def score_file_lines(
    scorer: SlotScorer,
    item: CorpusFile,
    max_per_line: int,
    canonical: bool = False,
    contexts: Sequence[str] = (),
    floor: float = 2.0,
) -> list[dict[str, Any]]:
    """Each line's candidates scored with the file around the line (`scores`) and, for each
    of `contexts` (see `calibrate.small_gap`), those that win by `floor` with the file around
    also with little context (`small[kind]`, None for the others)."""
    text = item.path.read_text(encoding="utf-8")
    snapshot = Snapshot("file:///project/src/module.py", 0, text, "python")
    spans = function_spans(ast.parse(text))
    rows = []
    for row, fixes in candidates(text, max_per_line).items():
        prefix, suffix, indent = fill_gap(snapshot, row)
        written = snapshot.lines[row][len(indent) :].rstrip()
        bodies = [fix[len(indent) :].rstrip() for fix in fixes if fix.startswith(indent)]
        tokens = await scorer.score_tokens(prefix, suffix, [written, *bodies], canonical, 0)
        record: dict[str, Any] = {
            "line": row + 1, "written": written, "fixes": bodies,
            "scores": [sum(t) for t in tokens], "small": {},
        }  # fmt: skip
        full = record["scores"]
        eligible = [i for i, score in enumerate(full[1:]) if score - full[0] >= floor]
        for kind in contexts if eligible else ():
            # Only candidates that win with the file around can be flagged: only they need
            # the score with little context (None for the others).
            prefix, suffix, _ = small_gap(snapshot.lines, spans, row, kind)
            fills = [written, *(bodies[i] for i in eligible)]
            small = [sum(t) for t in await scorer.score_tokens(prefix, suffix, fills, canonical, 1)]
            by_index = dict(zip(eligible, small[1:], strict=True))
            record["small"][kind] = [small[0], *(by_index.get(i) for i in range(len(bodies)))]
        rows.append(record)
    return rows


def row_gain(row: dict[str, Any], context: str | None = None, floor: float = 2.0) -> float:
    """The best candidate's gain over the written line; with `context`, the best contrast of
    a candidate that gains `floor` with the file around the line: that gain minus its gain
    with little context."""
    scores = row["scores"]
    if len(scores) < 2:
        return float("-inf")
    if context is None:
        return max(scores[1:]) - scores[0]
    small = row["small"].get(context)
    if small is None:
        return float("-inf")
    pairs = [
        (s, t)
        for s, t in zip(scores[1:], small[1:], strict=True)
        if t is not None and s - scores[0] >= floor
    ]
    return max((s - scores[0]) - (t - small[0]) for s, t in pairs) if pairs else float("-inf")


def flagged(
    rows: list[dict[str, Any]], margin: float, context: str | None = None, floor: float = 2.0
) -> list[int]:
    """Lines whose best candidate wins by `margin` (raw gain) or, with `context`, whose best
    contrast reaches `margin` on a candidate that also wins by `floor` with the file around."""
    out = []
    for r in rows:
        if len(r["scores"]) < 2:
            continue
        if context is None:
            if row_gain(r) >= margin:
                out.append(r["line"])
            continue
        small = r["small"].get(context)
        if small is None:
            continue
        for s, t in zip(r["scores"][1:], small[1:], strict=True):
            full = s - r["scores"][0]
            if t is not None and full >= floor and full - (t - small[0]) >= margin:
                out.append(r["line"])
                break
    return out


def report(
    document: dict[str, Any], items: dict[str, CorpusFile], margins: Sequence[float] = MARGINS
) -> str:
    rows = [TABLE_HEADER]
    contexts = document["meta"].get("contexts", [])
    for context in [None, *contexts]:
        for margin in margins:
            scores = [
                score_file(items[e["name"]], flagged(e["rows"], margin, context), e["seconds"])
                for e in document["files"]
            ]
            name = "gain" if context is None else f"gain>=2 & contrast({context})"
            rows.append(summarize(f"{document['label']} {name}>={margin:g}", scores).row())
    for e in document["files"]:
        item = items[e["name"]]
        bug = f" bug {item.bug.line}" if item.bug else ""
        tops = []
        for context in [None, *contexts]:
            best = sorted(e["rows"], key=lambda r, c=context: -row_gain(r, c))[:3]
            tops.append(" ".join(f"{r['line']}({row_gain(r, context):+.1f})" for r in best))
        rows.append(f"{e['name']}:{bug} " + " | ".join(tops))
    lines = sum(e["line_count"] for e in document["files"])
    seconds = sum(e["seconds"] for e in document["files"])
    rows.append(
        f"\n{lines} lines, {seconds:.0f} s: {100 * seconds / max(1, lines):.1f} s per 100 lines"
    )
    return "\n".join(rows)


async def run(args: argparse.Namespace) -> Path:
    items = corpus_items(args.corpus, args.split, args.limit, args.files)[args.start :]
    server = LocalModelServer(local_model=LOCAL_MODELS[args.local_model], threads=1)
    label = f"mutants-qwen-{args.local_model}-{args.corpus}-{args.split or 'all'}{args.suffix}"
    files: list[dict[str, Any]] = []
    meta = {
        "local_model": args.local_model, "corpus": args.corpus, "split": args.split,
        "canonical": args.canonical, "contexts": list(args.contexts),
    }  # fmt: skip
    document = {"label": label, "meta": meta, "files": files}
    target = RESULTS / f"{label}.json"
    try:
        endpoint = await server.endpoint()
        scorer = SlotScorer(endpoint.base_url, endpoint.api_key)
        for item in items:
            started = time.perf_counter()
            rows = await score_file_lines(
                scorer, item, args.max_per_line, args.canonical, args.contexts
            )
            seconds = time.perf_counter() - started
            text = item.path.read_text(encoding="utf-8")
            entry = asdict(score_file(item, flagged(rows, args.margin), seconds))
            entry |= {"rows": rows, "line_count": len(text.rstrip("\n").split("\n"))}
            files.append(entry)  # written after every file: a stopped run keeps what it scored
            target.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
            tops = []
            for context in [None, *args.contexts]:
                best = sorted(rows, key=lambda r, c=context: -row_gain(r, c))[:3]
                tops.append(" ".join(f"{r['line']}({row_gain(r, context):+.1f})" for r in best))
            bug = f" bug {item.bug.line}" if item.bug else ""
            top = " | ".join(tops)
            print(f"  {item.name}:{bug} top {top} {seconds:.0f}s load {os.getloadavg()[0]:.1f}",
                  file=sys.stderr, flush=True)  # fmt: skip
        await scorer.http.aclose()
    finally:
        await server.stop()
    print(report(document, {i.name: i for i in items}))
    return target


def merged_runs(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """Stored runs of parts of a corpus, scored alike, as one run (the first one's meta)."""
    files = [entry for document in documents for entry in document["files"]]
    label = "+".join(document["label"] for document in documents)
    return {"label": label, "meta": documents[0]["meta"], "files": files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", default="real", choices=["small", "real"])
    parser.add_argument("--split", choices=SPLITS)
    parser.add_argument("--local-model", default="1.5b", choices=sorted(LOCAL_MODELS))
    parser.add_argument("--limit", type=int)
    parser.add_argument("--files", nargs="*")
    parser.add_argument("--max-per-line", type=int, default=16)
    parser.add_argument("--margin", type=float, default=4.0, help="for the per-file lines")
    parser.add_argument("--rescore", nargs="*", type=Path)
    parser.add_argument("--canonical", action="store_true", help="score each fill's own tokens")
    parser.add_argument("--contexts", nargs="*", default=[], choices=CONTEXTS[1:],
                        help="also score with little context (calibrate.small_gap)")  # fmt: skip
    parser.add_argument("--suffix", default="")
    parser.add_argument("--start", type=int, default=0, help="skip the first N files")
    parser.add_argument("--merge", action="store_true", help="one table for all --rescore runs")
    parser.add_argument("--margins", nargs="*", type=float, default=list(MARGINS))
    args = parser.parse_args(argv)
    if args.rescore:
        documents = [json.loads(path.read_text(encoding="utf-8")) for path in args.rescore]
        if args.merge:  # parts of one split, scored alike: one table
            documents = [merged_runs(documents)]
        for document in documents:
            meta = document["meta"]
            split = None if args.merge else meta["split"]  # merged parts may be several splits
            items = corpus_items(meta["corpus"], split, None, None)
            print(report(document, {i.name: i for i in items}, args.margins))
        return 0
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
