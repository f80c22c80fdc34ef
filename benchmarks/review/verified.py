"""The engine's review with verification (`codex_lsp/engine/verify.py`), measured per stage.

    .venv/bin/python -m benchmarks.review.verified [--corpus real|small] [--split tune|heldout]
        [--files NAME ...] [--limit N] [--suffix S] [--instructions engine|fix]
    .venv/bin/python -m benchmarks.review.verified --rescore results/verify-....json

One run asks the engine's review prompt (`review_request`, `Finding` with its `fix`) once per
file, locates each finding as the engine does, and then, for every finding whose fix passes
the checks that need no model (it changes the line, the file still parses), has the model
score its fill-in-the-middle of the line as written and as corrected (`/infill`, each fill
forced in its own tokens since session 9; the stored runs before it forced the fill as one
string). Every candidate is stored with its scores, so one run gives the figures of every
stage and every margin without more model time (`--rescore`):

* `located`: every finding the engine locates (the engine before verification, all severities);
* `errors`: of those, severity "error" (what the local backend published before);
* `checked`: errors whose fix changes the line and parses;
* `fill>=M`: checked and the fill prefers the correction by at least M nats (`FILL_MARGIN`
  is what ships).

Seconds are wall time per file including the scoring calls; `s/100 lines` divides the total
by the corpus' lines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.review import variants
from benchmarks.review.corpus import (
    RESULTS,
    TABLE_HEADER,
    CorpusFile,
    FileScore,
    load_corpus,
    load_real,
    score_file,
    summarize,
)
from benchmarks.review.variants import (
    LOCAL_MODELS,
    WHOLE_FILE_OUTPUT_TOKENS,
    Outcome,
    _request,
    display_name,
    stream_items,
)
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.prompts import review_request
from codex_lsp.engine.review import locate_finding
from codex_lsp.engine.schemas import Finding
from codex_lsp.engine.verify import (
    FILL_MARGIN,
    LineFix,
    fill_gap,
    line_fix,
    parses,
    rejection,
)
from codex_lsp.local.server import LocalModelServer, local_http_client
from codex_lsp.providers.base import ProviderConfig
from codex_lsp.providers.cards import card_for
from codex_lsp.providers.chat import ChatProvider
from codex_lsp.providers.fill_scores import score_fill_tokens
from codex_lsp.providers.local import LOCAL_MAX_FINDINGS, capped_findings

MARGINS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)
FIX_SENTENCE = (
    " Each finding also gives `fix`: the snippet corrected, exactly the code that should "
    "replace it."
)


class Scorer:
    """The benchmark's `LineScorer`: llama.cpp's /infill at a running child."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url, self.api_key = base_url, api_key
        self.http = local_http_client()

    async def score_fills(self, prefix: str, suffix: str, fills: Sequence[str]) -> list[float]:
        tokens = await self.score_tokens(prefix, suffix, fills)
        return [sum(t) for t in tokens]

    async def score_tokens(
        self, prefix: str, suffix: str, fills: Sequence[str]
    ) -> list[list[float]]:
        return await score_fill_tokens(
            self.http, self.base_url, prefix, suffix, list(fills), api_key=self.api_key
        )


async def review_file(
    provider: ChatProvider,
    scorer: Scorer,
    path: Path,
    text: str,
    instructions: str,
    max_findings: int,
) -> tuple[Outcome, list[dict[str, Any]]]:
    uri = f"file:///project/src/{display_name(path)}"
    snapshot = Snapshot(uri, 0, text, "python")
    budget = card_for("local").max_prompt_tokens or 1800
    request = review_request(snapshot, [], max_context_tokens=budget)
    extra = FIX_SENTENCE if instructions == "fix" else ""
    schema = capped_findings(request.json_schema, max_findings)
    request = _request(
        request.instructions + extra, request.parts, schema, WHOLE_FILE_OUTPUT_TOKENS
    )
    outcome = Outcome()
    candidates: list[dict[str, Any]] = []
    whole_parses = parses(snapshot)
    for finding in await stream_items(provider, request, Finding, "findings", outcome):
        located = locate_finding(snapshot, finding)
        if located is None:
            continue
        candidate: dict[str, Any] = {
            "line": located.span.start.line + 1,
            "severity": finding.severity,
            "snippet": finding.snippet,
            "fix": finding.fix,
            "message": finding.message,
            "reason": None,
            "scores": None,
        }
        fix = line_fix(snapshot, located, finding.fix)
        reason = "no one-line fix" if fix is None else rejection(snapshot, fix, whole_parses)
        candidate["reason"] = reason
        if fix is not None:
            candidate["corrected"] = fix.corrected
        if fix is not None and reason is None and finding.severity == "error":
            prefix, suffix, indent = fill_gap(snapshot, fix.row)
            written = snapshot.redacted_lines[fix.row][len(indent) :].rstrip()
            corrected = fix.corrected[len(indent) :].rstrip()
            try:
                tokens = await scorer.score_tokens(prefix, suffix, [written, corrected])
                candidate["tokens"] = tokens
                candidate["scores"] = [sum(t) for t in tokens]
            except Exception as error:  # a failed scoring is a dropped finding, and a figure
                candidate["reason"] = f"scoring failed: {error!r}"[:200]
        candidates.append(candidate)
    return outcome, candidates


def _mark(candidate: dict[str, Any]) -> str:
    """`12`, or `12(+3.1)` with the fill's preference, starred when it would be published."""
    scores = candidate["scores"]
    if not scores:
        return str(candidate["line"])
    gain = scores[1] - scores[0]
    return f"{candidate['line']}{'*' if gain >= FILL_MARGIN else ''}({gain:+.1f})"


def stage_lines(candidates: list[dict[str, Any]], stage: str) -> list[int]:
    """Lines a stage publishes (see the module docstring)."""
    lines = []
    for c in candidates:
        if stage == "located":
            lines.append(c["line"])
            continue
        if c["severity"] != "error":
            continue
        if stage == "errors":
            lines.append(c["line"])
            continue
        if c["reason"] is not None:
            continue
        if stage == "checked":
            lines.append(c["line"])
            continue
        margin = float(stage.removeprefix("fill>="))
        scores = c["scores"]
        if scores is not None and scores[1] - scores[0] >= margin:
            lines.append(c["line"])
    return lines


STAGES = ["located", "errors", "checked", *(f"fill>={m:g}" for m in MARGINS)]


def recheck(candidates: list[dict[str, Any]], item: CorpusFile) -> list[dict[str, Any]]:
    """Stored candidates with the model-free checks of the current `verify.py` applied again
    (scores are kept: a check added later drops candidates, it cannot need new scores)."""
    snapshot = Snapshot("file:///project/src/file.py", 0, item.path.read_text(), "python")
    whole_parses = parses(snapshot)
    out = []
    for c in candidates:
        c = dict(c)
        if c.get("corrected") is not None and c["reason"] is None:
            row = c["line"] - 1
            fix = LineFix(row, snapshot.lines[row], c["corrected"])
            c["reason"] = rejection(snapshot, fix, whole_parses)
        out.append(c)
    return out


def stage_scores(
    document: dict[str, Any], stage: str, items: dict[str, CorpusFile]
) -> list[FileScore]:
    scores = []
    for entry in document["files"]:
        item = items[entry["name"]]
        lines = stage_lines(recheck(entry["candidates"], item), stage)
        scores.append(score_file(item, lines, entry["seconds"]))
    return scores


def report(document: dict[str, Any], items: dict[str, CorpusFile]) -> str:
    total_lines = sum(entry["line_count"] for entry in document["files"])
    total_seconds = sum(entry["seconds"] for entry in document["files"])
    rows = [TABLE_HEADER]
    for stage in STAGES:
        rows.append(
            summarize(f"{document['label']} {stage}", stage_scores(document, stage, items)).row()
        )
    per_100 = 100 * total_seconds / max(1, total_lines)
    load = document["meta"].get("load_average_1min")
    rows.append(
        f"\n{total_lines} lines, {total_seconds:.0f} s: {per_100:.1f} s per 100 lines; load {load}"
    )
    return "\n".join(rows)


def corpus_items(
    corpus: str, split: str | None, limit: int | None, names: list[str] | None
) -> list[CorpusFile]:
    """corpus_real's split, or the small corpus: `tune` its files 01-10 of each kind (what
    its prompts were tuned on), `heldout` the rest."""
    if corpus == "real":
        return load_real(split, limit, names)
    if split == "tune":
        return load_corpus(limit or 10, names)
    return load_corpus(limit, names, start=10 if split == "heldout" else 0)


async def run(args: argparse.Namespace) -> Path:
    items = corpus_items(args.corpus, args.split, args.limit, args.files)
    server = LocalModelServer(local_model=LOCAL_MODELS[args.local_model])
    label = f"verify-qwen-{args.local_model}-{args.corpus}-{args.split or 'all'}{args.suffix or ''}"
    files: list[dict[str, Any]] = []
    loads: list[float] = []
    try:
        endpoint = await server.endpoint()
        provider = ChatProvider(
            ProviderConfig(base_url=endpoint.base_url, api_key=endpoint.api_key, timeout_s=600),
            http_client=local_http_client(),  # llama.cpp drops kept-alive connections
        )
        scorer = Scorer(endpoint.base_url, endpoint.api_key)
        for item in items:
            text = item.path.read_text(encoding="utf-8")
            started = time.perf_counter()
            error = None
            try:
                outcome, candidates = await review_file(
                    provider, scorer, item.path, text, args.instructions, args.max_findings
                )
            except Exception as exc:
                outcome, candidates, error = Outcome(), [], repr(exc)[:300]
            seconds = time.perf_counter() - started
            loads.append(os.getloadavg()[0])
            usage = (outcome.input_tokens, outcome.cached_tokens, outcome.output_tokens)
            score = score_file(item, stage_lines(candidates, f"fill>={FILL_MARGIN:g}"), seconds,
                               error=error, usage=usage, answers=outcome.answers)  # fmt: skip
            entry = asdict(score)
            entry["candidates"] = candidates
            entry["line_count"] = len(text.rstrip("\n").split("\n"))
            files.append(entry)
            marks = [_mark(c) for c in candidates]
            bug = f" bug {item.bug.line}" if item.bug else ""
            print(f"  {item.name}:{bug} candidates {marks} {seconds:.0f}s out={usage[2]}"
                  + (f" ERROR {error}" if error else ""), file=sys.stderr, flush=True)  # fmt: skip
        await provider.aclose()
        await scorer.http.aclose()
    finally:
        await server.stop()
    meta = {
        "local_model": args.local_model,
        "corpus": args.corpus,
        "split": args.split,
        "instructions": args.instructions,
        "max_findings": args.max_findings,
        "fill_margin": FILL_MARGIN,
        "load_average_1min": {
            "mean": round(sum(loads) / max(1, len(loads)), 2),
            "min": round(min(loads, default=0.0), 2),
            "max": round(max(loads, default=0.0), 2),
        },
    }
    document = {"label": label, "meta": meta, "files": files}
    target = RESULTS / f"{label}.json"
    target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(report(document, {i.name: i for i in items}))
    return target


def rescore(paths: list[Path], merge: bool = False) -> None:
    """Each stored run's table again; `merge`: one table for all (runs of parts of a split)."""
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    if merge:
        loads = [d["meta"].get("load_average_1min") or {} for d in documents]
        meta = {
            **documents[0]["meta"],
            "load_average_1min": {
                "min": min(load.get("min", 0.0) for load in loads),
                "max": max(load.get("max", 0.0) for load in loads),
            },
        }
        files = [entry for d in documents for entry in d["files"]]
        label = "+".join(d["label"] for d in documents)
        documents = [{"label": label, "meta": meta, "files": files}]
    for document in documents:
        meta = document["meta"]
        items = corpus_items(meta["corpus"], meta["split"], None, None)
        print(report(document, {i.name: i for i in items}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Review with verification, per stage.")
    parser.add_argument("--corpus", default="real", choices=["small", "real"])
    parser.add_argument("--split", choices=["tune", "heldout", "heldout2"])
    parser.add_argument("--local-model", default="1.5b", choices=sorted(LOCAL_MODELS))
    parser.add_argument("--limit", type=int)
    parser.add_argument("--files", nargs="*")
    parser.add_argument("--suffix")
    parser.add_argument("--instructions", default="engine", choices=["engine", "fix"])
    parser.add_argument("--max-findings", type=int, default=LOCAL_MAX_FINDINGS)
    parser.add_argument("--rescore", nargs="*", type=Path)
    parser.add_argument("--merge", action="store_true", help="one table for all --rescore runs")
    parser.add_argument("--verbose", action="store_true", help="print every raw answer")
    args = parser.parse_args(argv)
    variants.VERBOSE = args.verbose
    if args.rescore:
        rescore(args.rescore, args.merge)
        return 0
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
