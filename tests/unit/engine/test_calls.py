"""ModelCaller: model fallback, auth failures, mid-stream failures, the response cache, usage.

The provider is `tests/unit/fakes.py`: per model, a script of text deltas, usage and errors; a
model without a script does not exist on the fake backend. Token counts here are the character
estimate (tests/unit/conftest.py keeps the o200k tokenizer out).
"""

from __future__ import annotations

from contextlib import aclosing

import pytest

from codex_lsp.engine.calls import ModelCaller, ModelUnavailable
from codex_lsp.engine.schemas import Suggestion
from codex_lsp.engine.usage import CallRecord, Ledger
from codex_lsp.providers.base import (
    AuthenticationError,
    ModelRequest,
    PromptPart,
    ProviderError,
    TextDelta,
    Usage,
)
from codex_lsp.settings import PriceOverride
from tests.unit.fakes import Event, FakeProvider

Note = tuple[str, str, str]

ANSWER = [
    TextDelta('{"suggestions": [{"insert_'),
    TextDelta('text": "a"}, {"insert_text": '),
    TextDelta('"b"}]}'),
]


def request(prompt: str = "x = 1") -> ModelRequest:
    return ModelRequest(
        feature="completion",
        instructions="Complete the code.",
        parts=(PromptPart(prompt[:4], breakpoint=True), PromptPart(prompt[4:])),
        schema_name="completion",
        json_schema={"type": "object"},
    )


def make_caller(
    scripts: dict[str, list[Event]],
    models: list[str],
    *,
    prices: dict[str, PriceOverride] | None = None,
    log: list[str] | None = None,
) -> tuple[ModelCaller, FakeProvider, list[Note], list[tuple[CallRecord, int]]]:
    provider = FakeProvider(scripts, log)
    notes: list[Note] = []
    usages: list[tuple[CallRecord, int]] = []
    caller = ModelCaller(
        provider,
        models,
        notify=lambda key, level, text: notes.append((key, level, text)),
        prices=prices,
        on_usage=lambda record, ledger: usages.append((record, ledger.calls)),
    )
    return caller, provider, notes, usages


async def texts(caller: ModelCaller, req: ModelRequest, log: list[str] | None = None) -> list[str]:
    out: list[str] = []
    async with aclosing(caller.stream_items(req, Suggestion, "suggestions")) as items:
        async for item in items:
            out.append(item.insert_text)
            if log is not None:
                log.append(f"item {item.insert_text}")
    return out


def missing(model: str, then: str = "") -> Note:
    tail = f" Using '{then}' instead." if then else ""
    return (
        f"missing:{model}",
        "warning",
        f"codex-lsp: Model '{model}' is not available on this backend. (404 from the fake){tail}",
    )


# --- which model answers -----------------------------------------------------------------------


async def test_falls_back_on_model_not_found_notifies_once_and_remembers_the_model() -> None:
    caller, provider, notes, _ = make_caller(
        {"gpt-5.4-mini": ANSWER, "gpt-5.5": ANSWER},
        ["codex-mini-latest", "gpt-5.4-mini", "gpt-5.5"],
    )
    assert await texts(caller, request("x = 1")) == ["a", "b"]
    assert await texts(caller, request("y = 2")) == ["a", "b"]
    assert provider.calls == ["codex-mini-latest", "gpt-5.4-mini", "gpt-5.4-mini"]
    assert notes == [missing("codex-mini-latest", then="gpt-5.4-mini")]
    assert caller.model == "gpt-5.4-mini"


async def test_no_model_available_raises_after_one_message_per_model() -> None:
    caller, provider, notes, usages = make_caller({}, ["codex-mini-latest", "gpt-5.5", "gpt-5.5"])
    with pytest.raises(ModelUnavailable, match=r"^no configured model is available$"):
        await texts(caller, request())
    assert provider.calls == ["codex-mini-latest", "gpt-5.5"]
    assert notes == [
        missing("codex-mini-latest", then="gpt-5.5"),
        missing("gpt-5.5"),
        (
            "no-model",
            "error",
            "codex-lsp: none of the configured models is available (codex-mini-latest, "
            "gpt-5.5, gpt-5.5). Set codexLsp.model or codexLsp.fallbackModels.",
        ),
    ]
    assert usages == []


async def test_dead_models_are_not_asked_again() -> None:
    caller, provider, _, _ = make_caller({}, ["codex-mini-latest"])
    for _ in range(2):
        with pytest.raises(ModelUnavailable):
            await texts(caller, request())
    assert provider.calls == ["codex-mini-latest"]


async def test_remembered_model_that_disappears_falls_back_to_the_next() -> None:
    caller, provider, notes, _ = make_caller(
        {"gpt-5.4-mini": ANSWER, "gpt-5.5": ANSWER}, ["gpt-5.4-mini", "gpt-5.5"]
    )
    assert await texts(caller, request("x = 1")) == ["a", "b"]
    del provider.scripts["gpt-5.4-mini"]  # retired mid-session
    assert await texts(caller, request("y = 2")) == ["a", "b"]
    assert provider.calls == ["gpt-5.4-mini", "gpt-5.4-mini", "gpt-5.5"]
    assert notes == [missing("gpt-5.4-mini", then="gpt-5.5")]


async def test_authentication_error_is_model_unavailable_with_one_message_and_no_fallback() -> None:
    rejected = AuthenticationError("The backend at http://fake/v1 rejected the API key (401).")
    caller, provider, notes, usages = make_caller(
        {"gpt-5.4-mini": [rejected], "gpt-5.5": ANSWER}, ["gpt-5.4-mini", "gpt-5.5"]
    )
    with pytest.raises(ModelUnavailable, match=r"rejected the API key \(401\)\.$"):
        await texts(caller, request())
    assert provider.calls == ["gpt-5.4-mini"]
    assert notes == [
        ("auth", "error", "codex-lsp: The backend at http://fake/v1 rejected the API key (401).")
    ]
    assert usages == []


# --- failures mid-stream -----------------------------------------------------------------------

CUT = [
    TextDelta('{"suggestions": [{"insert_text": "a"}, '),
    TextDelta('{"insert_text": "b"}, {"insert_te'),
    ProviderError("Lost the connection to http://fake/v1: reset", retryable=True),
]


async def test_provider_error_mid_stream_yields_the_items_completed_before_it() -> None:
    log: list[str] = []
    caller, _, notes, usages = make_caller({"gpt-5.4-mini": CUT}, ["gpt-5.4-mini"], log=log)
    assert await texts(caller, request(), log) == ["a", "b"]
    assert log == [
        'sent TextDelta(text=\'{"suggestions": [{"insert_text": "a"}, \')',
        'sent TextDelta(text=\'{"insert_text": "b"}, {"insert_te\')',
        "item a",
        "item b",
    ]
    assert [(level, text) for _, level, text in notes] == [
        ("warning", "codex-lsp: Lost the connection to http://fake/v1: reset")
    ]
    # No usage arrived: estimated from the prompt (23 chars: 7 tokens) and the text received
    # (72 chars: 20 tokens), 7 * 0.75 + 20 * 4.50 = 95.25 micro-dollars.
    assert usages == [
        (CallRecord("completion", "gpt-5.4-mini", 7, 0, 0, 20, 0, pytest.approx(0.00009525)), 1)
    ]
    assert caller.choice.working == "gpt-5.4-mini"


async def test_items_reach_the_caller_while_the_provider_is_still_streaming() -> None:
    log: list[str] = []
    caller, _, _, _ = make_caller({"m": [*ANSWER, Usage(10, 0, 0, 5)]}, ["m"], log=log)
    await texts(caller, request(), log)
    assert [entry.split("(")[0] for entry in log] == [
        "sent TextDelta",
        "sent TextDelta",
        "item a",
        "sent TextDelta",
        "item b",
        "sent Usage",
    ]


async def test_distinct_provider_failures_are_distinct_messages() -> None:
    caller, provider, notes, _ = make_caller({}, ["m"])
    provider.scripts["m"] = [ProviderError("Rate limited by http://fake/v1 (429).", retryable=True)]
    await texts(caller, request("x = 1"))
    provider.scripts["m"] = [ProviderError("The model at http://fake/v1 stopped answering.")]
    await texts(caller, request("y = 2"))
    assert len({key for key, _, _ in notes}) == 2


# --- the response cache ------------------------------------------------------------------------


async def test_identical_request_is_served_from_the_response_cache() -> None:
    caller, provider, _, usages = make_caller({"m": [*ANSWER, Usage(100, 0, 0, 10)]}, ["m"])
    assert await texts(caller, request("x = 1")) == ["a", "b"]
    assert await texts(caller, request("x = 1")) == ["a", "b"]
    assert provider.calls == ["m"]
    assert caller.ledger.avoided == {"response": 1}
    assert (caller.ledger.calls, len(usages)) == (1, 1)
    assert await texts(caller, request("x = 2")) == ["a", "b"]
    assert provider.calls == ["m", "m"]


@pytest.mark.parametrize(
    "script",
    [
        CUT,
        [TextDelta('{"suggestions": [{"insert_text": 1}, {"insert_text": "b"}]}')],
        [TextDelta('{"suggestions": [{"insert_text": "a"}]} trailing prose')],
    ],
    ids=["cut-short", "invalid-item", "not-clean-json"],
)
async def test_damaged_answers_are_not_cached(script: list[Event]) -> None:
    caller, provider, _, _ = make_caller({"m": script}, ["m"])
    await texts(caller, request())
    await texts(caller, request())
    assert provider.calls == ["m", "m"]
    assert caller.ledger.avoided == {}


# --- usage -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prices", "dollars"),
    [
        # 6_000 * 0.75 + 4_000 * 0.075 + 1_000 * 4.50 = 9_300 micro-dollars
        (None, 0.0093),
        # 6_000 * 1.00 + 4_000 * 0.10 + 1_000 * 5.00 = 11_400
        ({"gpt-5.4-mini": PriceOverride(input=1.0, cached_input=0.1, output=5.0)}, 0.0114),
    ],
    ids=["card-prices", "overridden-prices"],
)
async def test_usage_is_recorded_with_dollars_from_the_card(
    prices: dict[str, PriceOverride] | None, dollars: float
) -> None:
    usage = Usage(10_000, 4_000, 0, 1_000, 200, "gpt-5.4-mini-2026-03-17")
    caller, _, _, usages = make_caller(
        {"gpt-5.4-mini": [*ANSWER, usage]}, ["gpt-5.4-mini"], prices=prices
    )
    await texts(caller, request())
    assert usages == [
        (
            CallRecord(
                "completion",
                "gpt-5.4-mini-2026-03-17",
                10_000,
                4_000,
                0,
                1_000,
                200,
                pytest.approx(dollars),
            ),
            1,
        )
    ]
    assert caller.ledger.cost_usd == pytest.approx(dollars)


async def test_shared_ledger_accumulates_across_callers() -> None:
    ledger = Ledger()
    for _ in range(2):
        provider = FakeProvider({"gpt-5.4-mini": [*ANSWER, Usage(1_000, 0, 0, 100)]})
        caller = ModelCaller(provider, ["gpt-5.4-mini"], notify=lambda *_: None, ledger=ledger)
        await texts(caller, request())
    assert (ledger.calls, ledger.input_tokens, ledger.output_tokens) == (2, 2_000, 200)


async def test_usage_is_recorded_when_the_consumer_stops_early() -> None:
    caller, _, _, usages = make_caller({"m": [*ANSWER, Usage(100, 0, 0, 10)]}, ["m"])
    async with aclosing(caller.stream_items(request(), Suggestion, "suggestions")) as items:
        async for _ in items:
            break
    assert caller.ledger.calls == 1
    assert len(usages) == 1
