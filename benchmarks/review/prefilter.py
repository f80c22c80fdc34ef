"""The scan's pre-filter (`fill_scan.PREFILTER_MARGIN`, session 14): how the rows the shipped
rule publishes score with the prefix alone, and the scan's speed with and without it.

    .venv/bin/python -m benchmarks.review.prefilter --published   # ~10 min, 0.5B, one thread
    .venv/bin/python -m benchmarks.review.prefilter --speed --margin T --files buggy/52_... ...

`--published`: every row the shipped rule (0.5B >= 3 & 1.5B >= 6) publishes on the 64 pairs
read so far (the stored rows of `rule_study.py`, and `results/scan-real-heldout3.json`), and
for comparison the rows the 0.5B alone publishes (>= 10 nats), each candidate scored against
the written line with the prefix alone, as the product's pre-filter asks (`score_against` with
an empty suffix), to the end. `--speed`: the product's scan (`LocalProvider` from `Settings`,
the 0.5B in its scan slot, the 1.5B confirming) of each file twice in one process, without and
with the pre-filter, the order alternating file by file so that load drifts hit both alike;
the provider's scan memory is emptied before each run, and the seconds are split into the
0.5B's prefix-alone requests, its full ones, the 1.5B's and the rest (parsing candidates).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import time
from collections.abc import Awaitable
from contextlib import aclosing
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.review.corpus import RESULTS
from benchmarks.review.rule_study import any_confirmed, stored_rows
from benchmarks.review.verified import corpus_items
from codex_lsp.engine import fill_scan
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.secrets import REDACTED
from codex_lsp.engine.verify import fill_gap
from codex_lsp.providers.base import ProviderConfig
from codex_lsp.providers.fill_scores import token_grammar, tokenize
from codex_lsp.providers.infill import infill_events, llama_endpoint, scoring_body
from codex_lsp.providers.local import SCAN_MODEL, SCAN_SLOT, LocalProvider
from codex_lsp.settings import Settings

CORPUS = RESULTS.parent / "corpus_real"
HELDOUT3_SCAN = "scan-real-heldout3.json"
HELDOUT2_ALONE = "scan-real-heldout2-alone-10.json"
RULE = (3.0, 6.0)  # the shipped rule (session 13)
ALONE = 10.0  # the 0.5B alone's margin
UNBOUNDED = -1000.0  # a margin no fill falls under: every fill scored to its end
T = TypeVar("T")


def provider() -> LocalProvider:
    settings = Settings(local_model=SCAN_MODEL, local_review_model="auto")
    return LocalProvider(settings, ProviderConfig(base_url="", api_key=""))


def snapshot_of(name: str) -> Snapshot:
    text = (CORPUS / name).read_text(encoding="utf-8")
    return Snapshot("file:///project/src/module.py", 0, text, "python")


def published_rows() -> dict[tuple[str, int], str]:
    """(file, 1-based line) -> why it is asked: the shipped rule publishes it (`rule`), or only
    the 0.5B alone does (`alone`)."""
    rows, _ = stored_rows()
    out: dict[tuple[str, int], str] = {}
    for name, entries in rows.items():
        for row in entries:
            if any_confirmed(row, *RULE) is not None:
                out[(name, row["line"])] = "rule"
            elif max(row["gain_small"]) >= ALONE:
                out.setdefault((name, row["line"]), "alone")
    for stored, why in ((HELDOUT3_SCAN, "rule"), (HELDOUT2_ALONE, "alone")):
        for entry in json.loads((RESULTS / stored).read_text(encoding="utf-8"))["files"]:
            for finding in entry["findings"]:
                out.setdefault((entry["name"], finding["line"]), why)
    return out


def save(target: Path, document: dict[str, Any]) -> None:
    """Written after every row or file: a stopped run keeps what it measured."""
    target.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def row_question(snapshot: Snapshot, row: int) -> tuple[str, str, str, list[str]] | None:
    """The prefix, suffix, written line and candidate bodies the scan asks about `row` (0-based),
    None when it has no candidates."""
    fixes = fill_scan.candidates(snapshot.text).get(row)
    if not fixes:
        return None
    prefix, suffix, indent = fill_gap(snapshot, row)
    written = snapshot.lines[row][len(indent) :].rstrip()
    kept = [f for f in fixes if f.startswith(indent) and REDACTED not in f]
    return prefix, suffix, written, [f[len(indent) :].rstrip() for f in kept]


async def study(target: Path) -> Path:
    asked = published_rows()
    scorer = provider()
    entries: list[dict[str, Any]] = []
    try:
        for (name, line), why in sorted(asked.items()):
            snapshot = snapshot_of(name)
            question = row_question(snapshot, line - 1)
            if question is None:
                print(f"{name}:{line}: no candidates", file=sys.stderr)
                continue
            prefix, _, written, bodies = question
            started = time.perf_counter()
            scored = await scorer.score_against(prefix, "", written, bodies, UNBOUNDED)
            assert scored is not None
            base, scores = scored
            gains = [math.nan if s is None else s - base for s in scores]
            entry = {"name": name, "line": line, "why": why, "written": written,
                     "fixes": bodies, "prefix_gain": gains, "best": max(gains),
                     "seconds": round(time.perf_counter() - started, 2)}  # fmt: skip
            entries.append(entry)
            save(target, {"files": entries})
            print(f"{name}:{line} {why} best {entry['best']:.2f} ({entry['seconds']} s, "
                  f"load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)  # fmt: skip
    finally:
        await scorer.aclose()
    return target


def summary(path: Path) -> str:
    entries = json.loads(path.read_text(encoding="utf-8"))["files"]
    lines = []
    for why in ("rule", "alone"):
        best = sorted((e["best"], f"{e['name']}:{e['line']}") for e in entries if e["why"] == why)
        if best:
            low = best[0][0]
            lines.append(f"{why}: {len(best)} rows, lowest best prefix gain {low:.2f} "
                         f"({best[0][1]}), floor - 2 = {math.floor(low) - 2}")  # fmt: skip
            lines.append("  " + ", ".join(f"{b:.1f}" for b, _ in best))
    return "\n".join(lines)


class Timed:
    """Seconds the provider spends in each kind of request."""

    def __init__(self, scorer: LocalProvider) -> None:
        self.seconds = {"prefix": 0.0, "full": 0.0, "second": 0.0}
        self.rows = {"prefix": 0, "full": 0, "second": 0}
        inner_against, inner_second = scorer.score_against, scorer.second_gains

        async def score_against(*args: Any, **kwargs: Any) -> Any:
            kind = "full" if args[1] else "prefix"
            return await self._timed(kind, inner_against(*args, **kwargs))

        async def second_gains(*args: Any) -> Any:
            return await self._timed("second", inner_second(*args))

        scorer.score_against = score_against  # type: ignore[method-assign]
        scorer.second_gains = second_gains  # type: ignore[method-assign]

    async def _timed(self, kind: str, call: Awaitable[T]) -> T:
        started = time.perf_counter()
        try:
            return await call
        finally:
            self.seconds[kind] += time.perf_counter() - started
            self.rows[kind] += 1

    def reset(self) -> None:
        self.seconds = dict.fromkeys(self.seconds, 0.0)
        self.rows = dict.fromkeys(self.rows, 0)


async def one_scan(scorer: LocalProvider, timed: Timed, snapshot: Snapshot,
                   margin: float | None) -> dict[str, Any]:  # fmt: skip
    fill_scan.PREFILTER_MARGIN = margin
    scorer._scanned.clear()  # each run asks the model afresh
    timed.reset()
    started = time.perf_counter()
    found = [f async for f in fill_scan.scan(snapshot, scorer)]
    seconds = time.perf_counter() - started
    return {
        "margin": margin,
        "seconds": round(seconds, 2),
        "split": {k: round(v, 2) for k, v in timed.seconds.items()},
        "requests": dict(timed.rows),
        "rest": round(seconds - sum(timed.seconds.values()), 2),
        "findings": [(f.span.start.line + 1, f.message, f.fix) for f in found],
        "load": round(os.getloadavg()[0], 2),
    }


async def speed(names: list[str], margin: float, target: Path) -> Path:
    scorer = provider()
    timed = Timed(scorer)
    files: list[dict[str, Any]] = []
    try:
        # Both models started before any run is timed (the first would pay for loading them).
        await scorer.score_against("x = 1\n", "", "y = 2", [], 0.0)
        await scorer.second_gains("x = 1\n", "", "y = 2", [])
        for index, name in enumerate(names):
            snapshot = snapshot_of(name)
            order: list[float | None] = [None, margin] if index % 2 == 0 else [margin, None]
            runs = [await one_scan(scorer, timed, snapshot, m) for m in order]
            old, new = sorted(runs, key=lambda r: r["margin"] is not None)
            rows = len(fill_scan.candidates(snapshot.text))
            files.append({"name": name, "lines": len(snapshot.lines), "candidate_rows": rows,
                          "old": old, "new": new})  # fmt: skip
            save(target, {"margin": margin, "files": files})
            same = old["findings"] == new["findings"]
            print(f"{name}: {rows} rows, old {old['seconds']:.0f} s new {new['seconds']:.0f} s "
                  f"({new['requests']['full']} full), same findings {same}, load {new['load']}",
                  file=sys.stderr, flush=True)  # fmt: skip
    finally:
        await scorer.aclose()
    return target


async def profile(name: str, target: Path) -> Path:
    """llama.cpp's own timings of each row's written line, scored to its end in the scan slot
    as the scan asks it: with the prefix alone, then with the suffix (tokens read and written,
    milliseconds each)."""
    scorer = provider()
    snapshot = snapshot_of(name)
    rows: list[dict[str, Any]] = []
    try:
        endpoint = await scorer._chat_provider(scorer._server)  # the 0.5B child
        base_url, key = endpoint[0].base_url, endpoint[0].api_key
        for row in sorted(fill_scan.candidates(snapshot.text)):
            question = row_question(snapshot, row)
            assert question is not None
            prefix, suffix, written, _ = question
            entry: dict[str, Any] = {"line": row + 1}
            for kind, gap in (("prefix", ""), ("full", suffix)):
                entry[kind] = await _timings(scorer, base_url, key, prefix, gap, written)
            rows.append(entry)
            save(target, {"name": name, "rows": rows})
    finally:
        await scorer.aclose()
    return target


async def _timings(scorer: LocalProvider, base_url: str, key: str, prefix: str, suffix: str,
                   fill: str) -> dict[str, float]:  # fmt: skip
    url, headers = llama_endpoint(base_url, key)
    ids = await tokenize(scorer._http, base_url, fill, api_key=key)
    body = scoring_body(prefix, suffix, fill) | {"stream": True, "id_slot": SCAN_SLOT}
    body |= {"grammar": token_grammar(ids), "n_predict": len(ids) + 2}
    started = time.perf_counter()
    final: dict[str, Any] = {}
    async with aclosing(infill_events(scorer._http, url, body, headers)) as events:
        async for event in events:
            final = event if event.get("timings") else final
    timings = final.get("timings") or {}
    wanted = ("prompt_n", "prompt_ms", "predicted_n", "predicted_ms", "cache_n")
    return {k: timings.get(k, 0) for k in wanted} | {
        "wall_ms": 1000 * (time.perf_counter() - started)
    }


def profile_summary(path: Path) -> str:
    rows = json.loads(path.read_text(encoding="utf-8"))["rows"]
    out = []
    for kind in ("prefix", "full"):
        t = {k: sum(r[kind][k] for r in rows) for k in rows[0][kind]}
        read, wrote = t["prompt_n"], t["predicted_n"]
        out.append(
            f"{kind}: {len(rows)} rows, read {read:.0f} tokens in {t['prompt_ms'] / 1000:.1f} s"
            f" ({t['prompt_ms'] / max(1, read):.0f} ms each), wrote {wrote:.0f} in"
            f" {t['predicted_ms'] / 1000:.1f} s ({t['predicted_ms'] / max(1, wrote):.0f} ms each),"
            f" wall {t['wall_ms'] / 1000:.1f} s"
        )
    return "\n".join(out)


def speed_summary(path: Path) -> str:
    document = json.loads(path.read_text(encoding="utf-8"))
    files = document["files"]
    lines = sum(f["lines"] for f in files)
    old = sum(f["old"]["seconds"] for f in files)
    new = sum(f["new"]["seconds"] for f in files)
    rows = sum(f["candidate_rows"] for f in files)
    full = sum(f["new"]["requests"]["full"] for f in files)
    full_old = sum(f["old"]["requests"]["full"] for f in files)
    same = sum(f["old"]["findings"] == f["new"]["findings"] for f in files)
    loads = [r["load"] for f in files for r in (f["old"], f["new"])]
    parts = {k: sum(f["old"]["split"][k] for f in files) for k in ("prefix", "full", "second")}
    rest = sum(f["old"]["rest"] for f in files)
    parts_new = {k: sum(f["new"]["split"][k] for f in files) for k in ("prefix", "full", "second")}
    rest_new = sum(f["new"]["rest"] for f in files)
    return "\n".join([
        f"{len(files)} files, {lines} lines, {rows} rows with candidates",
        f"old {100 * old / lines:.1f} s / 100 lines, new {100 * new / lines:.1f}, "
        f"ratio {old / new:.2f}",
        f"full fills: old {full_old}, new {full} ({full_old - full} rows skipped)",
        f"old split {parts} rest {rest:.1f}; new split {parts_new} rest {rest_new:.1f}",
        f"same findings in {same}/{len(files)} files; load {min(loads)}-{max(loads)}, "
        f"mean {sum(loads) / len(loads):.2f}",
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--published", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--profile", help="one file's rows, llama.cpp's timings")
    parser.add_argument("--margin", type=float)
    parser.add_argument("--files", nargs="*", default=[])
    parser.add_argument("--split", choices=["tune", "heldout", "heldout2", "heldout3"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.published:
        out = args.out or RESULTS / "prefilter-published.json"
        if not out.exists():
            asyncio.run(study(out))
        print(summary(out))
    if args.profile:
        out = args.out or RESULTS / "prefilter-profile.json"
        if not out.exists():
            asyncio.run(profile(args.profile, out))
        print(profile_summary(out))
    if args.speed:
        out = args.out or RESULTS / "prefilter-speed.json"
        names = args.files or [i.name for i in corpus_items("real", args.split, None, None)]
        if not out.exists():
            asyncio.run(speed(names, args.margin, out))
        print(speed_summary(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
