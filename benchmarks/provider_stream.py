"""What reading one streamed answer costs the server: the SDK's typed stream against ours.

Both read the same Responses and Chat Completions answers (a 2,000-line document's request
body, then an answer streamed in as many deltas as a model writes) from an in-memory
transport (`httpx2.MockTransport`: no sockets, no sleeps), in this process, alternating, so
the figures are the CPU each way spends per request and their ratio:

- `sdk`: `client.responses.create(...)` / `client.chat.completions.create(...)`, as the
  providers did before 2026-12-06: the body is transformed against the SDK's TypedDicts and
  every event becomes a pydantic model;
- `provider`: `ResponsesProvider.stream` / `ChatProvider.stream` as they are.

Run: `.venv/bin/python -m benchmarks.provider_stream [--requests N] [--deltas N]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx2
import openai

from benchmarks.documents import python_document
from codex_lsp.engine.schemas import CompletionAnswer, strict_schema
from codex_lsp.providers import chat, responses
from codex_lsp.providers.base import ModelRequest, PromptPart, ProviderConfig, TextDelta, Usage

MODEL = "gpt-5.6-luna"
ROUNDS = 5  # each way runs this many interleaved rounds; the median round is reported


def request_for(lines: int) -> ModelRequest:
    document = python_document(lines)
    return ModelRequest(
        feature="completion",
        instructions="Complete the code at the cursor.",
        parts=(PromptPart(document, breakpoint=True), PromptPart("Suggest the insertion.")),
        schema_name="completion",
        json_schema=strict_schema(CompletionAnswer),
        max_output_tokens=256,
        prompt_cache_key="codex-lsp-bench",
    )


def responses_body(deltas: int) -> bytes:
    events: list[dict[str, Any]] = [
        {"type": "response.created", "sequence_number": 0, "response": {"id": "r"}}
    ]
    for n in range(deltas):
        events.append(
            {
                "type": "response.output_text.delta",
                "delta": "tok ",
                "item_id": "msg_1",
                "output_index": 0,
                "content_index": 0,
                "sequence_number": n + 1,
                "logprobs": [],
            }
        )
    usage = {
        "input_tokens": 30_000,
        "input_tokens_details": {"cached_tokens": 29_952, "cache_write_tokens": 0},
        "output_tokens": deltas,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 30_000 + deltas,
    }
    done = {"id": "r", "object": "response", "model": MODEL, "status": "completed"}
    events.append(
        {
            "type": "response.completed",
            "sequence_number": deltas + 1,
            "response": {**done, "output": [], "usage": usage},
        }
    )
    text = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    return text.encode()


def chat_body(deltas: int) -> bytes:
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": MODEL}
    chunks = [
        {**base, "choices": [{"index": 0, "delta": {"content": "tok "}, "finish_reason": None}]}
        for _ in range(deltas)
    ]
    usage = {"prompt_tokens": 30_000, "completion_tokens": deltas, "total_tokens": 30_000}
    chunks.append({**base, "choices": [], "usage": usage})
    text = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    return text.encode()


def client_for(body: bytes) -> httpx2.AsyncClient:
    def answer(_request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    return httpx2.AsyncClient(transport=httpx2.MockTransport(answer))


async def sdk_responses(sdk: openai.AsyncOpenAI, request: ModelRequest) -> int:
    params = responses.build_params(request, MODEL)
    params["extra_body"] = {"prompt_cache_options": params.pop("prompt_cache_options", None)}
    stream = await sdk.responses.create(**params)
    count = 0
    async with stream:
        async for event in stream:
            if event.type == "response.output_text.delta":
                count += len(event.delta)
    return count


async def sdk_chat(sdk: openai.AsyncOpenAI, request: ModelRequest) -> int:
    stream = await sdk.chat.completions.create(**chat.build_params(request, MODEL))
    count = 0
    async with stream:
        async for chunk in stream:
            for choice in chunk.choices:
                count += len(choice.delta.content or "")
    return count


async def provider_stream(provider: Any, request: ModelRequest) -> int:
    count = 0
    async for event in provider.stream(request, MODEL):
        if isinstance(event, TextDelta):
            count += len(event.text)
        else:
            assert isinstance(event, Usage) and event.input_tokens == 30_000
    return count


async def cpu_per_request(call: Callable[[], Awaitable[int]], requests: int) -> float:
    """Milliseconds of this process's CPU per request."""
    start = time.process_time()
    for _ in range(requests):
        await call()
    return (time.process_time() - start) * 1000 / requests


async def compare(api: str, lines: int, deltas: int, requests: int) -> tuple[float, float]:
    request = request_for(lines)
    body = responses_body(deltas) if api == "responses" else chat_body(deltas)
    config = ProviderConfig(api_key="sk-bench", base_url="http://fake/v1")
    sdk = openai.AsyncOpenAI(
        api_key="sk-bench", base_url="http://fake/v1", max_retries=0, http_client=client_for(body)
    )
    ours: Any
    if api == "responses":
        ours = responses.ResponsesProvider(config)
        ours._client = ours._client.with_options(http_client=client_for(body))
        sdk_call = sdk_responses
    else:
        ours = chat.ChatProvider(config, http_client=client_for(body))
        sdk_call = sdk_chat
    expected = 4 * deltas
    assert await sdk_call(sdk, request) == expected == await provider_stream(ours, request)
    sdk_ms: list[float] = []
    ours_ms: list[float] = []
    for _ in range(ROUNDS):
        sdk_ms.append(await cpu_per_request(lambda: sdk_call(sdk, request), requests))
        ours_ms.append(await cpu_per_request(lambda: provider_stream(ours, request), requests))
    await sdk.close()
    await ours.aclose()
    return statistics.median(sdk_ms), statistics.median(ours_ms)


async def run(requests: int, deltas: int, sizes: list[int]) -> None:
    print(
        f"Run {time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}, "
        f"openai {openai.__version__}; {requests} requests a round, median of {ROUNDS} "
        f"interleaved rounds; {deltas} deltas an answer.\n"
    )
    print("| API | Document lines | SDK typed stream, CPU ms/request | Provider | Ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for api in ("responses", "chat"):
        for lines in sizes:
            sdk_ms, ours_ms = await compare(api, lines, deltas, requests)
            print(f"| {api} | {lines:,} | {sdk_ms:.2f} | {ours_ms:.2f} | {ours_ms / sdk_ms:.2f}x |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--deltas", type=int, default=30, help="text deltas in an answer")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 2000, 20000])
    args = parser.parse_args(argv)
    asyncio.run(run(args.requests, args.deltas, args.sizes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
