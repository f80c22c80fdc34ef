"""Model cards: known models, generic cards for unknown ones, and price overrides."""

from __future__ import annotations

import pytest

from codex_lsp.providers.cards import ModelCard, card_for
from codex_lsp.settings import PriceOverride


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (
            "codex-mini-latest",
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
        ),
        (
            "gpt-5.6-luna",
            ModelCard(
                "gpt-5.6-luna",
                400_000,
                128_000,
                1.00,
                0.10,
                6.00,
                cache_write_price=1.25,
                api="responses",
                reasoning=True,
                cache_regime="explicit",
            ),
        ),
        (
            "gpt-4.1-mini",
            ModelCard("gpt-4.1-mini", 1_000_000, 32_768, 0.40, 0.10, 1.60),
        ),
        (
            "gpt-5.6-nova",
            ModelCard(
                "gpt-5.6-nova",
                128_000,
                16_384,
                0.0,
                0.0,
                0.0,
                reasoning=True,
                cache_regime="explicit",
            ),
        ),
        ("o4-mini", ModelCard("o4-mini", 128_000, 16_384, 0.0, 0.0, 0.0, reasoning=True)),
        ("llama-3.1-8b", ModelCard("llama-3.1-8b", 128_000, 16_384, 0.0, 0.0, 0.0)),
    ],
    ids=[
        "codex-mini",
        "explicit",
        "non-reasoning",
        "unknown-gpt-5.6",
        "unknown-o-series",
        "unknown",
    ],
)
def test_card_for(model: str, expected: ModelCard) -> None:
    assert card_for(model) == expected


def test_price_override_replaces_only_the_fields_given() -> None:
    card = card_for("gpt-5.6-luna", {"gpt-5.6-luna": PriceOverride(output=7.0, cache_write=2.0)})
    assert (
        card.input_price,
        card.cached_input_price,
        card.cache_write_price,
        card.output_price,
    ) == (
        1.00,
        0.10,
        2.0,
        7.0,
    )


def test_price_override_for_another_model_is_ignored() -> None:
    assert card_for("gpt-5.5", {"gpt-5.4-mini": PriceOverride(input=9.0)}).input_price == 5.00


@pytest.mark.parametrize("model", ["olmo-2-7b", "openchat-3.5"], ids=["olmo", "openchat"])
def test_unknown_non_reasoning_models_are_not_reasoning(model: str) -> None:
    assert card_for(model).reasoning is False
