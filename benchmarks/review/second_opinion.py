"""A second model's opinion on the fill scan's candidates (issue 15; an experiment).

The 0.5B's fill gain finds planted bugs at low margins, with false findings on clean code
(`mutants.py`: gain >= 4 found 22 of 34 planted bugs and flagged 8 of 34 clean files). This
scores the same candidates with the 1.5B, in the same fill-in-the-middle prompt and each fill's
own tokens, so that a line can be required to win with both models. Only the candidates that
gain >= FLOOR nats with the 0.5B are scored again (about one line in fifteen), from a stored
`mutants.py` run; nothing else is asked.

    .venv/bin/python -m benchmarks.review.second_opinion results/mutants-...-tune-*.json
    .venv/bin/python -m benchmarks.review.second_opinion --rescore results/second-opinion-....json

Rule (chosen on tune only, written down before the held-out split is scored): a line is
flagged when one of its candidates gains >= A nats with the 0.5B and >= B nats with the 1.5B;
among A in RULE_A and B in RULE_B, the highest recall (+-1 line) with <= 0.2 false findings
per clean file and <= 15% of clean files flagged; ties go to the larger A + B, then larger A.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.review.calibrate import SlotScorer
from benchmarks.review.corpus import RESULTS, TABLE_HEADER, CorpusFile, score_file, summarize
from benchmarks.review.mutants import merged_runs
from benchmarks.review.variants import LOCAL_MODELS
from benchmarks.review.verified import corpus_items
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.verify import fill_gap
from codex_lsp.local.server import LocalModelServer

FLOOR = 2.0
RULE_A = (2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
RULE_B = (-100.0, 0.0, 2.0, 4.0, 6.0, 8.0)  # -100: no second opinion (the 0.5B alone)
MAX_FALSE_PER_CLEAN = 0.2
MAX_CLEAN_FLAGGED = 0.15


def pool(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with a candidate that gains FLOOR with the 0.5B, and those candidates."""
    out = []
    for row in rows:
        written, *fixes = row["scores"]
        chosen = [i for i, score in enumerate(fixes) if score - written >= FLOOR]
        if chosen:
            gains = [fixes[i] - written for i in chosen]
            fixes_chosen = [row["fixes"][i] for i in chosen]
            out.append({"line": row["line"], "written": row["written"],
                        "fixes": fixes_chosen, "gain_small": gains})  # fmt: skip
    return out


async def second_scores(scorer: SlotScorer, item: CorpusFile, rows: list[dict[str, Any]]) -> None:
    """Each pooled row's candidates scored by the other model: `gain_large` per candidate."""
    text = item.path.read_text(encoding="utf-8")
    snapshot = Snapshot("file:///project/src/module.py", 0, text, "python")
    for row in rows:
        prefix, suffix, _ = fill_gap(snapshot, row["line"] - 1)
        tokens = await scorer.score_tokens(prefix, suffix, [row["written"], *row["fixes"]], True)
        written, *fixes = (sum(t) for t in tokens)
        row["gain_large"] = [score - written for score in fixes]


def flagged(rows: list[dict[str, Any]], a: float, b: float) -> list[int]:
    return [
        row["line"]
        for row in rows
        if any(s >= a and g >= b for s, g in zip(row["gain_small"], row["gain_large"], strict=True))
    ]


def rule_table(document: dict[str, Any], items: dict[str, CorpusFile]) -> list[tuple[Any, ...]]:
    """(A, B, summary) for every rule, in RULE_A x RULE_B order."""
    table = []
    for a in RULE_A:
        for b in RULE_B:
            scores = [
                score_file(items[e["name"]], flagged(e["rows"], a, b), e["seconds"])
                for e in document["files"]
            ]
            table.append((a, b, summarize(f"0.5B>={a:g} & 1.5B>={b:g}", scores)))
    return table


def choose(table: list[tuple[Any, ...]]) -> tuple[float, float] | None:
    """The pre-registered choice (module docstring); None when no rule qualifies."""
    qualifying = [
        (summary.found, a + b, a, b)
        for a, b, summary in table
        if summary.false_per_clean <= MAX_FALSE_PER_CLEAN
        and summary.clean_flagged <= MAX_CLEAN_FLAGGED
    ]
    if not qualifying:
        return None
    _, _, a, b = max(qualifying)
    return a, b


def report(document: dict[str, Any]) -> str:
    meta = document["meta"]
    items = {i.name: i for i in corpus_items(meta["corpus"], meta["split"], None, None)}
    table = rule_table(document, items)
    rows = [TABLE_HEADER, *(summary.row() for _, _, summary in table)]
    choice = choose(table)
    rows.append(f"\nchosen by the rule: {choice}")
    seconds = sum(e["seconds"] for e in document["files"])
    pooled = sum(len(e["rows"]) for e in document["files"])
    rows.append(f"{pooled} lines scored again in {seconds:.0f} s")
    return "\n".join(rows)


async def run(stored: dict[str, Any], sources: list[str], model: str) -> Path:
    meta = stored["meta"] | {"second_model": model, "sources": sources}
    label = f"second-opinion-{model}-{meta['corpus']}-{meta['split']}"
    document: dict[str, Any] = {"label": label, "meta": meta, "files": []}
    target = RESULTS / f"{label}.json"
    items = {i.name: i for i in corpus_items(meta["corpus"], meta["split"], None, None)}
    server = LocalModelServer(local_model=LOCAL_MODELS[model], threads=1)
    try:
        endpoint = await server.endpoint()
        scorer = SlotScorer(endpoint.base_url, endpoint.api_key)
        for entry in stored["files"]:
            started = time.perf_counter()
            rows = pool(entry["rows"])
            await second_scores(scorer, items[entry["name"]], rows)
            seconds = time.perf_counter() - started
            document["files"].append({"name": entry["name"], "rows": rows, "seconds": seconds})
            target.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
            print(f"  {entry['name']}: {len(rows)} lines {seconds:.0f}s "
                  f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)  # fmt: skip
        await scorer.http.aclose()
    finally:
        await server.stop()
    return target


def merged(paths: list[Path]) -> dict[str, Any]:
    """Stored runs of parts of one split, as one document (mutants.py's tune is in two)."""
    return merged_runs([json.loads(path.read_text(encoding="utf-8")) for path in paths])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sources", nargs="*", type=Path, help="mutants.py runs of one split")
    parser.add_argument("--model", default="1.5b", choices=sorted(LOCAL_MODELS))
    parser.add_argument("--rescore", nargs="*", type=Path, help="stored second opinions")
    args = parser.parse_args(argv)
    if args.rescore:
        print(report(merged(args.rescore)))
        return 0
    if not args.sources:
        parser.error("name the mutants.py runs to take a second opinion on")
    stored = merged(args.sources)  # parts of one split are scored as one
    target = asyncio.run(run(stored, [p.name for p in args.sources], args.model))
    print(report(json.loads(target.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
