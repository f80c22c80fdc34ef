"""A third opinion of a different shape (issue 15, session 15): the 1.5B asked, as a chat model,
which of two versions of a line is right, on the stored candidates of the 49-pair pool.

The fill gains of both models cannot separate true corrections from false ones past the
session-13 margins (`rule_study.py`). This asks whether the 1.5B's chat judgement, a prompt
shaped unlike the fill, carries what the gains lack: the line's function is shown with the line
blanked out, the two versions are offered as A and B (both orders, to cancel the small model's
preference for a letter), and the score is the mean log-odds of the correction over the
written line. No product code changes here.

    .venv/bin/python -m benchmarks.review.judge            # ~15-25 min, one llama.cpp thread
    .venv/bin/python -m benchmarks.review.judge --table    # the stored scores again
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import math
import sys
from typing import Any

from benchmarks.review.corpus import RESULTS, CorpusFile
from benchmarks.review.rule_study import FLOOR, stored_rows
from benchmarks.review.variants import LOCAL_MODELS
from codex_lsp.local.server import LocalModelServer, local_http_client

CORPUS = RESULTS.parent / "corpus_real"
STORE = RESULTS / "judge-1.5b-pool.json"
SECOND_FLOOR = -math.inf  # every candidate the 1.5B scored (the 0.5B >= FLOOR)
CONTEXT = 25  # lines either side when the line is in no function, or its function is long
SYSTEM = "You are an expert Python code reviewer. Answer with a single letter."
QUESTION = (
    "Here is code from a well-maintained Python project. One line is blanked out as `{blank}`."
    "\n\n```python\n{code}\n```\n\nWhich version of the blanked line is correct here?\n\n"
    "A: `{a}`\nB: `{b}`\n\nAnswer A or B."
)
BLANK = "<<<LINE>>>"


def context(text: str, line: int) -> str:
    """The innermost function around `line` (1-based), cut to CONTEXT lines either side, with
    the line blanked out."""
    lines = text.split("\n")
    first, last = max(1, line - CONTEXT), min(len(lines), line + CONTEXT)
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            end = node.end_lineno or node.lineno
            if start <= line <= end and end - start < last - first:
                first, last = max(start, line - CONTEXT), min(end, line + CONTEXT)
    shown = lines[first - 1 : last]
    written = shown[line - first]
    shown[line - first] = written[: len(written) - len(written.lstrip())] + BLANK
    return "\n".join(shown)


def _letter_logprobs(answer: dict[str, Any]) -> dict[str, float]:
    top = answer["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    seen = {t["token"].strip(): t["logprob"] for t in top}
    floor = min(t["logprob"] for t in top) - 1.0  # not in the top list: below all of it
    return {letter: seen.get(letter, floor) for letter in "AB"}


class Judge:
    def __init__(self, base_url: str, api_key: str) -> None:
        self.url = f"{base_url}/chat/completions"
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.http = local_http_client()

    async def _ask(self, code: str, a: str, b: str) -> dict[str, float]:
        body = {
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": QUESTION.format(blank=BLANK, code=code, a=a, b=b)},
            ],
            "max_tokens": 1,
            "temperature": 0,
            "logprobs": True,
            "top_logprobs": 20,
        }
        response = await self.http.post(self.url, json=body, headers=self.headers, timeout=600)
        response.raise_for_status()
        return _letter_logprobs(response.json())

    async def log_odds(self, code: str, written: str, fix: str) -> tuple[float, float]:
        """The correction's log-odds over the written line, with the fix as B, then as A."""
        fix_b = await self._ask(code, written, fix)
        fix_a = await self._ask(code, fix, written)
        return fix_b["B"] - fix_b["A"], fix_a["A"] - fix_a["B"]


def truth(item: CorpusFile, line: int, fix: str) -> bool:
    if item.bug is None or line != item.bug.line:
        return False
    clean = (item.path.parent.parent / "clean" / item.path.name).read_text().split("\n")
    return fix.strip() == clean[line - 1].strip()


def queries() -> list[dict[str, Any]]:
    rows, by_split = stored_rows()
    items = {i.name: i for part in by_split.values() for i in part}
    out = []
    for name, file_rows in sorted(rows.items()):
        text = (CORPUS / name).read_text(encoding="utf-8")
        for row in file_rows:
            for i, fix in enumerate(row["fixes"]):
                small, large = row["gain_small"][i], row["gain_large"][i]
                if small >= FLOOR and large >= SECOND_FLOOR:
                    out.append({"name": name, "line": row["line"], "written": row["written"],
                                "fix": fix, "small": small, "large": large,
                                "true": truth(items[name], row["line"], fix),
                                "code": context(text, row["line"])})  # fmt: skip
    return out


async def run() -> None:
    asked = queries()
    server = LocalModelServer(local_model=LOCAL_MODELS["1.5b"], threads=1)
    try:
        endpoint = await server.endpoint()
        judge = Judge(endpoint.base_url, endpoint.api_key)
        for n, q in enumerate(asked, 1):
            q["odds"] = await judge.log_odds(q["code"], q["written"], q["fix"])
            print(f"{n}/{len(asked)} {q['name']}:{q['line']} {q['true']} {q['odds']}", flush=True)
        await judge.http.aclose()
    finally:
        await server.stop()
    STORE.write_text(json.dumps({"queries": asked}, indent=1) + "\n", encoding="utf-8")


def auc(positives: list[float], negatives: list[float]) -> float:
    pairs = [(p > n) + 0.5 * (p == n) for p in positives for n in negatives]
    return sum(pairs) / len(pairs) if pairs else math.nan


def table() -> str:
    asked = json.loads(STORE.read_text(encoding="utf-8"))["queries"]
    out = []
    for a, b in ((2.0, 2.0), (2.0, 4.0), (3.0, 6.0)):
        part = [q for q in asked if q["small"] >= a and q["large"] >= b]
        pos = [sum(q["odds"]) / 2 for q in part if q["true"]]
        neg = [sum(q["odds"]) / 2 for q in part if not q["true"]]
        out.append(f"A>={a:g} B>={b:g}: {len(pos)} true, {len(neg)} false, AUC {auc(pos, neg):.2f}")
        for q in sorted(part, key=lambda q: sum(q["odds"])):
            mark = "T" if q["true"] else "F"
            out.append(f"  {mark} {sum(q['odds']) / 2:+6.2f} ({q['odds'][0]:+.2f} "
                       f"{q['odds'][1]:+.2f}) small {q['small']:.1f} large {q['large']:.1f} "
                       f"{q['name']}:{q['line']} {q['written']!r} -> {q['fix']!r}")  # fmt: skip
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--table", action="store_true", help="stored scores only")
    args = parser.parse_args(argv)
    if not args.table:
        asyncio.run(run())
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
