"""ModelCaller: model fallback, auth failures, mid-stream failures, the circuit breaker and
retries, the response cache, usage.

The provider is `tests/unit/fakes.py`: per model, a script of text deltas, usage and errors
(or scripts queued for its next calls); a model without a script does not exist on the fake
backend. Time is a FakeClock that moves when a test or the caller's sleep says so. Token counts
here are the character estimate (tests/unit/conftest.py keeps the o200k tokenizer out).
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from dataclasses import replace

import pytest

from codex_lsp.engine.calls import ModelCaller, ModelUnavailable, Outcome
from codex_lsp.engine.schemas import Suggestion
from codex_lsp.engine.usage import CallRecord, Ledger
from codex_lsp.providers.base import (
    AuthenticationError,
    ModelRequest,
    PromptPart,
    ProviderError,
    RateLimitError,
    TextDelta,
    Usage,
)
from codex_lsp.settings import PriceOverride
from tests.unit.fakes import Event, FakeClock, FakeProvider, Hang

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
    clock: FakeClock | None = None,
) -> tuple[ModelCaller, FakeProvider, list[Note], list[tuple[CallRecord, int]]]:
    provider = FakeProvider(scripts, log)
    notes: list[Note] = []
    usages: list[tuple[CallRecord, int]] = []
    clock = clock or FakeClock()
    caller = ModelCaller(
        provider,
        models,
        notify=lambda key, level, text: notes.append((key, level, text)),
        prices=prices,
        on_usage=lambda record, ledger: usages.append((record, ledger.calls)),
        clock=clock,
        sleep=clock.sleep,
    )
    return caller, provider, notes, usages


async def texts(
    caller: ModelCaller,
    req: ModelRequest,
    log: list[str] | None = None,
    *,
    explicit: bool = False,
) -> list[str]:
    out: list[str] = []
    stream = caller.stream_items(req, Suggestion, "suggestions", explicit=explicit)
    async with aclosing(stream) as items:
        async for item in items:
            out.append(item.insert_text)
            if log is not None:
                log.append(f"item {item.insert_text}")
    return out


def keyless(notes: list[Note]) -> list[Note]:
    """Notes with the outage number (unique in the process) taken off their keys."""
    return [(_unnumbered(key), level, text) for key, level, text in notes]


def _unnumbered(key: str) -> str:
    return key.rsplit(":", 1)[0] if key.startswith("outage:") else key


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


async def test_two_missing_models_are_one_message() -> None:
    caller, provider, notes, _ = make_caller({"c": ANSWER}, ["a", "b", "c"])
    assert await texts(caller, request()) == ["a", "b"]
    assert provider.calls == ["a", "b", "c"]
    assert notes == [
        (
            "missing:a,b",
            "warning",
            "codex-lsp: Models 'a', 'b' are not available on this backend. Using 'c' instead.",
        )
    ]


NO_MODEL = (
    "none of the configured models is available on this backend (codex-mini-latest, gpt-5.5). "
    "The backend said: (404 from the fake)"
)


async def test_no_model_available_is_one_message_naming_the_models_and_the_settings() -> None:
    caller, provider, notes, usages = make_caller({}, ["codex-mini-latest", "gpt-5.5", "gpt-5.5"])
    with pytest.raises(ModelUnavailable) as raised:
        await texts(caller, request())
    assert str(raised.value) == NO_MODEL + " Model calls are paused; next try in 30 s."
    assert provider.calls == ["codex-mini-latest", "gpt-5.5"]
    assert keyless(notes) == [
        (
            "outage:no-model",
            "error",
            f"codex-lsp: {NO_MODEL} Set codexLsp.model or codexLsp.fallbackModels to a model it "
            "serves; codex-lsp asks again every 30 s.",
        )
    ]
    assert usages == []


async def test_missing_models_are_not_asked_again_within_the_cool_down() -> None:
    clock = FakeClock()
    caller, provider, notes, _ = make_caller({}, ["codex-mini-latest"], clock=clock)
    for _ in range(3):
        with pytest.raises(ModelUnavailable):
            await texts(caller, request())
        clock.advance(10)
    assert provider.calls == ["codex-mini-latest"]
    assert len(notes) == 1


async def test_missing_models_are_asked_again_after_the_cool_down_and_recover() -> None:
    clock = FakeClock()
    caller, provider, notes, _ = make_caller({}, ["gpt-5.4-mini", "gpt-5.5"], clock=clock)
    with pytest.raises(ModelUnavailable):
        await texts(caller, request("x = 1"))
    clock.advance(29.9)
    with pytest.raises(ModelUnavailable, match=r"next try in 1 s\.$"):
        await texts(caller, request("x = 1"))
    provider.scripts["gpt-5.5"] = ANSWER  # the backend serves it again
    clock.advance(0.1)
    assert await texts(caller, request("x = 1")) == ["a", "b"]
    assert await texts(caller, request("y = 2")) == ["a", "b"]
    assert provider.calls == ["gpt-5.4-mini", "gpt-5.5", "gpt-5.4-mini", "gpt-5.5", "gpt-5.5"]
    assert caller.breaker.outage is None
    assert [key for key, _, _ in keyless(notes)] == ["outage:no-model", "missing:gpt-5.4-mini"]


async def test_still_missing_after_the_cool_down_is_the_same_outage() -> None:
    clock = FakeClock()
    caller, provider, notes, _ = make_caller({}, ["m"], clock=clock)
    for _ in range(3):
        with pytest.raises(ModelUnavailable):
            await texts(caller, request())
        clock.advance(30)
    assert provider.calls == ["m", "m", "m"]
    assert len(notes) == 1


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
    assert keyless(notes) == [
        (
            "outage:auth",
            "error",
            "codex-lsp: The backend at http://fake/v1 rejected the API key (401).",
        )
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
        "item a",  # with the delta that closed it, not when the next one started
        'sent TextDelta(text=\'{"insert_text": "b"}, {"insert_te\')',
        "item b",
    ]
    assert [(level, text) for _, level, text in notes] == [
        ("warning", "codex-lsp: Lost the connection to http://fake/v1: reset")
    ]
    # No usage arrived: estimated from the prompt, part by part (18 + 4 + 1 chars: 5 + 2 + 1
    # tokens), and the text received (72 chars: 20 tokens), 8 * 0.75 + 20 * 4.50 = 96
    # micro-dollars.
    assert usages == [
        (CallRecord("completion", "gpt-5.4-mini", 8, 0, 0, 20, 0, pytest.approx(0.000096)), 1)
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


async def test_distinct_request_failures_are_distinct_messages_once_each() -> None:
    caller, provider, notes, _ = make_caller({}, ["m"])
    for text in ["The model stopped early: max_output_tokens", "m answered 400: too long"] * 2:
        provider.scripts["m"] = [ProviderError(text)]
        await texts(caller, request(text))
    assert notes == [
        (
            "provider:The model stopped early: max_output_tokens",
            "warning",
            "codex-lsp: The model stopped early: max_output_tokens",
        ),
        ("provider:m answered 400: too long", "warning", "codex-lsp: m answered 400: too long"),
    ]


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


# --- the circuit breaker -----------------------------------------------------------------------

DOWN = ProviderError("http://fake/v1 answered 503: Error code: 503", retryable=True)
FAILED = (
    "provider:http://fake/v1 answered 503: Error code: 503",
    "warning",
    "codex-lsp: http://fake/v1 answered 503: Error code: 503",
)
PAUSED = (
    "codex-lsp: http://fake/v1 answered 503: Error code: 503 Model calls are paused and resume "
    "by themselves when the backend recovers (next try in 2 s)."
)


async def failing_caller(
    failures: int = 3,
) -> tuple[ModelCaller, FakeProvider, list[Note], FakeClock]:
    """A caller whose backend failed `failures` automatic requests in a row."""
    clock = FakeClock()
    caller, provider, notes, _ = make_caller({"m": [DOWN]}, ["m"], clock=clock)
    for _ in range(failures):
        assert await texts(caller, request()) == []
    return caller, provider, notes, clock


async def test_breaker_opens_after_three_failures_in_a_row_and_says_so_once() -> None:
    caller, provider, notes, _ = await failing_caller(2)
    assert (caller.breaker.outage, notes) == (None, [FAILED])  # said once, not per request
    assert await texts(caller, request()) == []
    assert provider.calls == ["m"] * 3
    assert caller.breaker.outage is not None
    assert notes == [FAILED]  # the outage is the failure the user was told of: not said again


async def test_a_success_between_failures_starts_the_count_again() -> None:
    caller, provider, notes, _ = await failing_caller(2)
    provider.queue("m", ANSWER)
    assert await texts(caller, request("x = 2")) == ["a", "b"]
    for _ in range(2):
        await texts(caller, request())
    assert (caller.breaker.outage, notes, len(provider.calls)) == (None, [FAILED], 5)


@pytest.mark.parametrize("explicit", [False, True], ids=["automatic", "explicit"])
async def test_open_breaker_fails_fast_without_calling_the_provider(explicit: bool) -> None:
    caller, provider, notes, clock = await failing_caller()
    clock.advance(2.0)
    assert await texts(caller, request()) == []  # the probe fails: 4 s more
    clock.advance(1.0)
    with pytest.raises(ModelUnavailable) as raised:
        await texts(caller, request(), explicit=explicit)
    assert str(raised.value) == (
        "http://fake/v1 answered 503: Error code: 503 Model calls are paused; next try in 3 s."
    )
    assert (len(provider.calls), notes, clock.slept) == (4, [FAILED], [])


async def test_explicit_request_waits_out_a_short_cool_down_and_probes() -> None:
    caller, provider, _, clock = await failing_caller()
    provider.scripts["m"] = ANSWER
    clock.advance(0.5)
    assert await texts(caller, request(), explicit=True) == ["a", "b"]
    assert (clock.slept, len(provider.calls)) == ([pytest.approx(1.5)], 4)
    assert caller.breaker.outage is None


async def test_one_probe_after_the_cool_down_and_its_success_closes_the_breaker() -> None:
    caller, provider, notes, clock = await failing_caller()
    provider.scripts["m"] = ANSWER
    clock.advance(2.0)
    assert await texts(caller, request()) == ["a", "b"]
    assert await texts(caller, request("y = 2")) == ["a", "b"]
    assert (len(provider.calls), caller.breaker.outage, notes) == (5, None, [FAILED])


async def test_failed_probe_doubles_the_cool_down_up_to_a_minute_without_new_messages() -> None:
    caller, provider, notes, clock = await failing_caller()
    holds = []
    for _ in range(7):
        holds.append(caller.breaker.remaining_s())
        clock.advance(holds[-1])
        assert await texts(caller, request()) == []
    assert holds == [2, 4, 8, 16, 32, 60, 60]
    assert (len(provider.calls), notes) == (10, [FAILED])


async def test_while_the_probe_is_out_other_requests_are_held_and_a_cancelled_probe_frees_it() -> (
    None
):
    caller, provider, _, clock = await failing_caller()
    provider.queue("m", [Hang()])
    clock.advance(2.0)
    probe = asyncio.create_task(texts(caller, request()))
    await provider.hanging.wait()
    with pytest.raises(ModelUnavailable, match=r"checking whether it recovered\.$"):
        await texts(caller, request("y = 2"), explicit=True)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    assert provider.closed == 4  # cancelling closed the upstream stream
    provider.scripts["m"] = ANSWER
    assert await texts(caller, request("y = 2")) == ["a", "b"]
    assert caller.breaker.outage is None


async def test_a_new_outage_after_recovery_is_a_new_message() -> None:
    caller, provider, notes, clock = await failing_caller()
    provider.queue("m", ANSWER)
    clock.advance(2.0)
    assert await texts(caller, request("x = 2")) == ["a", "b"]
    for _ in range(2):  # a failure said before, in an earlier outage: not said again...
        await texts(caller, request())
    assert notes == [FAILED]
    await texts(caller, request())  # ...but the new outage is a new message
    assert keyless(notes) == [FAILED, ("outage:backend", "warning", PAUSED)]


async def test_an_outage_of_another_kind_is_another_message() -> None:
    clock = FakeClock()
    caller, provider, notes, _ = make_caller({"m": [DOWN]}, ["m"], clock=clock)
    assert await texts(caller, request()) == []
    provider.queue("m", [rate_limited(30.0)])
    assert await texts(caller, request()) == []
    assert keyless(notes) == [
        FAILED,
        (
            "outage:rate-limit",
            "warning",
            "codex-lsp: Rate limited by http://fake/v1 (429). Model calls are paused and resume "
            "by themselves when the backend recovers (next try in 30 s).",
        ),
    ]


async def test_consumer_stopping_after_an_item_counts_as_the_backend_answering() -> None:
    caller, provider, _, clock = await failing_caller()
    provider.scripts["m"] = [*ANSWER, Hang()]
    clock.advance(2.0)
    async with aclosing(caller.stream_items(request(), Suggestion, "suggestions")) as items:
        async for _ in items:
            break
    assert caller.breaker.outage is None


async def test_cached_answers_are_served_while_the_breaker_is_open() -> None:
    clock = FakeClock()
    caller, provider, _, _ = make_caller({"m": ANSWER}, ["m"], clock=clock)
    assert await texts(caller, request("x = 1")) == ["a", "b"]
    provider.scripts["m"] = [DOWN]
    for _ in range(3):
        await texts(caller, request("y = 2"))
    assert await texts(caller, request("x = 1")) == ["a", "b"]
    with pytest.raises(ModelUnavailable):
        await texts(caller, request("z = 3"))
    assert len(provider.calls) == 4


# --- faults in the stream: items kept, backend faults counted ----------------------------------

HALF = [TextDelta('{"suggestions": [{"insert_text": "a"}, {"insert_')]


@pytest.mark.parametrize(
    ("script", "counts"),
    [
        ([*HALF, ProviderError("The model stream failed: Overloaded.", retryable=True)], True),
        (
            [*HALF, ProviderError("Lost the connection to http://fake/v1: reset", retryable=True)],
            True,
        ),
        (
            [
                *HALF,
                ProviderError(
                    "The model at http://fake/v1 stopped answering (timeout).", retryable=True
                ),
            ],
            True,
        ),
        ([*HALF, ProviderError("The model stopped early: max_output_tokens")], False),
        ([*HALF, TextDelta('text": 7}]}')], False),
        ([*HALF, TextDelta('text": "b"}, oops]}')], False),
    ],
    ids=["error-event", "dropped", "stalled", "incomplete", "schema-violation", "invalid-json"],
)
async def test_a_stream_fault_ends_the_call_with_the_items_before_it(
    script: list[Event], counts: bool
) -> None:
    caller, provider, _, _ = make_caller({"m": script}, ["m"])
    for _ in range(3):
        assert (await texts(caller, request()))[:1] == ["a"]
    assert caller.breaker.failures == (3 if counts else 0)
    assert (caller.breaker.outage is not None) == counts
    assert provider.calls == ["m"] * 3


@pytest.mark.parametrize(
    ("script", "items", "whole"),
    [
        (ANSWER, ["a", "b"], True),
        ([*HALF, DOWN], ["a"], False),
        ([*HALF, TextDelta('text": "b"}, oops]}')], ["a", "b"], False),
        ([*HALF, TextDelta('text": 7}, {"insert_text": "c"}]}')], ["a", "c"], False),
        ([TextDelta('{"suggestions": [{"insert_text": "a"}]} and some prose')], ["a"], False),
    ],
    ids=["whole", "backend-fault", "invalid-json", "schema-violation", "not-clean-json"],
)
async def test_outcome_is_whole_only_for_an_answer_read_whole(
    script: list[Event], items: list[str], whole: bool
) -> None:
    # A review whose answer was damaged must not stand as the complete review of its text.
    caller, _, _, _ = make_caller({"m": script}, ["m"])
    outcome = Outcome()
    stream = caller.stream_items(request(), Suggestion, "suggestions", outcome=outcome)
    async with aclosing(stream) as found:
        assert [item.insert_text async for item in found] == items
    assert outcome.whole is whole


async def test_an_answer_past_the_output_limit_is_cut_and_said_once() -> None:
    # 64 tokens asked for: a backend still writing after 64 * 16 characters ignores the limit.
    runaway = [*HALF, TextDelta('text": "'), *[TextDelta("x" * 100)] * 1000, TextDelta('"}]}')]
    caller, provider, notes, _ = make_caller({"m": runaway}, ["m"])
    limited = replace(request(), max_output_tokens=64)
    outcomes = [Outcome(), Outcome()]
    for outcome in outcomes:
        stream = caller.stream_items(limited, Suggestion, "suggestions", outcome=outcome)
        async with aclosing(stream) as found:
            assert [item.insert_text async for item in found] == ["a"]
    # 55 characters, then nine deltas of 100 fit in 1024: reading stops at the tenth.
    assert provider.log.count("sent TextDelta(text='" + "x" * 100 + "')") == 2 * 10
    assert (provider.calls, provider.closed) == (["m", "m"], 2)  # not cached, stream closed
    assert [outcome.whole for outcome in outcomes] == [False, False]
    assert (caller.breaker.failures, caller.breaker.outage) == (0, None)  # not a backend fault
    assert notes == [
        (
            "provider:The backend sent more than the output token limit allows, so",
            "warning",
            "codex-lsp: The backend sent more than the output token limit allows, so codex-lsp "
            "stopped reading the answer (64 tokens asked for at most).",
        )
    ]


async def test_cancelling_the_consumer_closes_the_upstream_stream() -> None:
    caller, provider, _, _ = make_caller({"m": [*HALF, Hang()]}, ["m"])
    task = asyncio.create_task(texts(caller, request()))
    await provider.hanging.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert provider.closed == 1
    assert (caller.breaker.failures, caller.breaker.outage) == (0, None)


# --- retries ------------------------------------------------------------------------------------


def rate_limited(pause: float | None) -> RateLimitError:
    return RateLimitError("Rate limited by http://fake/v1 (429).", retry_after_s=pause)


@pytest.mark.parametrize(
    ("first", "explicit", "expected", "slept"),
    [
        (rate_limited(0.2), False, ["a", "b"], [0.2]),
        (rate_limited(0.2), True, ["a", "b"], [0.2]),
        (rate_limited(1.0), False, [], []),
        (rate_limited(1.0), True, ["a", "b"], [1.0]),
        (rate_limited(2.5), True, [], []),
        (DOWN, False, [], []),
        (DOWN, True, ["a", "b"], [0.5]),
        (ProviderError("http://fake/v1 answered 400: too long"), True, [], []),
    ],
    ids=[
        "blip-automatic",
        "blip-explicit",
        "pause-automatic-fails-fast",
        "pause-explicit-waits",
        "long-pause-explicit-fails-fast",
        "5xx-automatic-fails-fast",
        "5xx-explicit-retries-once",
        "request-fault-not-retried",
    ],
)
async def test_one_retry_only_for_a_short_pause(
    first: ProviderError, explicit: bool, expected: list[str], slept: list[float]
) -> None:
    clock = FakeClock()
    caller, provider, _, _ = make_caller({"m": ANSWER}, ["m"], clock=clock)
    provider.queue("m", [first])
    assert await texts(caller, request(), explicit=explicit) == expected
    assert (clock.slept, len(provider.calls)) == (pytest.approx(slept), 1 + len(slept))


async def test_explicit_retry_happens_once_and_the_failure_is_told() -> None:
    clock = FakeClock()
    caller, provider, notes, _ = make_caller({"m": [DOWN]}, ["m"], clock=clock)
    assert await texts(caller, request(), explicit=True) == []
    assert (clock.slept, len(provider.calls)) == ([0.5], 2)
    assert notes == [
        (
            "provider:http://fake/v1 answered 503: Error code: 503",
            "warning",
            "codex-lsp: http://fake/v1 answered 503: Error code: 503",
        )
    ]


async def test_no_retry_once_items_were_shown() -> None:
    clock = FakeClock()
    caller, provider, _, _ = make_caller({"m": [*HALF, rate_limited(0.1)]}, ["m"], clock=clock)
    assert await texts(caller, request(), explicit=True) == ["a"]
    assert (clock.slept, len(provider.calls)) == ([], 1)


async def test_a_long_retry_after_opens_the_breaker_at_once_and_is_told() -> None:
    clock = FakeClock()
    caller, provider, notes, _ = make_caller({"m": [rate_limited(12.0)]}, ["m"], clock=clock)
    assert await texts(caller, request()) == []
    with pytest.raises(ModelUnavailable) as raised:
        await texts(caller, request(), explicit=True)
    assert str(raised.value) == (
        "Rate limited by http://fake/v1 (429). Model calls are paused; next try in 12 s."
    )
    assert keyless(notes) == [
        (
            "outage:rate-limit",
            "warning",
            "codex-lsp: Rate limited by http://fake/v1 (429). Model calls are paused and resume "
            "by themselves when the backend recovers (next try in 12 s).",
        )
    ]
    assert (len(provider.calls), clock.slept) == (1, [])


@pytest.mark.parametrize("earlier", [False, True], ids=["first-outage", "after-an-earlier-one"])
async def test_a_short_pause_refused_to_an_explicit_request_is_told_once(earlier: bool) -> None:
    clock = FakeClock()
    caller, provider, notes, _ = make_caller({"m": ANSWER}, ["m"], clock=clock)
    if earlier:  # the same failure was said in an earlier outage, and the backend answered since
        provider.queue("m", [rate_limited(1.0)])
        assert await texts(caller, request("a = 1")) == []
        clock.advance(1.0)
        assert await texts(caller, request("a = 1")) == ["a", "b"]
    provider.queue("m", [rate_limited(1.0)], [Hang()])
    assert await texts(caller, request()) == []
    clock.advance(1.0)
    probe = asyncio.create_task(texts(caller, request()))
    await provider.hanging.wait()
    with pytest.raises(ModelUnavailable):
        await texts(caller, request("y = 2"), explicit=True)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    # The user hears why the request they made got nothing once: the failure, or the outage.
    assert [key for key, _, _ in keyless(notes)] == [
        "provider:Rate limited by http://fake/v1 (429).",
        *(["outage:rate-limit"] if earlier else []),
    ]


# --- a rejected key ---------------------------------------------------------------------------


async def test_rejected_key_stops_every_call_until_a_new_caller() -> None:
    rejected = AuthenticationError("The backend at http://fake/v1 rejected the API key (401).")
    clock = FakeClock()
    caller, provider, notes, _ = make_caller({"m": [rejected]}, ["m"], clock=clock)
    with pytest.raises(ModelUnavailable):
        await texts(caller, request())
    clock.advance(3600)
    for explicit in (False, True):
        with pytest.raises(ModelUnavailable) as raised:
            await texts(caller, request(), explicit=explicit)
        assert str(raised.value) == (
            "The backend at http://fake/v1 rejected the API key (401). Model calls are "
            "stopped until the settings change."
        )
    assert (provider.calls, len(notes), clock.slept) == (["m"], 1, [])
    provider.scripts["m"] = ANSWER  # a new key: the server builds a new caller
    again = ModelCaller(provider, ["m"], notify=lambda *_: None)
    assert await texts(again, request()) == ["a", "b"]
