"""llama.cpp's /infill as a completion path: request body, streamed code, usage, fallbacks."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from codex_lsp.providers.base import Infill, ProviderError, TextDelta, Usage
from codex_lsp.providers.infill import InfillUnsupported, infill_body, stream_infill, warm_body
from tests.unit.providers.conftest import Backend


def infill_sse(chunks: list[str], timings: dict[str, int]) -> str:
    events: list[dict[str, Any]] = [{"content": c, "stop": False} for c in chunks]
    events.append({"content": "", "stop": True, "timings": timings})
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events)


async def run(backend: Backend, infill: Infill, max_tokens: int = 128) -> list[Any]:
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(backend.handle)) as client:
        return [
            event
            async for event in stream_infill(
                client, "http://127.0.0.1:9/v1/", infill, max_tokens, "local"
            )
        ]


MID_LINE = Infill("def f(x):\n    return x + ", ")\n\nprint(f(1))", max_newlines=0)
EMPTY_LINE = Infill("def f(x):\n    ", "\n", max_newlines=5)
LINE_END = Infill("if x:", "\n", max_newlines=1)


async def test_streamed_code_becomes_one_json_answer_with_usage() -> None:
    backend = Backend(
        body=infill_sse([" 1", "  # one"], {"cache_n": 90, "prompt_n": 12, "predicted_n": 4})
    )
    events = await run(backend, MID_LINE)
    assert events == [
        TextDelta('{"suggestions": [{"insert_text": " 1  # one"}]}'),
        Usage(input_tokens=102, cached_tokens=90, output_tokens=4, model="local"),
    ]
    ((endpoint, body),) = backend.requests
    assert endpoint == "POST /infill"
    assert (body["input_prefix"], body["input_suffix"]) == (MID_LINE.prefix, MID_LINE.suffix)
    assert body["cache_prompt"] is True and body["stream"] is True


async def test_code_with_quotes_and_newlines_survives_the_json() -> None:
    code = 'if x:\n    print("a\\\\b")\n'
    backend = Backend(body=infill_sse([code], {}))
    (delta, usage) = await run(backend, EMPTY_LINE)
    assert json.loads(delta.text) == {"suggestions": [{"insert_text": code}]}
    assert usage == Usage(model="local")


async def test_reading_stops_after_the_lines_wanted_with_the_usage_so_far() -> None:
    chunks = ["\n", "    y = 1", "\n", "    z = 2", "\n", "    w = 3"]
    events: list[dict[str, Any]] = [
        {"content": c, "stop": False, "timings": {"cache_n": 50, "prompt_n": 3, "predicted_n": n}}
        for n, c in enumerate(chunks, 1)
    ]
    backend = Backend(body="".join(f"data: {json.dumps(e)}\n\n" for e in events))
    (delta, usage) = await run(backend, LINE_END)
    assert json.loads(delta.text) == {"suggestions": [{"insert_text": "\n    y = 1"}]}
    assert usage == Usage(input_tokens=53, cached_tokens=50, output_tokens=3, model="local")


async def test_nothing_to_insert_is_an_empty_answer() -> None:
    backend = Backend(body=infill_sse(["  ", "\n"], {"predicted_n": 2}))
    (delta, _) = await run(backend, EMPTY_LINE)
    assert json.loads(delta.text) == {"suggestions": []}


@pytest.mark.parametrize(
    ("infill", "max_tokens", "n_predict", "first_stop"),
    [
        (MID_LINE, 128, 32, "\n"),
        (LINE_END, 128, 64, "\n\n"),
        (EMPTY_LINE, 128, 128, "\n\n"),
        (EMPTY_LINE, 20, 20, "\n\n"),
    ],
    ids=[
        "inside-a-line-stops-at-its-end",
        "line-end-two-lines",
        "empty-line-stops-at-a-blank-line",
        "caller-cap",
    ],
)
def test_answer_length_follows_the_cursor(
    infill: Infill, max_tokens: int, n_predict: int, first_stop: str
) -> None:
    body = infill_body(infill, max_tokens)
    assert body["n_predict"] == n_predict
    assert body["stop"][0] == first_stop and "<|endoftext|>" in body["stop"]


async def test_a_model_without_fim_tokens_is_reported_as_such() -> None:
    backend = Backend()
    backend.answer_json(501, {"error": {"message": "Infill is not supported by this model"}})
    with pytest.raises(InfillUnsupported):
        await run(backend, MID_LINE)


@pytest.mark.parametrize("status", [500, 503])
async def test_other_failures_are_provider_errors(status: int) -> None:
    backend = Backend()
    backend.answer_json(status, {"error": {"message": "loading model"}})
    with pytest.raises(ProviderError) as raised:
        await run(backend, MID_LINE)
    assert not isinstance(raised.value, InfillUnsupported)
    assert str(status) in str(raised.value)


async def test_garbage_in_the_stream_is_a_provider_error() -> None:
    backend = Backend(body="data: {not json\n\n")
    with pytest.raises(ProviderError):
        await run(backend, MID_LINE)


def test_extra_chunks_go_out_as_input_extra_in_order() -> None:
    head = "import os\n\nLIMIT = 3\n"
    infill = Infill("    return x", "\n", 1, (("src/app.py", head), ("src/util.py", "X = 1\n")))
    expected = [
        {"filename": "src/app.py", "text": head},
        {"filename": "src/util.py", "text": "X = 1\n"},
    ]
    assert infill_body(infill, 64)["input_extra"] == expected
    # A warm-up reads the same chunks before the prefix, or it would evict them from the cache.
    warm = warm_body(infill.prefix, 0, infill.extra)
    assert (warm["input_extra"], warm["input_prefix"]) == (expected, "    return x")
    assert infill_body(MID_LINE, 64)["input_extra"] == []
