"""Chat Completions for OpenAI-compatible servers: the request body, usage, and the stream."""

from __future__ import annotations

from typing import Any

import pytest

from codex_lsp.engine.schemas import CompletionAnswer, strict_schema
from codex_lsp.providers.base import (
    ModelNotFoundError,
    ModelRequest,
    PromptPart,
    ProviderConfig,
    ProviderError,
    TextDelta,
    Usage,
)
from codex_lsp.providers.chat import ChatProvider, build_params, usage_from_chunk
from tests.unit.providers.conftest import Backend, sse

SCHEMA = strict_schema(CompletionAnswer)
REQUEST = ModelRequest(
    feature="completion",
    instructions="Complete the code.",
    parts=(
        PromptPart("File: a.py\n"),
        PromptPart("<code_after_cursor>\n)\n</code_after_cursor>\n", breakpoint=True),
        PromptPart("<code_before_cursor>\nprint("),
    ),
    schema_name="completion",
    json_schema=SCHEMA,
    max_output_tokens=256,
    reasoning_effort="low",
    prompt_cache_key="codex-lsp-6ced763f04264831cdb49d02",
)


def test_build_params_joins_parts_in_cache_order_into_one_user_message() -> None:
    assert build_params(REQUEST, "qwen2.5-coder-7b") == {
        "model": "qwen2.5-coder-7b",
        "messages": [
            {"role": "system", "content": "Complete the code."},
            {
                "role": "user",
                "content": "File: a.py\n<code_after_cursor>\n)\n</code_after_cursor>\n"
                "<code_before_cursor>\nprint(",
            },
        ],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "completion", "schema": SCHEMA, "strict": True},
        },
        "max_tokens": 256,
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0,
    }


def chunk(usage: dict[str, Any] | None, model: str = "qwen2.5-coder-7b") -> dict[str, Any]:
    return {
        "id": "c1",
        "choices": [],
        "created": 0,
        "model": model,
        "object": "chat.completion.chunk",
        "usage": usage,
    }


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        (
            {
                "prompt_tokens": 2_000,
                "completion_tokens": 50,
                "total_tokens": 2_050,
                "prompt_tokens_details": {"cached_tokens": 1_536},
                "completion_tokens_details": {"reasoning_tokens": 20},
            },
            Usage(2_000, 1_536, 0, 50, 20, "qwen2.5-coder-7b"),
        ),
        (
            {"prompt_tokens": 300, "completion_tokens": 9, "total_tokens": 309},
            Usage(300, 0, 0, 9, 0, "qwen2.5-coder-7b"),
        ),
    ],
    ids=["with-details", "llama-cpp-without-details"],
)
def test_usage_from_chunk(usage: dict[str, Any], expected: Usage) -> None:
    assert usage_from_chunk(chunk(usage), "asked-for") == expected


def chat_chunk(content: str | None, usage: dict[str, int] | None = None) -> dict[str, Any]:
    choices = [] if content is None else [{"index": 0, "delta": {"content": content}}]
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "qwen2.5-coder-7b",
        "choices": choices,
        "usage": usage,
    }


async def events_from(backend: Backend) -> list[Any]:
    provider = ChatProvider(ProviderConfig(base_url="http://127.0.0.1:8080/v1", max_retries=0))
    try:
        return [event async for event in provider.stream(REQUEST, "qwen2.5-coder-7b")]
    finally:
        await provider.aclose()


async def test_stream_yields_content_then_the_usage_chunk(backend: Backend) -> None:
    backend.body = sse(
        [
            chat_chunk('{"suggestions": '),
            chat_chunk(""),
            chat_chunk('[{"insert_text": "x"}]}'),
            chat_chunk(None, {"prompt_tokens": 300, "completion_tokens": 9, "total_tokens": 309}),
        ],
        named=False,
        done=True,
    )
    assert await events_from(backend) == [
        TextDelta('{"suggestions": '),
        TextDelta('[{"insert_text": "x"}]}'),
        Usage(300, 0, 0, 9, 0, "qwen2.5-coder-7b"),
    ]
    assert backend.requests == [
        ("POST /v1/chat/completions", build_params(REQUEST, "qwen2.5-coder-7b"))
    ]


async def test_chunks_in_the_shapes_compatible_servers_send(backend: Backend) -> None:
    """Events are read as plain JSON: null content, no delta, two choices, a role-only first
    chunk, a null usage and stray values each give what text there is, never an error."""
    base = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    backend.body = sse(
        [
            {**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}], "usage": None},
            {**base, "choices": [{"index": 0, "delta": {"content": None}}]},
            {**base, "choices": [{"index": 0}]},
            {**base, "choices": [{"delta": {"content": "a"}}, {"delta": {"content": "b"}}]},
            {**base, "choices": None},
            {**base, "choices": [{"index": 0, "delta": {"content": 7}}]},
            ["not", "an", "object"],
            {**base, "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}},
        ],
        named=False,
        done=True,
    )
    assert await events_from(backend) == [TextDelta("ab"), Usage(5, 0, 0, 2, 0, "m")]


async def test_an_error_chunk_mid_stream_is_a_retryable_error(backend: Backend) -> None:
    backend.body = sse(
        [chat_chunk('{"suggestions": '), {"error": {"message": "Overloaded", "code": 500}}],
        named=False,
    )
    with pytest.raises(ProviderError) as raised:
        await events_from(backend)
    assert (str(raised.value), raised.value.retryable) == (
        "The model stream failed: Overloaded",
        True,
    )


@pytest.mark.parametrize(
    ("status", "payload", "expected_type", "message"),
    [
        (
            404,
            {
                "object": "error",
                "message": "The model `qwen2.5-coder-7b` does not exist.",
                "type": "NotFoundError",
                "param": None,
                "code": 404,
            },
            ModelNotFoundError,
            "Model 'qwen2.5-coder-7b' is not available on this backend. Error code: 404 - "
            "The model `qwen2.5-coder-7b` does not exist.",
        ),
        (
            503,
            {"error": {"message": "Loading model", "type": "unavailable_error", "code": 503}},
            ProviderError,
            "http://127.0.0.1:8080/v1/ answered 503: Error code: 503 - Loading model",
        ),
    ],
    ids=["vllm-model-not-found", "llama-cpp-loading"],
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
        await events_from(backend)
    assert (type(raised.value), str(raised.value)) == (expected_type, message)


async def test_a_gateway_quoting_the_key_back_does_not_show_it(backend: Backend) -> None:
    """The key sent to the environment's gateway is cut from its error body and chunks."""
    key = "gw-7f3a9c1e5b2d8f4a6c0e"
    provider = ChatProvider(ProviderConfig(api_key=key, base_url="http://fake/v1"))
    try:
        backend.answer_json(403, {"error": {"message": f"key {key} may not", "code": 403}})
        with pytest.raises(ProviderError) as raised:
            [event async for event in provider.stream(REQUEST, "qwen2.5-coder-7b")]
        assert key not in str(raised.value)
        backend.status, backend.content_type = 200, "text/event-stream"
        backend.body = sse([{"error": {"message": f"bad {key}", "code": 500}}], named=False)
        with pytest.raises(ProviderError) as raised:
            [event async for event in provider.stream(REQUEST, "qwen2.5-coder-7b")]
        assert key not in str(raised.value)
    finally:
        await provider.aclose()
