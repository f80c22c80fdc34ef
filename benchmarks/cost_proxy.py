"""An offline proxy of the cost replay, in seconds instead of 15 minutes a history.

    .venv/bin/python -m benchmarks.cost_proxy typer_core,requests_auth [--setting KEY=JSON] [--rate]

The session's steps (`benchmarks.edits`, as the replay plans them) go straight through the
engine (`Assistant`, a stub caller that answers nothing, as `benchmarks.prompt_build` does), in
both layouts: one completion at each pause, a review on open and at each save, a rewrite of the
block just typed at each code action. Each request is built as the Responses provider sends it
and billed as the fake OpenAI server bills it, in o200k_base tokens with its implicit prompt
cache (no per-machine overflow: the replay never lost a token to it); output tokens are those
of the replay's oracle answer. It leaves out what only the real replay has: the server's
debounce, cancellation and typed-through reuse (calls per pause), timing, load. At `cdc9189`
it read completion cached 0.905 / 0.858, all calls 0.862 / 0.783, cost 0.286x / 0.426x on
typer_core / requests_auth, where the replay measured 0.887 / 0.849, 0.847 / 0.778, 0.273x /
0.429x: within 0.02 and 0.013x. Choose with it, then confirm with `benchmarks.replay_all`.
Per request kind it also splits the dollars (ours and the naive layout's) into uncached input,
cached input and output: where the money goes.

`--rate` adds what the replay has and the default leaves out: the fake's per-machine rate (15
requests a minute per routing prefix and key, the overflow a miss) on the simulated clock, and
the server's cache-key shards (`CacheKeyShards`, cache-aware layout only, as the server applies
them). A shard that was idle while the other one took a re-anchored snapshot then misses
whole, as in the replay: at `fb33812` typer_core reads 0.901 / 0.849 / 0.227x with it and
0.919 / 0.865 / 0.229x without, where the replay measured 0.903 / 0.850 / 0.231x at `fa5c9ed`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.edits import (
    DATA_DIR,
    CodeAction,
    Edit,
    Pause,
    Save,
    apply_edit,
    load_session,
    session_steps,
)
from benchmarks.prompt_build import REWRITE_TASK, Recorder, assistant_for
from benchmarks.replay import setting_pair
from benchmarks.responder import Oracle, body_for
from codex_lsp.engine import tokens
from codex_lsp.engine.cache import CacheKeyShards
from codex_lsp.engine.context import Position, Snapshot
from codex_lsp.engine.usage import cost_usd
from codex_lsp.providers.base import Usage
from codex_lsp.providers.cards import card_for
from codex_lsp.providers.responses import build_params
from tests.fake_openai.caching import PromptCache
from tests.fake_openai.prompt import responses_prompt

MODEL = "codex-mini-latest"
KEYSTROKE_S, PAUSE_S = 0.1, 1.0  # the replay's pace, for the cache's idle expiry
RATE_PER_MINUTE = 15  # the fake's per-machine rate, per routing prefix and key, in the replay


@dataclass
class Kind:
    calls: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def cached_ratio(self) -> float:
        return self.cached_tokens / self.input_tokens if self.input_tokens else 0.0


@dataclass
class Billing:
    """The fake's implicit cache on a simulated clock, and the totals per request kind."""

    now: float = 0.0
    kinds: dict[str, Kind] = field(default_factory=dict)
    rate: bool = False  # the per-machine rate
    shards: bool = False  # the server's cache-key shards
    records: list[dict[str, Any]] = field(default_factory=list)  # as the fake's, for --dump

    def __post_init__(self) -> None:
        rpm = RATE_PER_MINUTE if self.rate else None
        self.cache = PromptCache(per_prefix_rpm=rpm, clock=lambda: self.now)
        self.key_shards = CacheKeyShards(clock=lambda: self.now) if self.shards else None

    def bill(self, recorder: Recorder, kind: str, suggestion: str = "") -> None:
        """Bills the recorded requests; the answer is the replay's (`responder.body_for`),
        written as each request's schema forces."""
        oracle = Oracle()
        oracle.set(suggestion)
        for request in recorder.requests:
            answer = json.dumps(body_for(kind, oracle, request.json_schema))
            if self.key_shards is not None and request.prompt_cache_key:
                key = self.key_shards.key(request.prompt_cache_key, request.schema_name)
                request = replace(request, prompt_cache_key=key)
            body = {**build_params(request, MODEL), "stream": True}
            prompt = responses_prompt(body, tokens.encode)
            cached = self.cache.lookup(prompt, explicit=False).cached_tokens
            self.records.append(
                {"received_at": self.now, "task": kind, "body": body, "cached_tokens": cached}
            )
            usage = Usage(
                input_tokens=len(prompt.tokens),
                cached_tokens=cached,
                output_tokens=len(tokens.encode(answer)),
                model=MODEL,
            )
            totals = self.kinds.setdefault(kind, Kind())
            totals.calls += 1
            totals.input_tokens += usage.input_tokens
            totals.cached_tokens += cached
            totals.output_tokens += usage.output_tokens
            totals.cost_usd += cost_usd(usage, card_for(MODEL))
        recorder.requests.clear()


async def replay(
    history: str, layout: str, settings: dict[str, Any], rate: bool = False
) -> Billing:
    session = load_session(DATA_DIR / history)
    assistant, recorder = assistant_for(MODEL, promptLayout=layout, **settings)
    # The server shards keys only for the cache-aware layout (the naive one uses no caches).
    billing = Billing(rate=rate, shards=rate and layout == "cache-aware")
    text, version, cursor, ahead = session.texts[0], 1, (0, 0), ""

    def snapshot() -> Snapshot:
        return Snapshot(session.uri, version, text, session.language_id)

    async def review() -> None:
        async for _ in assistant.review(snapshot(), []):
            pass
        billing.bill(recorder, "review")

    await review()  # on open
    for step in session_steps(session):
        if isinstance(step, Edit):
            text, version = apply_edit(text, step), version + 1
            cursor, ahead = step.cursor, step.ahead
            billing.now += KEYSTROKE_S
        elif isinstance(step, Pause):
            billing.now += PAUSE_S
            async for _ in assistant.complete(snapshot(), Position(*cursor), []):
                pass
            billing.bill(recorder, "completion", ahead)  # the replay's oracle
        elif isinstance(step, Save):
            await review()
        elif isinstance(step, CodeAction):
            current = snapshot()
            region = current.line_span(step.first, max(step.first, step.last - 1))
            await assistant.rewrite(current, region, REWRITE_TASK, [])
            billing.bill(recorder, "rewrite")
    return billing


def dollars(kind: Kind) -> dict[str, float]:
    """Where a kind's dollars go: uncached input, cached input, output (the card's prices)."""
    card = card_for(MODEL)
    uncached = kind.input_tokens - kind.cached_tokens
    return {
        "uncached_usd": round(uncached * card.input_price / 1e6, 4),
        "cached_usd": round(kind.cached_tokens * card.cached_input_price / 1e6, 4),
        "output_usd": round(kind.output_tokens * card.output_price / 1e6, 4),
    }


def summary(
    history: str, settings: dict[str, Any], rate: bool = False, dump: Path | None = None
) -> dict[str, Any]:
    ours = asyncio.run(replay(history, "cache-aware", settings, rate))
    naive = asyncio.run(replay(history, "naive", settings, rate))
    if dump is not None:
        for layout, billing in (("cache-aware", ours), ("naive", naive)):
            path = dump / history / f"{layout}-implicit.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(billing.records), encoding="utf-8")
    every = Kind()
    for kind in ours.kinds.values():
        every.input_tokens += kind.input_tokens
        every.cached_tokens += kind.cached_tokens
        every.cost_usd += kind.cost_usd
    naive_cost = sum(kind.cost_usd for kind in naive.kinds.values())
    completion, naive_completion = ours.kinds["completion"], naive.kinds["completion"]
    return {
        "history": history,
        "completion_cached": round(completion.cached_ratio, 3),
        "all_cached": round(every.cached_ratio, 3),
        "cost_vs_naive": round(every.cost_usd / naive_cost, 3),
        "completion_tokens_per_call": round(completion.input_tokens / completion.calls),
        "naive_completion_tokens_per_call": round(
            naive_completion.input_tokens / naive_completion.calls
        ),
        "naive_completion_cached": round(naive_completion.cached_ratio, 3),
        "by_kind": {
            name: {
                "calls": kind.calls,
                "tokens_per_call": round(kind.input_tokens / kind.calls),
                "cached": round(kind.cached_ratio, 3),
                "usd": round(kind.cost_usd, 4),
                **dollars(kind),
                "naive_usd": round(naive.kinds[name].cost_usd, 4) if name in naive.kinds else None,
                "naive": dollars(naive.kinds[name]) if name in naive.kinds else None,
            }
            for name, kind in ours.kinds.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cost_proxy", description=__doc__)
    parser.add_argument("histories", help="folders under benchmarks/data, comma-separated")
    parser.add_argument(
        "--setting", action="append", default=[], type=setting_pair, metavar="KEY=JSON"
    )
    parser.add_argument(
        "--rate",
        action="store_true",
        help="the fake's per-machine rate (15 a minute) and the server's cache-key shards",
    )
    parser.add_argument(
        "--dump", type=Path, help="write the requests as the replay's --dump does (miss_causes)"
    )
    args = parser.parse_args(argv)
    if not tokens.load_now():
        parser.error("the o200k tokenizer did not load")
    for history in args.histories.split(","):
        print(json.dumps(summary(history, dict(args.setting), args.rate, args.dump)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
