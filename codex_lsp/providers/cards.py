"""Model cards as data: context size, prices, which API serves a model and how it caches.

Prices are USD per 1M tokens. Figures for codex-mini-latest are OpenAI's published ones; the
others are best knowledge as of 2026-11 and can be corrected with the `prices` setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from codex_lsp.settings import PriceOverride

Api = Literal["responses", "chat", "both"]
CacheRegime = Literal["implicit", "explicit"]


@dataclass(frozen=True)
class ModelCard:
    name: str
    context_tokens: int
    max_output_tokens: int
    input_price: float
    cached_input_price: float
    output_price: float
    cache_write_price: float | None = None  # None: writes cost the plain input price
    api: Api = "both"
    reasoning: bool = False
    cache_regime: CacheRegime = "implicit"
    min_cacheable_tokens: int = 1024
    retired: bool = False
    max_prompt_tokens: int | None = None  # a tighter prompt budget, e.g. for slow local models

    def with_prices(self, override: PriceOverride | None) -> ModelCard:
        if override is None:
            return self
        return replace(
            self,
            input_price=_pick(override.input, self.input_price),
            cached_input_price=_pick(override.cached_input, self.cached_input_price),
            output_price=_pick(override.output, self.output_price),
            cache_write_price=_pick(override.cache_write, self.cache_write_price),
        )


def _pick(new: float | None, old: float | None) -> float:
    if new is not None:
        return new
    return old if old is not None else 0.0


def _explicit(name: str, inp: float, out: float, *, context: int = 400_000) -> ModelCard:
    """gpt-5.6 and later: explicit breakpoints, cache writes billed at 1.25x input."""
    return ModelCard(
        name,
        context,
        128_000,
        inp,
        inp / 10,
        out,
        cache_write_price=inp * 1.25,
        api="responses",
        reasoning=True,
        cache_regime="explicit",
    )


CARDS: dict[str, ModelCard] = {
    card.name: card
    for card in [
        ModelCard(
            "codex-mini-latest",
            200_000,
            100_000,
            1.50,
            0.375,
            6.00,
            api="responses",
            reasoning=True,
            retired=True,
        ),
        ModelCard("gpt-5.4-mini", 400_000, 128_000, 0.75, 0.075, 4.50, reasoning=True),
        ModelCard("gpt-5.4-nano", 400_000, 128_000, 0.20, 0.02, 1.25, reasoning=True),
        ModelCard("gpt-5.4", 400_000, 128_000, 2.50, 0.25, 15.00, reasoning=True),
        ModelCard("gpt-5.5", 400_000, 128_000, 5.00, 0.50, 30.00, reasoning=True),
        ModelCard("gpt-5-mini", 400_000, 128_000, 0.25, 0.025, 2.00, reasoning=True),
        ModelCard("gpt-4.1-mini", 1_000_000, 32_768, 0.40, 0.10, 1.60),
        _explicit("gpt-5.6-luna", 1.00, 6.00),
        _explicit("gpt-5.6-terra", 2.50, 15.00),
        _explicit("gpt-5.6-sol", 5.00, 30.00),
        # llama.cpp on 2 cores reads ~118 prompt tokens/s: keep uncached prompts short.
        ModelCard(
            "local",
            4096,
            384,
            0.0,
            0.0,
            0.0,
            api="chat",
            min_cacheable_tokens=0,
            max_prompt_tokens=1800,
        ),
    ]
}


def card_for(model: str, overrides: dict[str, PriceOverride] | None = None) -> ModelCard:
    """The card for `model`; unknown models get a generic card with zero prices until set."""
    card = CARDS.get(model) or _generic(model)
    return card.with_prices((overrides or {}).get(model))


def _generic(model: str) -> ModelCard:
    explicit = model.startswith(("gpt-5.6", "gpt-6"))
    reasoning = bool(re.match(r"o\d", model)) or model.startswith(("gpt-5", "gpt-6", "codex"))
    return ModelCard(
        model,
        128_000,
        16_384,
        0.0,
        0.0,
        0.0,
        reasoning=reasoning,
        cache_regime="explicit" if explicit else "implicit",
    )
