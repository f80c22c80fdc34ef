"""`benchmarks.miss_causes`: each uncached token of a run named by its cause."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.miss_causes import classify, load_calls
from codex_lsp.engine import tokens

SCHEMA = {"type": "object", "properties": {"suggestions": {"type": "array"}}}
CODE = "\n".join(f"value_{i} = compute({i}, 'a constant string')" for i in range(200))


@pytest.fixture(autouse=True)
def o200k() -> None:
    if not tokens.load_now():
        pytest.skip("the o200k tokenizer is not available")


def record(at: float, tail: str, cached: int, key: str = "doc", head: str = CODE) -> dict[str, Any]:
    body = {
        "model": "codex-mini-latest",
        "prompt_cache_key": key,
        "instructions": "You complete code.",
        "text": {"format": {"type": "json_schema", "name": "completion", "schema": SCHEMA}},
        "input": [
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": head},
                    {"type": "input_text", "text": tail},
                ],
            }
        ],
    }
    return {"received_at": at, "task": "completion", "body": body, "cached_tokens": cached}


def test_a_cold_key_is_a_lost_prefix_and_a_new_tail_a_prompt_change() -> None:
    size = len(tokens.encode(CODE))
    calls = load_calls(
        [
            record(0.0, "<window>\nfirst", 0),
            record(1.0, "<window>\nsecond", size // 128 * 128),  # served from the cache
            record(2.0, "<window>\nthird", 0, key="doc-1"),  # the other shard key: cold
        ]
    )
    causes = classify(calls)["completion"]
    assert causes["change: first call"][0] == 1
    assert causes["change: window"][0] == 2  # what no earlier prompt had, twice
    calls_lost, lost = causes["lost: cache-key window"]
    assert calls_lost == 1 and lost == size // 128 * 128
    total = sum(c.uncached for c in calls)
    assert sum(tokens for _, tokens in causes.values()) == total
