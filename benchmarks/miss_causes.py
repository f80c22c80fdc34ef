"""Every uncached input token of a replay, by cause, and its dollars.

    .venv/bin/python -m benchmarks.miss_causes DUMP/<history>/cache-aware-implicit.json

Reads the fake's records of one run (`benchmarks.replay --dump` or `replay_all --dump`), in the
order the fake received them, and splits each request's uncached input tokens in two:

- **lost to the cache's mechanics**: the tokens the longest earlier prompt sharing a prefix
  with this one (any key, any routing prefix, in whole 128-token blocks, from 1,024 up) could
  have served but the fake did not. Its cause: `cache-key window` (that prompt went out under
  another `prompt_cache_key`: the server's key shards), `routing prefix` (another first 256
  tokens), `overflow` (the same key and prefix, but the machine already served 15 in the last
  minute), `expiry` (idle past the fake's 10 minutes), else `other`;
- **prompt change**: the rest, past that shared prefix: what no earlier prompt had. Named by
  the prompt part where this prompt first differs from that earlier one (`schema`,
  `instructions`, `snapshot`, `edits`, `window`, `task`, ...), or `first call` when no earlier
  prompt shares 1,024 tokens with it and it is the run's first of its kind.

Dollars: uncached input at the card's input price (codex-mini-latest's unless the records say
otherwise). The same split, per request kind (completion, review, rewrite).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codex_lsp.engine import tokens
from codex_lsp.providers.cards import card_for
from tests.fake_openai.caching import (
    BLOCK_TOKENS,
    MIN_CACHED_TOKENS,
    RATE_WINDOW_S,
    ROUTING_PREFIX_TOKENS,
)
from tests.fake_openai.prompt import Prompt, responses_prompt

TTL_S = 600.0  # the fake's implicit idle expiry
RATE = 15
_TAG = re.compile(r"<([a-z_]+)")


@dataclass
class Call:
    at: float
    kind: str
    prompt: Prompt
    cached: int

    @property
    def uncached(self) -> int:
        return len(self.prompt.tokens) - self.cached


def part_name(index: int, text: str) -> str:
    if index == 0:
        return "schema"
    if index == 1:
        return "instructions"
    stripped = text.strip()
    if stripped.startswith("Task:") or stripped.startswith("Task "):
        return "task"
    match = _TAG.match(stripped)
    if match:
        return match.group(1)
    return stripped.split("\n", 1)[0][:24] or "empty"


def shared_tokens(a: list[Any], b: list[Any]) -> int:
    limit = min(len(a), len(b))
    n = 0
    while n + BLOCK_TOKENS <= limit and a[n : n + BLOCK_TOKENS] == b[n : n + BLOCK_TOKENS]:
        n += BLOCK_TOKENS
    while n < limit and a[n] == b[n]:
        n += 1
    return n


def first_part(old: Prompt, new: Prompt) -> str:
    for index, (a, b) in enumerate(zip(old.texts, new.texts, strict=False)):
        if a != b:
            return part_name(index, b)
    if len(new.texts) > len(old.texts):
        return part_name(len(old.texts), new.texts[len(old.texts)])
    return "identical"


def load_calls(records: Iterable[dict[str, Any]]) -> list[Call]:
    calls = []
    for record in sorted(records, key=lambda r: r["received_at"]):
        body = record.get("body")
        if not isinstance(body, dict) or "input" not in body:
            continue
        prompt = responses_prompt(body, tokens.encode)
        kind = record.get("task") or record.get("schema_name") or "?"
        calls.append(Call(record["received_at"], kind, prompt, int(record["cached_tokens"])))
    return calls


def classify(calls: list[Call]) -> dict[str, dict[str, list[int]]]:
    """kind -> cause -> [calls, uncached tokens]."""
    out: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    served: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    seen_kinds: set[str] = set()
    for index, call in enumerate(calls):
        toks = call.prompt.tokens
        route = (tuple(toks[:ROUTING_PREFIX_TOKENS]), call.prompt.cache_key)
        window = [t for t in served[route] if t > call.at - RATE_WINDOW_S]
        overflowed = len(window) >= RATE
        if not overflowed:
            window.append(call.at)
        served[route] = window
        best, best_call, best_raw = 0, None, 0
        for earlier in calls[:index]:
            raw = shared_tokens(earlier.prompt.tokens, toks)
            blocks = raw // BLOCK_TOKENS * BLOCK_TOKENS
            if blocks >= best and raw >= best_raw:
                best, best_call, best_raw = blocks, earlier, raw
        ideal = best if best >= MIN_CACHED_TOKENS else 0
        if len(toks) < MIN_CACHED_TOKENS:
            ideal = 0
        lost = max(0, ideal - call.cached)
        change = call.uncached - lost
        by_cause = out[call.kind]
        if lost and best_call is not None:
            if best_call.prompt.cache_key != call.prompt.cache_key:
                cause = "lost: cache-key window"
            elif tuple(best_call.prompt.tokens[:ROUTING_PREFIX_TOKENS]) != route[0]:
                cause = "lost: routing prefix"
            elif overflowed:
                cause = "lost: overflow"
            elif call.at - best_call.at > TTL_S:
                cause = "lost: expiry"
            else:
                cause = "lost: other"
            by_cause[cause][0] += 1
            by_cause[cause][1] += lost
        if change:
            if ideal == 0 and (call.kind not in seen_kinds or best_call is None):
                cause = "change: first call"
            else:
                where = first_part(best_call.prompt, call.prompt) if best_call else "?"
                prefix = "change (whole prompt)" if ideal == 0 else "change"
                if best_call is not None and best_call.kind != call.kind:
                    where += f" (after {best_call.kind})"
                cause = f"{prefix}: {where}"
            by_cause[cause][0] += 1
            by_cause[cause][1] += change
        seen_kinds.add(call.kind)
    return out


def report(path: Path, model: str = "codex-mini-latest") -> str:
    calls = load_calls(json.loads(path.read_text(encoding="utf-8")))
    price = card_for(model).input_price / 1e6
    table = classify(calls)
    lines = [f"{path}: {len(calls)} calls"]
    total_all = sum(c.uncached for c in calls)
    for kind, causes in sorted(table.items()):
        kind_calls = [c for c in calls if c.kind == kind]
        uncached = sum(c.uncached for c in kind_calls)
        inputs = sum(len(c.prompt.tokens) for c in kind_calls)
        lines.append(
            f"  {kind}: {len(kind_calls)} calls, {inputs} input, {uncached} uncached "
            f"(${uncached * price:.4f}, {uncached / max(1, total_all):.0%} of all uncached)"
        )
        for cause, (n, toks) in sorted(causes.items(), key=lambda kv: -kv[1][1]):
            lines.append(
                f"    {cause:52s} {n:4d} calls {toks:7d} tok ${toks * price:.4f} "
                f"({toks / max(1, uncached):.0%})"
            )
    counts = Counter(c.kind for c in calls)
    lines.append(f"  calls: {dict(counts)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.miss_causes", description=__doc__)
    parser.add_argument("records", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if not tokens.load_now():
        parser.error("the o200k tokenizer did not load")
    for path in args.records:
        print(report(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
