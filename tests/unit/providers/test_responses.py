"""Responses API: the request body (cache breakpoints, reasoning, strict schema) and the stream."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from codex_lsp.engine.schemas import CompletionAnswer, strict_schema
from codex_lsp.providers.base import (
    AuthenticationError,
    ModelNotFoundError,
    ModelRequest,
    PromptPart,
    ProviderConfig,
    ProviderError,
    RateLimitError,
    TextDelta,
    Usage,
)
from codex_lsp.providers.responses import ResponsesProvider, build_params, usage_from_response
from tests.unit.providers.conftest import Backend, sse

SCHEMA = strict_schema(CompletionAnswer)
REQUEST = ModelRequest(
    feature="completion",
    instructions="Complete the code.",
    parts=(
        PromptPart("File: a.py\n"),
        PromptPart("<code_after_cursor>\n)\n</code_after_cursor>\n", breakpoint=True),
        PromptPart("<code_before_cursor>\nprint("),
        PromptPart("\n</code_before_cursor>\nSuggest the insertion."),
    ),
    schema_name="completion",
    json_schema=SCHEMA,
    max_output_tokens=256,
    reasoning_effort="low",
    prompt_cache_key="codex-lsp-6ced763f04264831cdb49d02",
)
BREAKPOINT = {"mode": "explicit", "ttl": "30m"}


def test_build_params_for_an_implicit_regime_reasoning_model() -> None:
    assert build_params(REQUEST, "codex-mini-latest") == {
        "model": "codex-mini-latest",
        "instructions": "Complete the code.",
        "input": [
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "File: a.py\n"},
                    {
                        "type": "input_text",
                        "text": "<code_after_cursor>\n)\n</code_after_cursor>\n",
                    },
                    {"type": "input_text", "text": "<code_before_cursor>\nprint("},
                    {
                        "type": "input_text",
                        "text": "\n</code_before_cursor>\nSuggest the insertion.",
                    },
                ],
            }
        ],
        "text": {
            "format": {
                "type": "json_schema",
                "name": "completion",
                "schema": SCHEMA,
                "strict": True,
            }
        },
        "max_output_tokens": 256,
        "stream": True,
        "store": False,
        "prompt_cache_key": "codex-lsp-6ced763f04264831cdb49d02",
        "reasoning": {"effort": "low"},
    }


@pytest.mark.parametrize(
    ("model", "breakpoints"),
    [
        ("gpt-5.6-luna", [None, BREAKPOINT, None, None]),
        ("gpt-5.6-sol", [None, BREAKPOINT, None, None]),
        ("gpt-6-preview", [None, BREAKPOINT, None, None]),
        ("codex-mini-latest", [None, None, None, None]),
        ("gpt-5.4-mini", [None, None, None, None]),
        ("my-finetune", [None, None, None, None]),
    ],
    ids=[
        "luna-explicit",
        "sol-explicit",
        "unknown-gpt-6-explicit",
        "codex-mini",
        "gpt-5.4",
        "unknown",
    ],
)
def test_cache_breakpoint_only_on_the_flagged_part_of_explicit_models(
    model: str, breakpoints: list[dict[str, str] | None]
) -> None:
    content = build_params(REQUEST, model)["input"][0]["content"]
    assert [block.get("prompt_cache_breakpoint") for block in content] == breakpoints


@pytest.mark.parametrize(
    ("model", "effort", "reasoning"),
    [
        ("codex-mini-latest", "low", {"effort": "low"}),
        ("gpt-5.6-luna", "high", {"effort": "high"}),
        ("gpt-5.4-mini", None, None),
        ("gpt-4.1-mini", "low", None),
        ("local", "low", None),
        ("llama-3.1-8b", "medium", None),
    ],
    ids=["codex-mini", "explicit-model", "effort-none", "non-reasoning", "local", "unknown-llama"],
)
def test_reasoning_only_for_reasoning_models(
    model: str, effort: str | None, reasoning: dict[str, str] | None
) -> None:
    req = ModelRequest("completion", "i", (PromptPart("p"),), "completion", SCHEMA, 16, effort)
    assert build_params(req, model).get("reasoning") == reasoning


def test_no_prompt_cache_key_when_the_request_has_none() -> None:
    req = ModelRequest("completion", "i", (PromptPart("p"),), "completion", SCHEMA)
    assert "prompt_cache_key" not in build_params(req, "gpt-5.4-mini")


def test_the_schema_sent_is_strict() -> None:
    fmt = build_params(REQUEST, "gpt-5.4-mini")["text"]["format"]
    assert fmt["strict"] is True
    assert fmt["schema"]["additionalProperties"] is False
    assert fmt["schema"]["required"] == ["suggestions"]
    assert fmt["schema"]["$defs"]["Suggestion"]["additionalProperties"] is False
    assert fmt["schema"]["$defs"]["Suggestion"]["required"] == ["insert_text"]


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            {
                "model": "gpt-5.6-luna-2026-10-01",
                "usage": {
                    "input_tokens": 5_000,
                    "input_tokens_details": {"cached_tokens": 3_000, "cache_write_tokens": 1_500},
                    "output_tokens": 400,
                    "output_tokens_details": {"reasoning_tokens": 128},
                    "total_tokens": 5_400,
                },
            },
            Usage(5_000, 3_000, 1_500, 400, 128, "gpt-5.6-luna-2026-10-01"),
        ),
        ({"model": None, "usage": None}, Usage(model="gpt-5.6-luna")),
        (
            {
                "usage": {
                    "input_tokens": None,
                    "output_tokens": 7,
                    "input_tokens_details": None,
                    "output_tokens_details": None,
                },
            },
            Usage(0, 0, 0, 7, 0, "gpt-5.6-luna"),
        ),
        (
            {"usage": {"input_tokens": "12", "output_tokens": -3, "input_tokens_details": []}},
            Usage(model="gpt-5.6-luna"),
        ),
        (None, Usage(model="gpt-5.6-luna")),
    ],
    ids=["full", "no-usage", "sparse-usage-from-a-compatible-server", "not-counts", "no-response"],
)
def test_usage_from_response(response: Any, expected: Usage) -> None:
    assert usage_from_response(response, "gpt-5.6-luna") == expected


# --- streaming through the real SDK ------------------------------------------------------------


def delta(text: str, n: int) -> dict[str, Any]:
    return {
        "type": "response.output_text.delta",
        "delta": text,
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "sequence_number": n,
        "logprobs": [],
    }


COMPLETED = {
    "type": "response.completed",
    "sequence_number": 9,
    "response": {
        "id": "resp_1",
        "object": "response",
        "model": "gpt-5.6-luna-2026-10-01",
        "status": "completed",
        "output": [],
        "usage": {
            "input_tokens": 1_200,
            "input_tokens_details": {"cached_tokens": 1_024, "cache_write_tokens": 0},
            "output_tokens": 30,
            "output_tokens_details": {"reasoning_tokens": 12},
            "total_tokens": 1_230,
        },
    },
}


async def events_from(backend: Backend, model: str = "gpt-5.6-luna") -> list[Any]:
    provider = ResponsesProvider(
        ProviderConfig(api_key="sk-test-0123456789", base_url="http://fake/v1", max_retries=0)
    )
    try:
        return [event async for event in provider.stream(REQUEST, model)]
    finally:
        await provider.aclose()


async def test_stream_yields_deltas_then_usage_and_sends_build_params(backend: Backend) -> None:
    backend.body = sse(
        [
            {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_1"}},
            delta('{"suggestions": [{"insert_text": ', 1),
            delta('"x)"}]}', 2),
            COMPLETED,
        ]
    )
    assert await events_from(backend) == [
        TextDelta('{"suggestions": [{"insert_text": '),
        TextDelta('"x)"}]}'),
        Usage(1_200, 1_024, 0, 30, 12, "gpt-5.6-luna-2026-10-01"),
    ]
    wire = build_params(REQUEST, "gpt-5.6-luna")
    assert wire["prompt_cache_options"] == {"mode": "explicit", "ttl": "30m"}
    assert backend.requests == [("POST /v1/responses", wire)]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            {
                "type": "response.failed",
                "sequence_number": 2,
                "response": {
                    "id": "resp_1",
                    "status": "failed",
                    "error": {"code": "server_error", "message": "The server had an error."},
                },
            },
            (ProviderError, "The model stream failed: The server had an error.", True),
        ),
        (
            {
                "type": "response.incomplete",
                "sequence_number": 2,
                "response": {
                    "id": "resp_1",
                    "status": "incomplete",
                    "incomplete_details": {"reason": "max_output_tokens"},
                },
            },
            (ProviderError, "The model stopped early: max_output_tokens", False),
        ),
        (
            {"type": "error", "sequence_number": 2, "code": "x", "message": "Overloaded."},
            (ProviderError, "The model stream failed: Overloaded.", True),
        ),
        (
            {
                "type": "error",
                "sequence_number": 2,
                "code": "rate_limit_exceeded",
                "message": "Slow down.",
            },
            (RateLimitError, "The model stream failed: Slow down.", True),
        ),
        (
            {
                "type": "response.failed",
                "sequence_number": 2,
                "response": {
                    "id": "resp_1",
                    "status": "failed",
                    "error": {"code": "invalid_prompt", "message": "Flagged."},
                },
            },
            (ProviderError, "The model stream failed: Flagged.", False),
        ),
    ],
    ids=["failed", "incomplete", "error-event", "rate-limit-event", "failed-by-the-prompt"],
)
async def test_failure_events_become_provider_errors(
    backend: Backend, event: dict[str, Any], expected: tuple[type[ProviderError], str, bool]
) -> None:
    """Retryable: the backend's fault, which counts toward ModelCaller's breaker."""
    backend.body = sse([delta('{"suggestions": [', 1), event])
    with pytest.raises(ProviderError) as raised:
        await events_from(backend)
    assert (type(raised.value), str(raised.value), raised.value.retryable) == expected


async def test_unknown_events_and_odd_values_are_skipped(backend: Backend) -> None:
    """Events are read as plain JSON: events we do not use, a delta that is not text and an
    event that is not an object pass without an error."""
    backend.body = (
        sse(
            [
                {"type": "response.in_progress", "sequence_number": 0},
                {"type": "response.output_text.delta", "delta": None},
                {"type": "response.reasoning_summary_text.delta", "delta": "thinking"},
                delta("ok", 3),
                {"type": "response.output_text.delta", "delta": ["x"]},
                COMPLETED,
            ]
        )
        + 'data: ["not", "an", "event"]\n\n'
    )
    assert await events_from(backend) == [
        TextDelta("ok"),
        Usage(1_200, 1_024, 0, 30, 12, "gpt-5.6-luna-2026-10-01"),
    ]


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (
            httpx2.ReadTimeout("timed out"),
            "The model at http://fake/v1/ stopped answering (timeout).",
        ),
        (
            httpx2.RemoteProtocolError("peer closed connection"),
            "Lost the connection to http://fake/v1/: Connection error.",
        ),
    ],
    ids=["stalled-past-the-read-timeout", "dropped"],
)
async def test_a_stream_cut_short_is_a_retryable_error_after_what_arrived(
    backend: Backend, cut: Exception, message: str
) -> None:
    backend.body = sse([delta('{"suggestions": [', 1)])
    backend.cut = cut
    provider = ResponsesProvider(ProviderConfig(api_key="sk-test", base_url="http://fake/v1"))
    received: list[Any] = []
    with pytest.raises(ProviderError) as raised:
        async for event in provider.stream(REQUEST, "gpt-5.6-luna"):
            received.append(event)
    await provider.aclose()
    assert received == [TextDelta('{"suggestions": [')]
    assert (str(raised.value), raised.value.retryable) == (message, True)


async def test_an_event_that_is_not_json_is_a_retryable_error(backend: Backend) -> None:
    backend.body = "event: response.output_text.delta\ndata: {oops\n\n"
    with pytest.raises(ProviderError) as raised:
        await events_from(backend)
    assert str(raised.value).startswith("http://fake/v1/ sent a broken stream: ")
    assert raised.value.retryable


async def test_the_sdk_does_not_retry_and_the_pause_asked_for_is_kept(backend: Backend) -> None:
    backend.answer_json(429, {"error": {"message": "Slow down.", "code": "rate_limit_exceeded"}})
    backend.headers = {"retry-after-ms": "1500"}
    provider = ResponsesProvider(ProviderConfig(api_key="sk-test", base_url="http://fake/v1"))
    with pytest.raises(RateLimitError) as raised:
        _ = [event async for event in provider.stream(REQUEST, "gpt-5.6-luna")]
    await provider.aclose()
    assert (raised.value.retry_after_s, len(backend.requests)) == (1.5, 1)


@pytest.mark.parametrize(
    ("status", "payload", "expected_type", "message"),
    [
        (
            404,
            {
                "error": {
                    "message": "The model `codex-mini-latest` does not exist or you do not "
                    "have access to it.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "model_not_found",
                }
            },
            ModelNotFoundError,
            "Model 'codex-mini-latest' is not available on this backend. Error code: 404 - "
            "The model `codex-mini-latest` does not exist or you do not have access to it.",
        ),
        (
            401,
            {"error": {"message": "Incorrect API key provided.", "code": "invalid_api_key"}},
            AuthenticationError,
            "The backend at http://fake/v1/ rejected the API key (401). Set a valid "
            "OPENAI_API_KEY in the environment the editor starts codex-lsp from and restart it, "
            "or choose backend 'local'. No model calls until then.",
        ),
    ],
    ids=["model-not-found", "bad-key"],
)
async def test_sdk_errors_are_mapped(
    backend: Backend,
    status: int,
    payload: dict[str, Any],
    expected_type: type[ProviderError],
    message: str,
) -> None:
    backend.answer_json(status, payload)
    with pytest.raises(ProviderError) as raised:
        await events_from(backend, "codex-mini-latest")
    assert (type(raised.value), str(raised.value)) == (expected_type, message)


GATEWAY_KEY = "gw-7f3a9c1e5b2d8f4a6c0e"


async def test_a_backend_quoting_the_key_back_does_not_show_it(backend: Backend) -> None:
    """The key the provider sent is cut from the backend's words, in a status error's body and
    in a stream's error event (a gateway's key has no format the redaction knows)."""
    provider = ResponsesProvider(ProviderConfig(api_key=GATEWAY_KEY, base_url="http://fake/v1"))
    try:
        backend.answer_json(400, {"error": {"message": f"bad key {GATEWAY_KEY}", "code": None}})
        with pytest.raises(ProviderError) as raised:
            [event async for event in provider.stream(REQUEST, "gpt-5.4-mini")]
        assert GATEWAY_KEY not in str(raised.value)
        backend.status, backend.content_type = 200, "text/event-stream"
        backend.body = sse([{"type": "error", "code": "x", "message": f"key {GATEWAY_KEY}"}])
        with pytest.raises(ProviderError) as raised:
            [event async for event in provider.stream(REQUEST, "gpt-5.4-mini")]
        assert "The model stream failed" in str(raised.value)
        assert GATEWAY_KEY not in str(raised.value)
    finally:
        await provider.aclose()
