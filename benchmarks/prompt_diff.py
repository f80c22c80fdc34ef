"""Show what changes between consecutive model prompts of a replay (where cache misses start).

    .venv/bin/python -m benchmarks.replay --dump /tmp/bench
    .venv/bin/python -m benchmarks.prompt_diff /tmp/bench/cache-aware-implicit.json [--limit 5]

For each pair of consecutive completion prompts it prints the first prompt part that differs,
the token offset of the first difference against the prompt's length, what the fake served
from cache, and a few lines of unified diff of that part.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.metrics import TOKENIZERS, part_label
from tests.fake_openai import Tokenizer
from tests.fake_openai.prompt import Prompt, responses_prompt


def load(path: Path, schema: str) -> list[dict[str, Any]]:
    records = json.loads(path.read_text(encoding="utf-8"))
    chosen = [r for r in records if (r.get("task") or r.get("schema_name")) == schema]
    return sorted(chosen, key=lambda r: r["received_at"])


def first_difference(old: Prompt, new: Prompt) -> tuple[int, int]:
    """(part index, token offset) of the first difference."""
    pairs = zip(old.texts, new.texts, strict=False)
    index = next(
        (i for i, (a, b) in enumerate(pairs) if a != b), min(len(old.texts), len(new.texts))
    )
    offset = 0
    for a, b in zip(old.tokens, new.tokens, strict=False):
        if a != b:
            break
        offset += 1
    return index, offset


def describe(
    old: dict[str, Any], new: dict[str, Any], context_lines: int, tokenizer: Tokenizer
) -> tuple[str, str]:
    a = responses_prompt(old["body"], tokenizer)
    b = responses_prompt(new["body"], tokenizer)
    index, offset = first_difference(a, b)
    label = part_label(index, b.texts[index]) if index < len(b.texts) else "end"
    head = (
        f"{label}: first difference at token {offset} of {len(b.tokens)}, "
        f"served from cache {new['cached_tokens']}"
    )
    if index >= min(len(a.texts), len(b.texts)):
        return label, head
    diff = difflib.unified_diff(
        a.texts[index].split("\n"), b.texts[index].split("\n"), lineterm="", n=context_lines
    )
    return label, head + "\n" + "\n".join(list(diff)[2:14])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.prompt_diff")
    parser.add_argument("records", type=Path, help="a JSON file written by replay --dump")
    parser.add_argument("--schema", default="completion")
    parser.add_argument("--limit", type=int, default=5, help="pairs to show in full")
    parser.add_argument("--context", type=int, default=1, help="diff context lines")
    parser.add_argument("--tokenizer", choices=sorted(TOKENIZERS), default="o200k")
    args = parser.parse_args(argv)
    records = load(args.records, args.schema)
    counts: Counter[str] = Counter()
    for index in range(1, len(records)):
        label, text = describe(
            records[index - 1], records[index], args.context, TOKENIZERS[args.tokenizer]
        )
        counts[label] += 1
        if index <= args.limit:
            print(f"--- {args.schema} call {index} vs {index + 1}: {text}\n")
    print(f"first differing part over {len(records) - 1} consecutive pairs:")
    for label, count in counts.most_common():
        print(f"  {count:5d}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
