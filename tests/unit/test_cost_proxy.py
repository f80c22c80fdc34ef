"""The cost proxy's billing: the dollars split per kind, and `--rate` (the fake's per-machine
rate with the server's cache-key shards) on the simulated clock. Nothing is replayed."""

from __future__ import annotations

import pytest

from benchmarks.cost_proxy import Billing, dollars
from benchmarks.prompt_build import Recorder
from codex_lsp.engine import tokens
from codex_lsp.providers.base import ModelRequest, PromptPart

ANSWER = "pass"  # the suggestion the responder writes


@pytest.fixture(autouse=True)
def o200k() -> None:
    if not tokens.load_now():
        pytest.skip("the o200k tokenizer is not available")


def request(n: int) -> ModelRequest:
    """A prompt well past the caching minimum whose end differs per request."""
    code = "\n".join(f"value_{i} = compute({i}, 'a constant string')" for i in range(200))
    return ModelRequest(
        feature="completion",
        instructions="You complete code.",
        parts=(PromptPart(code), PromptPart(f"\ncursor {n}")),
        schema_name="editor",
        json_schema={"type": "object"},
        prompt_cache_key="codex-lsp-doc",
    )


def bill_one_a_second(billing: Billing, count: int) -> list[int]:
    """Cached tokens of each of `count` requests sent a second apart."""
    recorder = Recorder("codex-mini-latest")
    cached = []
    for n in range(count):
        billing.now = float(n)
        before = billing.kinds["completion"].cached_tokens if billing.kinds else 0
        recorder.requests.append(request(n))
        billing.bill(recorder, "completion", ANSWER)
        cached.append(billing.kinds["completion"].cached_tokens - before)
    return cached


def test_the_dollars_split_adds_up_to_the_cost() -> None:
    billing = Billing()
    bill_one_a_second(billing, 3)
    kind = billing.kinds["completion"]
    split = dollars(kind)
    assert split["cached_usd"] > 0 and split["uncached_usd"] > split["output_usd"] > 0
    assert sum(split.values()) == pytest.approx(kind.cost_usd, abs=2e-4)


def test_without_the_rate_every_request_after_the_first_reads_the_cache() -> None:
    cached = bill_one_a_second(Billing(), 20)
    assert cached[0] == 0 and all(c > 1024 for c in cached[1:])


def test_the_rate_alone_makes_the_sixteenth_request_in_a_minute_miss() -> None:
    cached = bill_one_a_second(Billing(rate=True), 20)
    assert all(c > 1024 for c in cached[1:15])
    assert cached[15:] == [0] * 5  # overflow to cold machines, each time


def test_with_shards_the_second_key_misses_once_then_reads_its_own_cache() -> None:
    cached = bill_one_a_second(Billing(rate=True, shards=True), 20)
    assert all(c > 1024 for c in cached[1:15])
    assert cached[15] == 0 and all(c > 1024 for c in cached[16:])


def test_output_is_billed_as_the_schema_makes_a_model_write_it() -> None:
    """A record of every feature's list makes a model write the empty ones too; the shared
    schema's union (one field) does not: the same suggestion costs fewer output tokens."""
    from benchmarks.responder import Oracle, body_for
    from codex_lsp.engine.schemas import CompletionAnswer, EditorAnswer, strict_schema

    record = {
        "type": "object",
        "properties": {name: {"type": "array"} for name in ("suggestions", "findings", "rewrites")},
        "required": ["suggestions", "findings", "rewrites"],
    }
    oracle = Oracle()
    oracle.set("\nreturn value\n")
    suggestion = [{"insert_text": "\nreturn value"}]
    assert body_for("completion", oracle, record) == {
        "suggestions": suggestion,
        "findings": [],
        "rewrites": [],
    }
    assert body_for("completion", oracle, strict_schema(EditorAnswer)) == {"answer": suggestion}
    assert body_for("completion", oracle, strict_schema(CompletionAnswer)) == {
        "suggestions": suggestion
    }
    assert body_for("review", oracle, record) == {"suggestions": [], "findings": [], "rewrites": []}


def test_the_fake_tells_the_task_of_a_union_schema_from_the_prompts_end() -> None:
    from codex_lsp.engine.schemas import EditorAnswer, bare_schema
    from tests.fake_openai.prompt import responses_prompt

    body = {
        "model": "codex-mini-latest",
        "input": [{"role": "user", "content": "code\nTask: review (answer: findings)."}],
        "text": {
            "format": {"type": "json_schema", "name": "editor", "schema": bare_schema(EditorAnswer)}
        },
    }
    assert responses_prompt(body, tokens.encode).task == "review"
