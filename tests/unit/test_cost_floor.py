"""benchmarks.cost_floor: the floor prices what a layout cannot avoid, and no more."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.cost_floor import KindTokens, completion_floor, price, row, whole_cached
from codex_lsp.providers.cards import card_for

CARD = card_for("codex-mini-latest")


def _kind(calls: int, inp: int, cached: int, out: int) -> dict[str, int]:
    return {"calls": calls, "input_tokens": inp, "cached_tokens": cached, "output_tokens": out}


def _write(path: Path, ours: dict[str, dict[str, int]], naive: dict[str, dict[str, int]]) -> Path:
    figures = [{"by_schema": ours}, {"by_schema": naive}]
    data = {
        "history": "h",
        "split": "heldout",
        "regimes": {"implicit": {"model": "codex-mini-latest", "figures": figures}},
    }
    path.write_text(json.dumps(data))
    return path


def test_a_completion_cached_past_the_minimum_costs_more_than_its_floor() -> None:
    kind = KindTokens(calls=10, input_tokens=10 * 1800, cached_tokens=10 * 1600, output_tokens=200)
    assert completion_floor(kind, CARD) < price(kind, CARD)
    # the floor keeps the new tokens and the answer: only the cached part shrinks
    saved = 10 * (1600 - CARD.min_cacheable_tokens) * CARD.cached_input_price / 1_000_000
    assert abs(price(kind, CARD) - completion_floor(kind, CARD) - saved) < 1e-12


def test_reviews_at_the_floor_pay_their_input_at_the_cached_price() -> None:
    review = KindTokens(calls=1, input_tokens=4000, cached_tokens=0, output_tokens=20)
    expected = (4000 * CARD.cached_input_price + 20 * CARD.output_price) / 1_000_000
    assert whole_cached(review, CARD) == expected
    assert whole_cached(review, CARD) < price(review, CARD)


def test_row_divides_by_the_naive_runs_bill(tmp_path: Path) -> None:
    ours = {"completion": _kind(4, 4 * 1500, 4 * 1200, 40), "review": _kind(1, 3000, 0, 10)}
    naive = {"completion": _kind(4, 4 * 4000, 0, 40), "review": _kind(1, 3000, 0, 10)}
    result = row(_write(tmp_path / "replay-h-abc.json", ours, naive), CARD)
    naive_cost = (16000 * 1.5 + 40 * 6 + 3000 * 1.5 + 10 * 6) / 1_000_000
    ours_cost = (4 * 300 * 1.5 + 4800 * 0.375 + 40 * 6 + 3000 * 1.5 + 10 * 6) / 1_000_000
    assert abs(result.ours - ours_cost / naive_cost) < 1e-9
    assert result.floor < result.ours
    assert result.completions_only < result.ours
