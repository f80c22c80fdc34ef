"""Calibrating the fill gain of verification (issue 15, session 9).

The third check of `codex_lsp/engine/verify.py` publishes a finding when the model's fill of the
line, with the file around it, prefers the corrected line by `FILL_MARGIN` nats. That gain is
also the model's taste for common code: `buffer.popleft()` -> `buffer.pop(0)` scored +10 nats on
a deque. Here every candidate that reached the fill check in a stored verification run
(`results/verify-*.json`) is scored again with less of the file around the line:

* `full`: the gap verification uses (`fill_gap`: up to 150 lines before, 40 after);
* `function`: only the innermost function around the line (decorators to its last line; the
  line's 3 neighbours each side outside any function);
* `window3`: only 3 lines before and 3 after;
* `line`: nothing but the line (no indentation, empty prefix and suffix).

and, for each, the gain (corrected minus written, summed log-probabilities) under two ways of
forcing the fill: `string` (a one-string grammar, what ships: llama.cpp picks the most likely
token at each step among those that keep to the string, which can be a split the model would
never write: `(a` + `t` + `trs` for `(attrs`, -19 nats for the `t`) and `canon` (the fill's own
tokenization, `/tokenize`, as a grammar of token ids). The contrast `gain(full) - gain(C)` is
what the file's context adds to the change: a change the model prefers anywhere cancels out.

    .venv/bin/python -m benchmarks.review.calibrate --score results/verify-A.json ... --label L
    .venv/bin/python -m benchmarks.review.calibrate --report results/calibrate-L.json

The report applies each rule to the stored candidates (the same stages as `verified.py`) and
prints the figures and every candidate's gains. No review is asked again: the candidates are the
stored review's.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.review.corpus import RESULTS, TABLE_HEADER, CorpusFile, score_file, summarize
from benchmarks.review.variants import LOCAL_MODELS
from benchmarks.review.verified import corpus_items, recheck
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.verify import fill_gap
from codex_lsp.local.server import LocalModelServer, local_http_client
from codex_lsp.providers.base import ProviderError
from codex_lsp.providers.infill import fill_logprobs, scoring_body

CONTEXTS = ("full", "function", "window3", "line")
TOKENIZATIONS = ("string", "canon")
WINDOW = 3


class SlotScorer:
    """Fill scoring at a llama.cpp child, string or canonical tokenization, in a chosen slot (so
    that short-context requests do not evict the long prompt of the other slot from the
    cache)."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base = base_url.removesuffix("/v1")
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.http = local_http_client()
        self._tokens: dict[str, list[int]] = {}
        self.requests = 0

    async def tokenize(self, text: str) -> list[int]:
        if text not in self._tokens:
            response = await self.http.post(
                f"{self.base}/tokenize", json={"content": text}, headers=self.headers
            )
            response.raise_for_status()
            tokens = response.json()["tokens"]
            self._tokens[text] = [t if isinstance(t, int) else t["id"] for t in tokens]
        return self._tokens[text]

    async def score_tokens(
        self, prefix: str, suffix: str, fills: Sequence[str], canonical: bool, slot: int = 0
    ) -> list[list[float]]:
        out = []
        for fill in fills:
            body = scoring_body(prefix, suffix, fill)
            body["id_slot"] = slot
            if canonical:
                ids = await self.tokenize(fill)
                body["grammar"] = "root ::= " + " ".join(f"<[{t}]>" for t in ids)
                body["n_predict"] = len(ids) + 2
            self.requests += 1
            response = await self.http.post(
                f"{self.base}/infill", json=body, headers=self.headers, timeout=600
            )
            if response.status_code != 200:
                raise ProviderError(f"{response.status_code}: {response.text[:300]}")
            out.append(fill_logprobs(response.json(), fill))
        return out


def function_spans(tree: ast.AST) -> list[tuple[int, int]]:
    """0-based (first, last) rows of every function, decorators included."""
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            spans.append((first, (node.end_lineno or node.lineno) - 1))
    return spans


def small_gap(
    lines: Sequence[str], spans: Sequence[tuple[int, int]], row: int, kind: str
) -> tuple[str, str, str]:
    """Prefix, suffix and indentation of the line `row` with little context around it."""
    text = lines[row]
    indent = text[: len(text) - len(text.lstrip())]
    if kind == "line":
        return "", "", indent
    if kind == "function":
        around = [(a, b) for a, b in spans if a <= row <= b]
        if around:
            first, last = max(around)  # the innermost: it starts last
        else:
            first, last = max(0, row - WINDOW), row + WINDOW
    elif kind == "window3":
        first, last = max(0, row - WINDOW), row + WINDOW
    else:
        raise ValueError(kind)
    prefix = "".join(f"{line}\n" for line in lines[first:row]) + indent
    suffix = "".join(f"\n{line}" for line in lines[row + 1 : last + 1])
    return prefix, suffix, indent


async def score_candidate(
    scorer: SlotScorer,
    snapshot: Snapshot,
    spans: Sequence[tuple[int, int]],
    row: int,
    corrected: str,
) -> dict[str, dict[str, list[list[float]]]]:
    """Per tokenization and context, the token log-probabilities of [written, corrected]."""
    lines = snapshot.redacted_lines
    out: dict[str, dict[str, list[list[float]]]] = {t: {} for t in TOKENIZATIONS}
    for kind in CONTEXTS:
        if kind == "full":
            prefix, suffix, indent = fill_gap(snapshot, row)
        else:
            prefix, suffix, indent = small_gap(lines, spans, row, kind)
        written = lines[row][len(indent) :].rstrip()
        fixed = corrected[len(indent) :].rstrip()
        slot = 0 if kind == "full" else 1
        for tokenization in TOKENIZATIONS:
            out[tokenization][kind] = await scorer.score_tokens(
                prefix, suffix, [written, fixed], tokenization == "canon", slot
            )
    return out


async def score_runs(paths: list[Path], label: str, local_model: str) -> Path:
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    server = LocalModelServer(local_model=LOCAL_MODELS[local_model], threads=1)
    records: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        endpoint = await server.endpoint()
        scorer = SlotScorer(endpoint.base_url, endpoint.api_key)
        for path, document in zip(paths, documents, strict=True):
            meta = document["meta"]
            items = {i.name: i for i in corpus_items(meta["corpus"], meta["split"], None, None)}
            for entry in document["files"]:
                item = items[entry["name"]]
                text = item.path.read_text(encoding="utf-8")
                snapshot = Snapshot("file:///project/src/module.py", 0, text, "python")
                spans = function_spans(ast.parse(text))
                for index, c in enumerate(recheck(entry["candidates"], item)):
                    if c["severity"] != "error" or c["reason"] is not None or not c.get("scores"):
                        continue
                    t0 = time.perf_counter()
                    scores = await score_candidate(
                        scorer, snapshot, spans, c["line"] - 1, c["corrected"]
                    )
                    records.append({
                        "run": path.name, "file": entry["name"], "index": index,
                        "line": c["line"], "snippet": c["snippet"], "corrected": c["corrected"],
                        "stored_gain": c["scores"][1] - c["scores"][0], "tokens": scores,
                    })  # fmt: skip
                    gains = {
                        f"{t}/{k}": round(sum(v[1]) - sum(v[0]), 1)
                        for t, per in scores.items()
                        for k, v in per.items()
                    }
                    print(f"  {entry['name']}:{c['line']} {time.perf_counter() - t0:.0f}s {gains}",
                          file=sys.stderr, flush=True)  # fmt: skip
        await scorer.http.aclose()
    finally:
        await server.stop()
    document = {
        "label": label,
        "meta": {"local_model": local_model, "runs": [p.name for p in paths],
                 "seconds": round(time.perf_counter() - started, 1)},
        "candidates": records,
    }  # fmt: skip
    target = RESULTS / f"calibrate-{label}.json"
    target.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return target


def gain(record: dict[str, Any], tokenization: str, kind: str, per_token: bool = False) -> float:
    written, corrected = record["tokens"][tokenization][kind]
    if per_token:
        return sum(corrected) / len(corrected) - sum(written) / len(written)
    return sum(corrected) - sum(written)


Rule = Callable[[dict[str, Any]], bool]


def rules() -> dict[str, Rule]:
    """Named publishing rules over one scored record."""
    out: dict[str, Rule] = {}
    for tok in TOKENIZATIONS:
        for m in (2.0, 4.0):
            out[f"{tok} full>={m:g}"] = lambda r, t=tok, m=m: gain(r, t, "full") >= m
        for kind in CONTEXTS[1:]:
            for m in (0.0, 2.0, 4.0):
                out[f"{tok} full>=2 & full-{kind}>={m:g}"] = lambda r, t=tok, k=kind, m=m: (
                    gain(r, t, "full") >= 2 and gain(r, t, "full") - gain(r, t, k) >= m
                )
        out[f"{tok} per-token full>=0.5"] = lambda r, t=tok: gain(r, t, "full", True) >= 0.5
    return out


def report(path: Path) -> str:
    document = json.loads(path.read_text(encoding="utf-8"))
    records = document["candidates"]
    runs: dict[str, dict[str, Any]] = {}
    for name in document["meta"]["runs"]:
        runs[name] = json.loads((RESULTS / name).read_text(encoding="utf-8"))
    out = [TABLE_HEADER]
    by_key = {(r["run"], r["file"], r["index"]): r for r in records}
    for name, rule in rules().items():
        scores = []
        for run_name, run in runs.items():
            meta = run["meta"]
            items: dict[str, CorpusFile] = {
                i.name: i for i in corpus_items(meta["corpus"], meta["split"], None, None)
            }
            for entry in run["files"]:
                lines = [
                    c["line"]
                    for index, c in enumerate(entry["candidates"])
                    if (run_name, entry["name"], index) in by_key
                    and rule(by_key[(run_name, entry["name"], index)])
                ]
                scores.append(score_file(items[entry["name"]], lines, entry["seconds"]))
        out.append(summarize(name, scores).row())
    out.append("\n| file:line | change | " + " | ".join(
        f"{t[0]}/{k}" for t in TOKENIZATIONS for k in CONTEXTS) + " |")  # fmt: skip
    for r in records:
        gains = [f"{gain(r, t, k):+.1f}" for t in TOKENIZATIONS for k in CONTEXTS]
        change = f"`{r['snippet'][:40]}` -> `{r['corrected'].strip()[:50]}`"
        out.append(f"| {r['file']}:{r['line']} | {change} | " + " | ".join(gains) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--score", nargs="*", type=Path, help="stored verify-*.json runs")
    parser.add_argument("--label")
    parser.add_argument("--local-model", default="1.5b", choices=sorted(LOCAL_MODELS))
    parser.add_argument("--report", type=Path)
    args = parser.parse_args(argv)
    if args.score:
        target = asyncio.run(score_runs(args.score, args.label, args.local_model))
        print(report(target))
    if args.report:
        print(report(args.report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
