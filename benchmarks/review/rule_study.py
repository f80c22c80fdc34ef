"""Which second-opinion rule publishes no false message (issue 15, session 13): the stored
scores of both models on all 49 pairs of `corpus_real` (tune, old held-out, heldout2), no new
model time except for the few heldout2 lines below.

The 34 pairs' rows come from `second_opinion.py` (the 0.5B's candidates gaining >= 2 nats and
the 1.5B's gain on each). On `heldout2` only the product's findings were stored, so
`--score-heldout2` scores again, with both models, the lines it flagged and their neighbours:
every rule studied here is stricter than the shipped one (0.5B >= 2 & 1.5B >= 4), so it can
flag no other line there.

    .venv/bin/python -m benchmarks.review.rule_study --score-heldout2     # ~6 min, one thread
    .venv/bin/python -m benchmarks.review.rule_study                      # the table, no model
    .venv/bin/python -m benchmarks.review.rule_study --pool85             # session 17's table

A message counts as true when it is on the planted line and its fix is the clean copy's line;
any other finding (a clean file, another line, another fix) counts as false. The choice,
written down before `heldout3` was built into a figure: among RULES x A x B, the highest pooled
recall (+-1 line) with no false message; ties go to the simpler rule (RULES order), then the
larger A + B, then the larger A.

`--pool85` (session 17, before any model read `heldout7`): the same choice for the form then
shipped (`two-tier`: the first tier A and B, or the 0.5B >= 2 and the 1.5B >= 9 of session 15)
on 85 pairs: the 49 above and `heldout5`-`heldout6`, whose runs stored both models' gains of
every correction the 1.5B was asked about (all with the 0.5B >= 2, so every rule of the grid is
decided by them). `heldout3`-`heldout4` stored only findings and are left out. It chose 4 and 6.
`--pool103` (session 17, after `heldout7` was run once with that rule): the same choice on the
85 and `heldout7`, between `any` (one tier) and `two-tier`. It chose `any` at 4 and 7.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.review.calibrate import SlotScorer
from benchmarks.review.corpus import RESULTS, CorpusFile
from benchmarks.review.variants import LOCAL_MODELS
from benchmarks.review.verified import corpus_items
from codex_lsp.engine import fill_scan
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.verify import fill_gap
from codex_lsp.local.server import LocalModelServer

STORED = ("second-opinion-1.5b-real-tune.json", "second-opinion-1.5b-real-heldout.json")
HELDOUT2_SCAN = "scan-real-heldout2-second-opinion.json"
HELDOUT2_LINES = "rule-study-heldout2-lines.json"
FLOOR = 2.0  # the stored rows hold the 0.5B's candidates from this gain up
GRID_A = (2.0, 3.0, 4.0)
GRID_B = (4.0, 5.0, 6.0, 7.0, 8.0)

Row = dict[str, Any]
Pick = Callable[[Row, float, float], int | None]


def _passes(row: Row, i: int, a: float, b: float) -> bool:
    return bool(row["gain_small"][i] >= a and row["gain_large"][i] >= b)


def any_confirmed(row: Row, a: float, b: float) -> int | None:
    """The shipped rule: any candidate past both margins; the fix has the largest summed gain."""
    passing = [i for i in range(len(row["fixes"])) if _passes(row, i, a, b)]
    return max(passing, key=lambda i: row["gain_small"][i] + row["gain_large"][i], default=None)


def large_best(row: Row, a: float, b: float) -> int | None:
    """Only the 1.5B's favourite among the candidates it scored, when it passes both."""
    best = max(range(len(row["fixes"])), key=lambda i: row["gain_large"][i])
    return best if _passes(row, best, a, b) else None


def both_best(row: Row, a: float, b: float) -> int | None:
    """Only a candidate that is both models' favourite, when it passes both."""
    small = max(range(len(row["fixes"])), key=lambda i: row["gain_small"][i])
    return small if small == large_best(row, a, b) else None


# Session 15's second tier (shipped in sessions 15-16 and in the `heldout7` run): 0.5B >= 2 and
# 1.5B >= 9 also passed.
SECOND_TIER = (2.0, 9.0)


def two_tier(row: Row, a: float, b: float) -> int | None:
    """The product's rule of sessions 15-17: `any` at A and B, or at the second tier."""
    low, strong = SECOND_TIER
    passing = [i for i in range(len(row["fixes"]))
               if _passes(row, i, a, b) or _passes(row, i, low, strong)]  # fmt: skip
    return max(passing, key=lambda i: row["gain_small"][i] + row["gain_large"][i], default=None)


RULES: dict[str, Pick] = {"any": any_confirmed, "large-best": large_best, "both-best": both_best}
RULES_ALL: dict[str, Pick] = RULES | {"two-tier": two_tier}
# Splits whose scan runs stored every gain the 1.5B was asked about, while it was asked about
# every correction with 0.5B >= 2 (later runs ask from CONFIRMED_MARGIN up).
SCANNED = ("heldout5", "heldout6", "heldout7")
# The pooled choices: (splits added to the 49, rules compared).
POOLS = {
    "pool85": (SCANNED[:2], ("two-tier",)),  # before the heldout7 run: 4 and 6, two tiers
    "pool103": (SCANNED, ("any", "two-tier")),  # after it: 4 and 7, one tier
}


@dataclass(frozen=True)
class Outcome:
    rule: str
    a: float
    b: float
    found: int  # planted bugs with a finding within +-1 line
    right: int  # findings on the planted line whose fix is the clean line
    false: int  # every other finding
    clean_flagged: int
    buggy: int
    clean: int


def judge(rows_by_file: dict[str, list[Row]], items: list[CorpusFile], rule: str, a: float,
          b: float) -> Outcome:  # fmt: skip
    found = right = false = clean_flagged = 0
    for item in items:
        picks = {r["line"]: (r, i) for r in rows_by_file.get(item.name, [])
                 if (i := RULES_ALL[rule](r, a, b)) is not None}  # fmt: skip
        if item.bug is None:
            false += len(picks)
            clean_flagged += bool(picks)
            continue
        clean = (item.path.parent.parent / "clean" / item.path.name).read_text().split("\n")
        found += any(abs(line - item.bug.line) <= 1 for line in picks)
        for line, (row, i) in picks.items():
            ok = line == item.bug.line and row["fixes"][i].strip() == clean[line - 1].strip()
            right += ok
            false += not ok
    buggy = sum(1 for i in items if i.bug is not None)
    return Outcome(rule, a, b, found, right, false, clean_flagged, buggy, len(items) - buggy)


def stored_rows() -> tuple[dict[str, list[Row]], dict[str, list[CorpusFile]]]:
    """Rows by file name, and the corpus items by split."""
    rows: dict[str, list[Row]] = {}
    for name in STORED:
        for entry in json.loads((RESULTS / name).read_text(encoding="utf-8"))["files"]:
            rows[entry["name"]] = entry["rows"]
    heldout2 = json.loads((RESULTS / HELDOUT2_LINES).read_text(encoding="utf-8"))
    rows |= heldout2["files"]
    splits = ("tune", "heldout", "heldout2")
    return rows, {split: corpus_items("real", split, None, None) for split in splits}


def scanned_rows(split: str) -> dict[str, list[Row]]:
    """A split's rows from its stored scan runs (`scan-real-SPLIT-{buggy,clean}.json`): each
    stored (0.5B gain, 1.5B gain, fix) goes to the line whose candidates hold the fix."""
    rows: dict[str, list[Row]] = {}
    for copy in ("buggy", "clean"):
        stored = json.loads((RESULTS / f"scan-real-{split}-{copy}.json").read_text("utf-8"))
        for entry in stored["files"]:
            text = (RESULTS.parent / "corpus_real" / entry["name"]).read_text(encoding="utf-8")
            rows[entry["name"]] = _rows_of_gains(fill_scan.candidates(text), entry["gains"])
    return rows


def _rows_of_gains(candidates: dict[int, list[str]], gains: list[list[Any]]) -> list[Row]:
    by_line: dict[int, Row] = {}
    for small, large, fix in gains:
        row = next(r for r, fixes in sorted(candidates.items()) if fix.strip() in
                   {f.strip() for f in fixes})  # fmt: skip
        entry = by_line.setdefault(row + 1, {"line": row + 1, "fixes": [], "gain_small": [],
                                             "gain_large": []})  # fmt: skip
        entry["fixes"].append(fix)
        entry["gain_small"].append(small)
        entry["gain_large"].append(large)
    return list(by_line.values())


def pooled_table(pool: str) -> str:
    """Session 17's choices (`POOLS`, module docstring), and each split's figures."""
    splits, rules = POOLS[pool]
    rows, by_split = stored_rows()
    for split in splits:
        rows |= scanned_rows(split)
        by_split[split] = corpus_items("real", split, None, None)
    shipped = ("any", fill_scan.CONFIRMED_MARGIN, fill_scan.SECOND_MARGIN)
    return _table(rows, by_split, rules, [("two-tier", 3.0, 6.0), ("two-tier", 4.0, 6.0), shipped])


def choose(outcomes: list[Outcome], rules: tuple[str, ...] = tuple(RULES)) -> Outcome | None:
    """The pre-registered choice (module docstring)."""
    clean = [o for o in outcomes if o.false == 0]
    order = list(rules)
    return max(clean, key=lambda o: (o.found, -order.index(o.rule), o.a + o.b, o.a), default=None)


def table() -> str:
    rows, by_split = stored_rows()
    return _table(rows, by_split, tuple(RULES), [("any", 2.0, 4.0)])


def _table(
    rows: dict[str, list[Row]],
    by_split: dict[str, list[CorpusFile]],
    rules: tuple[str, ...],
    baselines: list[tuple[str, float, float]],
) -> str:
    """The grid of `rules` on every split pooled, the choice, and per split the figures of the
    `baselines` and of the choice."""
    items = [i for part in by_split.values() for i in part]
    outcomes = [judge(rows, items, r, a, b) for r in rules for a in GRID_A for b in GRID_B]
    lines = ["| rule | A | B | found (+-1) | right fix | false messages | clean flagged |"]
    for o in outcomes:
        lines.append(f"| {o.rule} | {o.a:g} | {o.b:g} | {o.found}/{o.buggy} | {o.right} | "
                     f"{o.false} | {o.clean_flagged}/{o.clean} |")  # fmt: skip
    chosen = choose(outcomes, rules)
    lines.append(f"\nchosen: {chosen}")
    triples = baselines + ([] if chosen is None else [(chosen.rule, chosen.a, chosen.b)])
    for split, part in by_split.items():
        for rule, a, b in dict.fromkeys(triples):
            o = judge(rows, part, rule, a, b)
            flagged = f"clean flagged {o.clean_flagged}/{o.clean}"
            lines.append(f"{split} {rule} A={a:g} B={b:g}: found {o.found}/{o.buggy}, right "
                         f"{o.right}, false {o.false}, {flagged}")  # fmt: skip
    return "\n".join(lines)


async def score_heldout2() -> Path:
    """Both models' gains on the heldout2 lines the product flagged, and their neighbours."""
    scan = json.loads((RESULTS / HELDOUT2_SCAN).read_text(encoding="utf-8"))
    wanted = {e["name"]: {f["line"] + d for f in e["findings"] for d in (-1, 0, 1)}
              for e in scan["files"] if e["findings"]}  # fmt: skip
    rows = {name: _rows(name, lines) for name, lines in wanted.items()}
    await _score("0.5b", rows, "gain_small", None)
    await _score("1.5b", rows, "gain_large", FLOOR)
    kept = {name: [_pooled(r) for r in rs if max(r["gain_small"]) >= FLOOR]
            for name, rs in rows.items()}  # fmt: skip
    target = RESULTS / HELDOUT2_LINES
    document = {"meta": {"split": "heldout2", "floor": FLOOR, "from": HELDOUT2_SCAN}}
    target.write_text(json.dumps(document | {"files": kept}, indent=1) + "\n", encoding="utf-8")
    return target


def _rows(name: str, lines: set[int]) -> list[Row]:
    text = (RESULTS.parent / "corpus_real" / name).read_text(encoding="utf-8")
    snapshot = Snapshot("file:///project/src/module.py", 0, text, "python")
    candidates = fill_scan.candidates(text)
    out = []
    for line in sorted(lines):
        if line - 1 not in candidates:
            continue
        prefix, suffix, indent = fill_gap(snapshot, line - 1)
        fixes = [f[len(indent) :].rstrip() for f in candidates[line - 1] if f.startswith(indent)]
        written = snapshot.lines[line - 1][len(indent) :].rstrip()
        out.append({"line": line, "prefix": prefix, "suffix": suffix, "written": written,
                    "fixes": fixes})  # fmt: skip
    return out


def _pooled(row: Row) -> Row:
    """The row as `second_opinion.py` stores it: the candidates from FLOOR up."""
    keep = [i for i, s in enumerate(row["gain_small"]) if s >= FLOOR]
    return {"line": row["line"], "written": row["written"],
            "fixes": [row["fixes"][i] for i in keep],
            "gain_small": [row["gain_small"][i] for i in keep],
            "gain_large": [row["gain_large"][i] for i in keep]}  # fmt: skip


async def _score(model: str, rows: dict[str, list[Row]], key: str, floor: float | None) -> None:
    """Each row's `key`: gains over the written line (-inf for a candidate not asked: under
    `floor` with the 0.5B, as the product asks the 1.5B only about those)."""
    server = LocalModelServer(local_model=LOCAL_MODELS[model], threads=1)
    try:
        endpoint = await server.endpoint()
        scorer = SlotScorer(endpoint.base_url, endpoint.api_key)
        for row in (r for rs in rows.values() for r in rs):
            asked = [i for i in range(len(row["fixes"]))
                     if floor is None or row["gain_small"][i] >= floor]  # fmt: skip
            fills = [row["written"], *(row["fixes"][i] for i in asked)]
            sums = [
                sum(t) for t in await scorer.score_tokens(row["prefix"], row["suffix"], fills, True)
            ]
            gains = [float("-inf")] * len(row["fixes"])
            for i, total in zip(asked, sums[1:], strict=True):
                gains[i] = total - sums[0]
            row[key] = gains
        await scorer.http.aclose()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--score-heldout2", action="store_true", help="model time: ~6 min")
    parser.add_argument("--pool85", action="store_const", const="pool85", dest="pool",
                        help="session 17's choice before the heldout7 run (85 pairs)")  # fmt: skip
    parser.add_argument("--pool103", action="store_const", const="pool103", dest="pool",
                        help="session 17's choice after it (103 pairs)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.score_heldout2:
        print(asyncio.run(score_heldout2()))
    print(pooled_table(args.pool) if args.pool else table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
