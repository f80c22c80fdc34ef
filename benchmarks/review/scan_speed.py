"""Speed of the fill-gain scan (`mutants.py`'s scoring) against its fast form, same run, same
files: every line's candidates scored one request each to the end (`calibrate.SlotScorer`,
canonical tokens: what `mutants.py` measured) and by `fill_scores.score_against` (streamed, a
fill stopped once it cannot beat the written line by the margin; no fill asked when the written
line scores above -margin). Files alternate between the two so load drifts hit both alike; each
path has its own llama.cpp slot (0 slow, 1 fast), so neither reads the other's cache.

    .venv/bin/python -m benchmarks.review.scan_speed --files buggy/03_h11_readers.py ...

Checks: the written line's score and every finished fill's score equal the slow path's within
0.05 nats, every stopped fill loses to the written line by less than the margin on the slow
path, and the flagged lines (gain >= margin) are the same.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

from benchmarks.review.calibrate import SlotScorer
from benchmarks.review.mutants import candidates
from benchmarks.review.variants import LOCAL_MODELS
from benchmarks.review.verified import corpus_items
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.verify import fill_gap
from codex_lsp.local.server import LocalModelServer
from codex_lsp.providers.fill_scores import score_against

TOLERANCE = 0.05


async def run(args: argparse.Namespace) -> int:
    items = corpus_items(args.corpus, args.split, None, args.files)
    server = LocalModelServer(local_model=LOCAL_MODELS[args.local_model], threads=1)
    endpoint = await server.endpoint()
    slow = SlotScorer(endpoint.base_url, endpoint.api_key)
    seconds = {"slow": 0.0, "fast": 0.0}
    lines = compared = stopped = bad = 0
    try:
        for item in items:
            text = item.path.read_text(encoding="utf-8")
            lines += len(text.rstrip("\n").split("\n"))
            snapshot = Snapshot("file:///project/src/module.py", 0, text, "python")
            rows = []
            for row, fixes in candidates(text, 16).items():
                prefix, suffix, indent = fill_gap(snapshot, row)
                written = snapshot.lines[row][len(indent) :].rstrip()
                bodies = [f[len(indent) :].rstrip() for f in fixes if f.startswith(indent)]
                rows.append((row, prefix, suffix, written, bodies))
            started = time.perf_counter()
            reference = []
            for _, prefix, suffix, written, bodies in rows:
                tokens = await slow.score_tokens(prefix, suffix, [written, *bodies], True, 0)
                reference.append([sum(t) for t in tokens])
            seconds["slow"] += (slow_s := time.perf_counter() - started)
            started = time.perf_counter()
            fast = []
            for _, prefix, suffix, written, bodies in rows:
                base, scores = await score_against(
                    slow.http, endpoint.base_url, prefix, suffix, written, bodies, args.margin,
                    api_key=endpoint.api_key, slot=1,
                )  # fmt: skip
                fast.append((base, scores))
            seconds["fast"] += (fast_s := time.perf_counter() - started)
            flagged_slow, flagged_fast = [], []
            for (row, *_), ref, (base, scores) in zip(rows, reference, fast, strict=True):
                if abs(ref[0] - base) > TOLERANCE:
                    bad += 1
                    print(f"  line {row + 1}: written {ref[0]:.3f} vs {base:.3f}")
                for want, got in zip(ref[1:], scores, strict=True):
                    if got is None:
                        stopped += 1
                        if want - ref[0] >= args.margin:
                            bad += 1
                            print(
                                f"  line {row + 1}: stopped a fill that gains {want - ref[0]:.2f}"
                            )
                    else:
                        compared += 1
                        if abs(want - got) > TOLERANCE:
                            bad += 1
                            print(f"  line {row + 1}: fill {want:.3f} vs {got:.3f}")
                if max(ref[1:], default=float("-inf")) - ref[0] >= args.margin:
                    flagged_slow.append(row + 1)
                if any(s is not None and s - base >= args.margin for s in scores):
                    flagged_fast.append(row + 1)
            if flagged_slow != flagged_fast:
                bad += 1
            print(
                f"{item.name}: {len(rows)} lines scored, slow {slow_s:.1f}s fast {fast_s:.1f}s, "
                f"flagged {flagged_slow} / {flagged_fast}, load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        await slow.http.aclose()
    finally:
        await server.stop()
    for path, total in seconds.items():
        print(
            f"{path}: {total:.0f} s for {lines} lines = {100 * total / lines:.1f} s per 100 lines"
        )
    print(f"{compared} fills compared, {stopped} stopped early, {bad} mismatches")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", default="real", choices=["small", "real"])
    parser.add_argument("--split", choices=["tune", "heldout", "heldout2"])
    parser.add_argument("--local-model", default="0.5b", choices=sorted(LOCAL_MODELS))
    parser.add_argument("--files", nargs="*")
    parser.add_argument("--margin", type=float, default=10.0)
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
