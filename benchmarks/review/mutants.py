"""Bugs found by the review model's fill-in-the-middle alone (issue 15; an experiment, not what
ships). For each line, candidate corrections of the kinds of one-line bugs the corpora plant (a
comparison or `and`/`or` flipped, a `not` added or dropped, `is`/`in` negated, a `return` or an
`await` restored, a local name swapped for another of its function) are scored against the line
as written by the model's fill of that line (`/infill`, the code around it, no instructions: the
third check of `codex_lsp/engine/verify.py`). A line whose best candidate beats the line as
written by at least a margin is flagged, that candidate its fix. No review prompt is asked.

    .venv/bin/python -m benchmarks.review.mutants [--corpus real|small] [--split tune|heldout]
        [--local-model 0.5b|1.5b] [--files NAME ...] [--limit N] [--max-per-line N]
    .venv/bin/python -m benchmarks.review.mutants --rescore results/mutants-....json

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
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.review.corpus import RESULTS, TABLE_HEADER, CorpusFile, score_file, summarize
from benchmarks.review.variants import LOCAL_MODELS
from benchmarks.review.verified import Scorer, corpus_items
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
    scorer: Scorer, item: CorpusFile, max_per_line: int
) -> list[dict[str, Any]]:
    text = item.path.read_text(encoding="utf-8")
    snapshot = Snapshot("file:///project/src/module.py", 0, text, "python")
    rows = []
    for row, fixes in candidates(text, max_per_line).items():
        prefix, suffix, indent = fill_gap(snapshot, row)
        written = snapshot.lines[row][len(indent) :].rstrip()
        bodies = [fix[len(indent) :].rstrip() for fix in fixes if fix.startswith(indent)]
        scores = await scorer.score_fills(prefix, suffix, [written, *bodies])
        rows.append({"line": row + 1, "written": written, "fixes": bodies, "scores": scores})
    return rows


def flagged(rows: list[dict[str, Any]], margin: float) -> list[int]:
    return [
        r["line"]
        for r in rows
        if len(r["scores"]) > 1 and max(r["scores"][1:]) - r["scores"][0] >= margin
    ]


def report(document: dict[str, Any], items: dict[str, CorpusFile]) -> str:
    rows = [TABLE_HEADER]
    for margin in MARGINS:
        scores = [
            score_file(items[e["name"]], flagged(e["rows"], margin), e["seconds"])
            for e in document["files"]
        ]
        rows.append(summarize(f"{document['label']} gain>={margin:g}", scores).row())
    lines = sum(e["line_count"] for e in document["files"])
    seconds = sum(e["seconds"] for e in document["files"])
    rows.append(
        f"\n{lines} lines, {seconds:.0f} s: {100 * seconds / max(1, lines):.1f} s per 100 lines"
    )
    return "\n".join(rows)


async def run(args: argparse.Namespace) -> Path:
    items = corpus_items(args.corpus, args.split, args.limit, args.files)
    server = LocalModelServer(local_model=LOCAL_MODELS[args.local_model])
    label = f"mutants-qwen-{args.local_model}-{args.corpus}-{args.split or 'all'}"
    files: list[dict[str, Any]] = []
    try:
        endpoint = await server.endpoint()
        scorer = Scorer(endpoint.base_url, endpoint.api_key)
        for item in items:
            started = time.perf_counter()
            rows = await score_file_lines(scorer, item, args.max_per_line)
            seconds = time.perf_counter() - started
            text = item.path.read_text(encoding="utf-8")
            entry = asdict(score_file(item, flagged(rows, args.margin), seconds))
            entry |= {"rows": rows, "line_count": len(text.rstrip("\n").split("\n"))}
            files.append(entry)
            best = sorted(rows, key=lambda r: -(max(r["scores"][1:]) - r["scores"][0]))[:3]
            tops = [f"{r['line']}({max(r['scores'][1:]) - r['scores'][0]:+.1f})" for r in best]
            bug = f" bug {item.bug.line}" if item.bug else ""
            print(f"  {item.name}:{bug} top {tops} {seconds:.0f}s load {os.getloadavg()[0]:.1f}",
                  file=sys.stderr, flush=True)  # fmt: skip
        await scorer.http.aclose()
    finally:
        await server.stop()
    meta = {"local_model": args.local_model, "corpus": args.corpus, "split": args.split}
    document = {"label": label, "meta": meta, "files": files}
    target = RESULTS / f"{label}.json"
    target.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
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
    args = parser.parse_args(argv)
    if args.rescore:
        for path in args.rescore:
            document = json.loads(path.read_text(encoding="utf-8"))
            meta = document["meta"]
            items = corpus_items(meta["corpus"], meta["split"], None, None)
            print(report(document, {i.name: i for i in items}))
        return 0
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
