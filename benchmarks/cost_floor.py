"""How low the cost against the naive layout can go on a replayed history, from stored results.

Reads `results/replay-<history>-<commit>.json` (implicit regime) and prices its tokens again:
as measured, and at a floor no cache-aware layout can beat on that history's calls. At the
floor every completion prompt is cached for exactly the caching minimum and no more (a shorter
prompt has no cached part; a longer one pays for more cached tokens), keeps the uncached
tokens and output it had (what a pause must send new: the typed line, the window after a jump,
the answer), and every review and rewrite is cached whole (only its output is paid in full).
When the floor is above a target, no prompt layout meets that target on that history with the
same calls, the same naive baseline and the same prices.

    python -m benchmarks.cost_floor --commit 7e3b1d3
    python -m benchmarks.cost_floor --commit 7e3b1d3 --model gpt-5.4-mini  # other prices
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from codex_lsp.engine.usage import cost_usd
from codex_lsp.providers.base import Usage
from codex_lsp.providers.cards import ModelCard, card_for

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class KindTokens:
    """One kind of call's totals in a replay (`by_schema` in the results)."""

    calls: int
    input_tokens: int
    cached_tokens: int
    output_tokens: int

    @property
    def uncached_tokens(self) -> int:
        return max(self.input_tokens - self.cached_tokens, 0)

    def usage(self) -> Usage:
        return Usage(self.input_tokens, self.cached_tokens, output_tokens=self.output_tokens)


def price(kind: KindTokens, card: ModelCard) -> float:
    """Dollars for the tokens as measured (implicit regime: no cache writes)."""
    return cost_usd(kind.usage(), card)


def completion_floor(kind: KindTokens, card: ModelCard) -> float:
    """Every completion call cached for exactly the minimum, its new tokens and answer kept."""
    cached = kind.calls * card.min_cacheable_tokens
    floor = Usage(cached + kind.uncached_tokens, cached, output_tokens=kind.output_tokens)
    return cost_usd(floor, card)


def whole_cached(kind: KindTokens, card: ModelCard) -> float:
    """A review or rewrite whose whole input was cached: the lowest its input can cost."""
    whole = Usage(kind.input_tokens, kind.input_tokens, output_tokens=kind.output_tokens)
    return cost_usd(whole, card)


def kinds(figures: dict[str, object]) -> dict[str, KindTokens]:
    by_schema = figures["by_schema"]
    assert isinstance(by_schema, dict)
    return {
        name: KindTokens(v["calls"], v["input_tokens"], v["cached_tokens"], v["output_tokens"])
        for name, v in by_schema.items()
    }


@dataclass(frozen=True)
class Row:
    history: str
    split: str
    ours: float
    completions_only: float
    floor: float


def row(path: Path, card: ModelCard) -> Row:
    data = json.loads(path.read_text())
    ours_figures, naive_figures = data["regimes"]["implicit"]["figures"][:2]
    ours, naive = kinds(ours_figures), kinds(naive_figures)
    naive_cost = sum(price(k, card) for k in naive.values())
    floor = sum(
        completion_floor(k, card) if name == "completion" else whole_cached(k, card)
        for name, k in ours.items()
    )
    return Row(
        history=data["history"],
        split=data["split"],
        ours=sum(price(k, card) for k in ours.values()) / naive_cost,
        completions_only=price(ours["completion"], card) / naive_cost,
        floor=floor / naive_cost,
    )


def table(rows: list[Row], card: ModelCard, target: float) -> str:
    lines = [
        f"Prices: {card.name} (input ${card.input_price}, cached ${card.cached_input_price}, "
        f"output ${card.output_price} per 1M); caching minimum {card.min_cacheable_tokens}.",
        "",
        "| History | Split | Cost vs naive | Completions alone | Floor | Floor meets "
        f"<= {target}x |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        verdict = "yes" if r.floor <= target else "**no**"
        lines.append(
            f"| `{r.history}` | {r.split} | {r.ours:.3f}x | {r.completions_only:.3f}x "
            f"| {r.floor:.3f}x | {verdict} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", required=True, help="the results' commit, as in file names")
    parser.add_argument("--model", help="price the tokens with this model's card instead")
    parser.add_argument("--target", type=float, default=0.25, help="cost target (x naive)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    paths = sorted(args.results.glob(f"replay-*-{args.commit}.json"))
    if not paths:
        raise SystemExit(f"no results/replay-*-{args.commit}.json under {args.results}")
    model = args.model or json.loads(paths[0].read_text())["regimes"]["implicit"]["model"]
    card = card_for(model)
    rows = sorted((row(p, card) for p in paths), key=lambda r: (r.split != "heldout", r.history))
    print(table(rows, card, args.target))


if __name__ == "__main__":
    main()
