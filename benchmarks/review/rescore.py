"""Score stored model answers again, without any model time.

    .venv/bin/python -m benchmarks.review.rescore results/engine-qwen-1.5b.json [...]
        [--errors-only] [--label NAME]

Decoding is greedy, so an answer stored by `variants.py` is what the model would write again;
re-scoring shows what a change of the *locating* code (the engine's `locate_finding`, this
package's `locate_pair`) or a filter on the findings does. Handles the `engine` and `pairs`
variants; several files are summed into one row.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.review.corpus import (
    TABLE_HEADER,
    FileScore,
    load_corpus,
    score_file,
    summarize,
)
from benchmarks.review.variants import CodePair, locate_pair
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.review import locate_finding
from codex_lsp.engine.schemas import Finding
from codex_lsp.engine.stream import ItemStream


def engine_lines(text: str, answers: list[str], errors_only: bool) -> list[int]:
    snapshot = Snapshot("file:///project/src/file.py", 0, text, "python")
    lines = []
    for raw in answers:
        parser = ItemStream(Finding, "findings")
        for finding in [*parser.feed(raw), *parser.finish()]:
            if errors_only and finding.severity != "error":
                continue
            located = locate_finding(snapshot, finding)
            if located is not None:
                lines.append(located.span.start.line + 1)
    return lines


def pairs_lines(text: str, answers: list[str]) -> list[int]:
    lines = []
    for raw in answers:
        parser = ItemStream(CodePair, "bugs")
        for pair in [*parser.feed(raw), *parser.finish()]:
            found = locate_pair(text.split("\n"), pair.wrong_code, pair.fixed_code)
            lines += [line for line, _wrong, _fixed in found]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-score stored review answers.")
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--errors-only", action="store_true", help="engine: drop warnings")
    parser.add_argument("--label", default="rescored")
    args = parser.parse_args(argv)
    corpus = {item.name: item for item in load_corpus()}
    scores: list[FileScore] = []
    for path in args.results:
        document = json.loads(path.read_text(encoding="utf-8"))
        variant = document["meta"].get("variant")
        for stored in document["files"]:
            item = corpus[stored["name"]]
            text = item.path.read_text(encoding="utf-8")
            if variant == "engine":
                lines = engine_lines(text, stored["answers"], args.errors_only)
            elif variant == "pairs":
                lines = pairs_lines(text, stored["answers"])
            else:
                print(f"{path}: cannot re-score variant {variant!r}", file=sys.stderr)
                return 2
            scores.append(score_file(item, lines, stored["seconds"]))
    print(TABLE_HEADER)
    print(summarize(args.label, scores).row())
    return 0


if __name__ == "__main__":
    sys.exit(main())
