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

Every candidate's score is stored, so one run gives the figures of every margin (`--rescore`).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import io
import json
import keyword
import os
import sys
import time
import tokenize
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.review.calibrate import CONTEXTS, SlotScorer, function_spans, small_gap
from benchmarks.review.corpus import RESULTS, TABLE_HEADER, CorpusFile, score_file, summarize
from benchmarks.review.variants import LOCAL_MODELS
from benchmarks.review.verified import corpus_items
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.verify import fill_gap
from codex_lsp.local.server import LocalModelServer

MARGINS = (0.0, 2.0, 4.0, 6.0, 8.0, 10.0)
FLIPS = {
    "==": ("!=",),
    "!=": ("==",),
    "<": ("<=", ">="),
    "<=": ("<", ">"),
    ">": (">=", "<="),
    ">=": (">", "<"),
}
CONDITION_KEYWORDS = ("if", "elif", "while")
STATEMENT_KEYWORDS = frozenset(keyword.kwlist) - {"not", "True", "False", "None"}
NAME_SWAPS = 3  # other local names tried for each name on a line: the ones used nearest to it


def _replace(line: str, start: int, end: int, new: str) -> str:
    return line[:start] + new + line[end:]


def _function_names(tree: ast.AST) -> dict[int, list[str]]:
    """Per 0-based row, the local names of the innermost function around it (its parameters
    and the names it assigns), the ones used nearest to the row first."""
    names: dict[int, list[str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        used: dict[str, list[int]] = defaultdict(list)
        for arg in args:
            used[arg.arg].append(node.lineno - 1)
        for name in ast.walk(node):
            if isinstance(name, ast.Name):
                used[name.id].append(name.lineno - 1)
        stored = {a.arg for a in args} | {
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        local = {name: rows for name, rows in used.items() if name in stored}
        local.pop("self", None)
        local.pop("cls", None)
        for row in range(node.lineno - 1, (node.end_lineno or node.lineno)):
            if row in names and len(names[row]) <= len(local):
                continue  # an inner function's names already
            names[row] = _nearest_first(local, row)
    return names


def _nearest_first(used: dict[str, list[int]], row: int) -> list[str]:
    return sorted(used, key=lambda name: min(abs(row - at) for at in used[name]))


def _async_rows(tree: ast.AST) -> set[int]:
    rows: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncFunctionDef):
            rows.update(range(node.lineno, (node.end_lineno or node.lineno)))
    return rows


def _block_ends(lines: list[str], row: int) -> bool:
    """Whether the statement on `row` is the last of its block (the next code line is less
    indented, or there is none)."""
    indent = len(lines[row]) - len(lines[row].lstrip())
    for later in lines[row + 1 :]:
        if later.strip() and not later.lstrip().startswith("#"):
            return len(later) - len(later.lstrip()) < indent
    return True


def line_candidates(
    line: str,
    tokens: list[tokenize.TokenInfo],
    local: list[str],
    in_async: bool,
    last_in_block: bool,
) -> list[str]:
    """Corrections of the kinds of one-line bugs, most specific first."""
    out: list[str] = []
    words = [t for t in tokens if t.type in (tokenize.NAME, tokenize.OP)]
    strings = [t.string for t in words]
    for index, token in enumerate(words):
        start, end = token.start[1], token.end[1]
        following = strings[index + 1] if index + 1 < len(strings) else ""
        previous = strings[index - 1] if index else ""
        if token.type == tokenize.OP and token.string in FLIPS:
            out += [_replace(line, start, end, new) for new in FLIPS[token.string]]
        elif token.string in ("and", "or"):
            out.append(_replace(line, start, end, "or" if token.string == "and" else "and"))
        elif token.string == "is":
            if following == "not":
                out.append(_replace(line, start, words[index + 1].end[1], "is"))
            else:
                out.append(_replace(line, start, end, "is not"))
        elif token.string == "in" and "for" not in strings[:index]:
            if previous == "not":
                out.append(_replace(line, words[index - 1].start[1], end, "in"))
            else:
                out.append(_replace(line, start, end, "not in"))
        elif token.string == "not" and following not in ("in", ""):
            out.append(_replace(line, start, words[index + 1].start[1], ""))
    if strings and strings[0] in CONDITION_KEYWORDS and len(strings) > 1 and strings[1] != "not":
        keyword = words[0]
        colon = line.rstrip().rfind(":")
        condition = line[keyword.end[1] : colon].strip()
        if colon > keyword.end[1] and condition:
            wrapped = f"not ({condition})" if {"and", "or"} & set(strings) else f"not {condition}"
            out.append(f"{line[: keyword.end[1]]} {wrapped}{line[colon:]}")
    stripped = line.strip()
    first = strings[0] if strings else ""
    is_expression = first not in STATEMENT_KEYWORDS and "=" not in strings
    if last_in_block and is_expression and stripped:
        out.append(line[: len(line) - len(line.lstrip())] + "return " + stripped)
    if in_async and "await" not in strings and "(" in strings:
        target = 1 if first in ("return", "yield") else 0
        if first not in STATEMENT_KEYWORDS or target:
            column = words[target].start[1] if target < len(words) else -1
            if column >= 0 and words[target].type == tokenize.NAME:
                out.append(_replace(line, column, column, "await "))
    for index, token in enumerate(words):
        if token.type != tokenize.NAME or token.string not in local:
            continue
        if index and strings[index - 1] == ".":
            continue  # an attribute, not the local
        following = strings[index + 1] if index + 1 < len(strings) else ""
        if following == "=" or (following == ":" and index == 0):
            continue  # assigned or annotated here
        others = [name for name in local if name != token.string][:NAME_SWAPS]
        out += [_replace(line, token.start[1], token.end[1], other) for other in others]
    return list(dict.fromkeys(c for c in out if c != line))


def candidates(text: str, max_per_line: int) -> dict[int, list[str]]:
    """Per 0-based row, corrections that keep the file parsing (at most `max_per_line`)."""
    try:
        tree = ast.parse(text)
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (SyntaxError, tokenize.TokenError):
        return {}
    lines = text.split("\n")
    by_row: dict[int, list[tokenize.TokenInfo]] = defaultdict(list)
    for token in tokens:
        if token.start[0] == token.end[0] and token.type in (tokenize.NAME, tokenize.OP):
            by_row[token.start[0] - 1].append(token)
    local_names, async_rows = _function_names(tree), _async_rows(tree)
    out: dict[int, list[str]] = {}
    for row, row_tokens in sorted(by_row.items()):
        if row_tokens[0].string in ("def", "class", "import", "from", "@"):
            continue
        proposed = line_candidates(
            lines[row],
            row_tokens,
            local_names.get(row, []),
            row in async_rows,
            _block_ends(lines, row) and row in local_names,
        )
        kept = [c for c in proposed if _parses(lines, row, c)][:max_per_line]
        if kept:
            out[row] = kept
    return out


def _parses(lines: list[str], row: int, replacement: str) -> bool:
    try:
        ast.parse("\n".join([*lines[:row], replacement, *lines[row + 1 :]]))
    except SyntaxError:
        return False
    return True


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


def report(document: dict[str, Any], items: dict[str, CorpusFile]) -> str:
    rows = [TABLE_HEADER]
    contexts = document["meta"].get("contexts", [])
    for context in [None, *contexts]:
        for margin in MARGINS:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", default="real", choices=["small", "real"])
    parser.add_argument("--split", choices=["tune", "heldout"])
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
    args = parser.parse_args(argv)
    if args.rescore:
        documents = [json.loads(path.read_text(encoding="utf-8")) for path in args.rescore]
        if args.merge:  # parts of one split, scored alike: one table
            files = [entry for document in documents for entry in document["files"]]
            label = "+".join(document["label"] for document in documents)
            documents = [{"label": label, "meta": documents[0]["meta"], "files": files}]
        for document in documents:
            meta = document["meta"]
            items = corpus_items(meta["corpus"], meta["split"], None, None)
            print(report(document, {i.name: i for i in items}))
        return 0
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
