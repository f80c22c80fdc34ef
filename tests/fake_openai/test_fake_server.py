"""Tests of the fake OpenAI server, driven through the real openai SDK over real sockets.

Each test states one behaviour the project's tests and benchmarks rely on: the wire format
the SDK parses, fault mapping onto SDK exceptions, disconnect detection, and the numbers the
prompt-cache simulation reports.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Literal

import httpx2
import openai
import pytest
from openai.types.responses import ResponseFormatTextJSONSchemaConfigParam, ResponseInputParam
from pydantic import BaseModel

from tests.fake_openai import Answer, FakeOpenAI, Fault, RequestRecord, approx_tokenize
from tests.fake_openai.schemas import minimal_instance

REPO_ROOT = Path(__file__).resolve().parents[2]


class Finding(BaseModel):
    line: int
    severity: Literal["error", "warning"]
    message: str


class Review(BaseModel):
    summary: str
    findings: list[Finding]


REVIEW = Review(
    summary="one bug",
    findings=[Finding(line=3, severity="error", message="n % 2 == 1 is odd, not even")],
)


def review_format(name: str = "Review") -> ResponseFormatTextJSONSchemaConfigParam:
    return {
        "type": "json_schema",
        "name": name,
        "schema": Review.model_json_schema(),
        "strict": True,
    }


def words(count: int, salt: str = "a") -> str:
    """``count`` four-character words: 2 * count - 1 approximate tokens."""
    return " ".join(f"{salt}{i % 1000:03d}" for i in range(count))


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def client(fake: FakeOpenAI) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        base_url=fake.base_url, api_key="sk-test", max_retries=0
    ) as sdk_client:
        yield sdk_client


def last(fake: FakeOpenAI) -> RequestRecord:
    return fake.requests[-1]


# Wire format -------------------------------------------------------------------------------


async def test_responses_stream_yields_deltas_and_parsed_result(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake.script(Answer(json=REVIEW.model_dump(), chunk_chars=5))
    deltas: list[str] = []
    async with client.responses.stream(
        model="gpt-5-mini", input="review this", text_format=Review
    ) as stream:
        async for event in stream:
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
        final = await stream.get_final_response()
    assert len(deltas) > 5
    assert all(len(delta) <= 5 for delta in deltas)
    assert json.loads("".join(deltas)) == REVIEW.model_dump()
    assert final.output_parsed == REVIEW
    assert last(fake).schema_name == "Review"
    assert last(fake).completed


async def test_reasoning_model_event_order_and_sequence_numbers(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake.script(Answer(text='{"summary":"","findings":[]}', chunk_chars=100, reasoning_tokens=7))
    stream = await client.responses.create(
        model="gpt-5-mini", input="hi", stream=True, text={"format": review_format()}
    )
    events = [event async for event in stream]
    assert [e.type for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    first, message = events[2], events[4]
    assert first.type == "response.output_item.added" and first.item.type == "reasoning"
    assert first.output_index == 0
    assert message.type == "response.output_item.added" and message.output_index == 1
    created, completed = events[0], events[-1]
    assert created.type == "response.created" and completed.type == "response.completed"
    assert completed.response.id == created.response.id
    assert completed.response.usage is not None
    assert completed.response.usage.output_tokens_details.reasoning_tokens == 7


async def test_non_reasoning_model_has_no_reasoning_item(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    stream = await client.responses.create(model="gpt-4.1-mini", input="hi", stream=True)
    types = [event.type async for event in stream]
    assert types.count("response.output_item.added") == 1
    assert types[2] == "response.output_item.added"


async def test_raw_sse_framing(fake: FakeOpenAI) -> None:
    body = {"model": "gpt-4.1-mini", "input": "hi", "stream": True}
    async with (
        httpx2.AsyncClient() as http,
        http.stream("POST", f"{fake.base_url}/responses", json=body) as response,
    ):
        raw = (await response.aread()).decode()
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["transfer-encoding"] == "chunked"
    blocks = raw.split("\n\n")
    assert blocks[-1] == ""
    for block in blocks[:-1]:
        event_line, data_line = block.split("\n")
        assert event_line.startswith("event: ") and data_line.startswith("data: ")
        assert json.loads(data_line[6:])["type"] == event_line[7:]


async def test_non_streamed_responses_and_chat(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake.script(Answer(json=REVIEW.model_dump()), Answer(text="plain"))
    parsed = await client.responses.parse(model="gpt-5-mini", input="hi", text_format=Review)
    assert parsed.output_parsed == REVIEW
    chat = await client.chat.completions.create(
        model="gpt-4.1-mini", messages=[{"role": "user", "content": "hi"}]
    )
    assert chat.choices[0].message.content == "plain"
    assert [r.stream for r in fake.requests] == [False, False]


async def test_chat_stream_json_schema_with_usage(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake.script(Answer(json=REVIEW.model_dump(), chunk_chars=6))
    stream = await client.chat.completions.create(
        model="gpt-4.1-mini",
        messages=[
            {"role": "system", "content": "You review code."},
            {"role": "user", "content": "x"},
        ],
        stream=True,
        stream_options={"include_usage": True},
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "Review", "schema": Review.model_json_schema(), "strict": True},
        },
    )
    chunks = [chunk async for chunk in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert Review.model_validate_json(text) == REVIEW
    assert chunks[-1].choices == []
    usage = chunks[-1].usage
    assert usage is not None and usage.prompt_tokens == last(fake).input_tokens
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 0
    assert all(c.usage is None for c in chunks[:-1])
    assert last(fake).schema_name == "Review" and last(fake).completed


async def test_models_list_and_retrieve(client: openai.AsyncOpenAI, fake: FakeOpenAI) -> None:
    fake.unknown_models.add("gpt-5-mini")
    listed = [model.id async for model in client.models.list()]
    assert "gpt-4.1-mini" in listed and "gpt-5-mini" not in listed
    assert (await client.models.retrieve("o4-mini")).id == "o4-mini"
    with pytest.raises(openai.NotFoundError) as caught:
        await client.models.retrieve("gpt-5-mini")
    assert caught.value.code == "model_not_found"


# Errors and faults -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error", "code"),
    [
        (Fault.rate_limit(0.05), openai.RateLimitError, "rate_limit_exceeded"),
        (Fault.server_error(500), openai.InternalServerError, None),
        (Fault.server_error(503), openai.InternalServerError, None),
        (Fault.invalid_api_key(), openai.AuthenticationError, "invalid_api_key"),
        (Fault.model_not_found(), openai.NotFoundError, "model_not_found"),
    ],
)
async def test_http_faults_map_to_sdk_exceptions(
    fake: FakeOpenAI,
    client: openai.AsyncOpenAI,
    fault: Fault,
    error: type[openai.APIStatusError],
    code: str | None,
) -> None:
    fake.script(Answer(fault=fault))
    with pytest.raises(error) as caught:
        await client.responses.create(model="gpt-4.1-mini", input="hi", stream=True)
    assert caught.value.code == code
    assert isinstance(caught.value.body, dict) and set(caught.value.body) == {
        "message",
        "type",
        "param",
        "code",
    }
    # The fault consumed the answer: the next request succeeds.
    await client.responses.create(model="gpt-4.1-mini", input="hi")


async def test_rate_limit_headers_drive_sdk_retry(fake: FakeOpenAI) -> None:
    fake.script(Answer(fault=Fault.rate_limit(0.3)), Answer(text="after retry"))
    async with openai.AsyncOpenAI(base_url=fake.base_url, api_key="k", max_retries=1) as retrying:
        raw = await retrying.responses.with_raw_response.create(model="gpt-4.1-mini", input="hi")
    assert raw.parse().output_text == "after retry"
    first, second = fake.requests
    assert first.status == 429 and second.status == 200
    assert second.received_at - first.received_at >= 0.3  # retry-after-ms was honoured


async def test_rate_limit_without_retry_after_names_no_pause(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake.script(Answer(fault=Fault.rate_limit(None)))
    with pytest.raises(openai.RateLimitError) as caught:
        await client.responses.create(model="gpt-4.1-mini", input="hi")
    headers = caught.value.response.headers
    assert "retry-after" not in headers and "retry-after-ms" not in headers
    assert "try again later" in caught.value.message


async def test_unknown_model_option_wording(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.unknown_models.add("codex-mini-latest")
    fake.script(Answer(text="kept for later"))
    with pytest.raises(openai.NotFoundError) as caught:
        await client.responses.create(model="codex-mini-latest", input="hi")
    assert caught.value.code == "model_not_found"
    assert caught.value.body == {
        "message": "The model `codex-mini-latest` does not exist or you do not have access to it.",
        "type": "invalid_request_error",
        "param": None,
        "code": "model_not_found",
    }
    assert len(fake.pending()) == 1  # a rejected request does not eat a scripted answer


async def test_chat_for_responses_only_model_is_400(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await client.chat.completions.create(
            model="codex-mini-latest", messages=[{"role": "user", "content": "hi"}]
        )
    assert "only supported in v1/responses" in caught.value.message


async def test_api_key_option() -> None:
    with FakeOpenAI(api_key="sk-right") as server:
        async with openai.AsyncOpenAI(
            base_url=server.base_url, api_key="sk-wrong-key", max_retries=0
        ) as wrong:
            with pytest.raises(openai.AuthenticationError) as caught:
                await wrong.responses.create(model="gpt-4.1-mini", input="hi")
        assert caught.value.code == "invalid_api_key"
        async with openai.AsyncOpenAI(
            base_url=server.base_url, api_key="sk-right", max_retries=0
        ) as right:
            assert (await right.responses.create(model="gpt-4.1-mini", input="hi")).output_text


async def test_drop_mid_stream_raises_connection_error(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake.script(Answer(text="x" * 80, chunk_chars=8, fault=Fault.drop(after_deltas=3)))
    deltas = 0
    with pytest.raises(openai.APIConnectionError):
        async with client.responses.stream(model="gpt-4.1-mini", input="hi") as stream:
            async for event in stream:
                deltas += event.type == "response.output_text.delta"
    assert deltas == 3
    assert last(fake).fault == "drop" and not last(fake).completed


async def test_stall_hits_client_read_timeout_and_server_sees_disconnect(
    fake: FakeOpenAI,
) -> None:
    fake.script(Answer(text="x" * 40, fault=Fault.stall(after_deltas=1, seconds=30)))
    async with openai.AsyncOpenAI(
        base_url=fake.base_url, api_key="k", max_retries=0, timeout=0.3
    ) as impatient:
        with pytest.raises(openai.APITimeoutError):
            async with impatient.responses.stream(model="gpt-4.1-mini", input="hi") as stream:
                async for _ in stream:
                    pass
    assert await fake.await_for(lambda: last(fake).disconnected, timeout=5)


async def test_silence_sends_no_byte_before_the_client_read_timeout(fake: FakeOpenAI) -> None:
    fake.script(Answer(text="x" * 40, fault=Fault.silence(seconds=30)))
    async with openai.AsyncOpenAI(
        base_url=fake.base_url, api_key="k", max_retries=0, timeout=0.3
    ) as impatient:
        with pytest.raises(openai.APITimeoutError):  # no status line: create() itself times out
            await impatient.responses.create(model="gpt-4.1-mini", input="hi", stream=True)
    assert await fake.await_for(lambda: last(fake).disconnected, timeout=5)
    assert last(fake).fault == "silence" and not last(fake).completed


async def test_short_silence_then_the_answer(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(Answer(text="y" * 24, fault=Fault.silence(seconds=0.2)))
    started = time.monotonic()
    async with client.responses.stream(model="gpt-4.1-mini", input="hi") as stream:
        final = await stream.get_final_response()
    assert final.output_text == "y" * 24
    assert time.monotonic() - started >= 0.2


async def test_short_stall_then_stream_completes(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake.script(Answer(text="y" * 24, fault=Fault.stall(after_deltas=1, seconds=0.2)))
    started = time.monotonic()
    async with client.responses.stream(model="gpt-4.1-mini", input="hi") as stream:
        final = await stream.get_final_response()
    assert final.output_text == "y" * 24
    assert time.monotonic() - started >= 0.2


async def test_timing_records_each_delta_and_the_end(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake.script(Answer(text="z" * 24, chunk_chars=8, delay_s=0.05))
    async with client.responses.stream(model="gpt-4.1-mini", input="hi") as stream:
        await stream.get_final_response()
    assert await fake.await_for(lambda: last(fake).ended_at is not None, timeout=5)
    record = last(fake)
    sent, ended = record.delta_sent_at, record.ended_at
    assert len(sent) == 3 and ended is not None
    assert all(later - earlier >= 0.04 for earlier, later in itertools.pairwise(sent))
    assert record.received_at <= sent[0] <= sent[-1] <= ended


async def test_error_event_mid_stream(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(Answer(fault=Fault.error_event(after_deltas=1, code="server_error")))
    types: list[str] = []
    async with client.responses.stream(
        model="gpt-4.1-mini", input="hi", text_format=Review
    ) as stream:
        async for event in stream:
            types.append(event.type)
            if event.type == "error":
                assert event.code == "server_error"
        with pytest.raises(RuntimeError):
            await stream.get_final_response()
    assert types[-2:] == ["response.output_text.delta", "error"]


async def test_response_failed_mid_stream(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(Answer(text="abcdefgh" * 4, fault=Fault.response_failed(after_deltas=2)))
    failed = None
    async with client.responses.stream(model="gpt-5-mini", input="hi") as stream:
        async for event in stream:
            if event.type == "response.failed":
                failed = event
        with pytest.raises(RuntimeError):
            await stream.get_final_response()
    assert failed is not None and failed.response.status == "failed"
    assert failed.response.error is not None and failed.response.error.code == "server_error"


async def test_chat_error_mid_stream_raises_api_error(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake.script(Answer(text="z" * 40, fault=Fault.error_event(after_deltas=2)))
    stream = await client.chat.completions.create(
        model="gpt-4.1-mini", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    with pytest.raises(openai.APIError):
        async for _ in stream:
            pass


async def test_cancelling_the_consumer_marks_record_disconnected(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake.script(Answer(text="x" * 400, chunk_chars=4, delay_s=0.02))
    first_delta = asyncio.Event()

    async def consume() -> None:
        async with client.responses.stream(model="gpt-4.1-mini", input="hi") as stream:
            async for event in stream:
                if event.type == "response.output_text.delta":
                    first_delta.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_delta.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await fake.await_for(lambda: last(fake).disconnected, timeout=5)
    assert not last(fake).completed


async def test_concurrent_streams_are_served_in_parallel(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    fake.script(Answer(text="x" * 40, chunk_chars=4, delay_s=0.03, times=-1))

    async def one() -> str:
        async with client.responses.stream(model="gpt-4.1-mini", input="hi") as stream:
            return (await stream.get_final_response()).output_text

    started = time.monotonic()
    texts = await asyncio.gather(*(one() for _ in range(16)))
    assert texts == ["x" * 40] * 16
    assert time.monotonic() - started < 16 * 9 * 0.03 / 2  # far less than one after another
    assert len(fake.pending()) == 1  # times=-1 never runs out


# Scripting and records ---------------------------------------------------------------------


async def test_match_times_and_fifo(fake: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake.script(
        Answer(text="for Other", match="Other"),
        Answer(text="first", times=2),
        Answer(text="second"),
    )

    async def ask(schema_name: str) -> str:
        response = await client.responses.create(
            model="gpt-4.1-mini", input="hi", text={"format": review_format(schema_name)}
        )
        return response.output_text

    assert [await ask("Review") for _ in range(3)] == ["first", "first", "second"]
    assert await ask("Other") == "for Other"
    assert fake.pending() == []


async def test_default_responder_builds_minimal_instances(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    parsed = await client.responses.parse(model="gpt-4.1-mini", input="hi", text_format=Review)
    assert parsed.output_parsed == Review(summary="", findings=[])
    fake.default_responder = lambda record: Answer(text=f"model={record.model}")
    response = await client.responses.create(model="gpt-4.1-mini", input="hi")
    assert response.output_text == "model=gpt-4.1-mini"


def test_minimal_instance_covers_refs_enums_and_nullables() -> None:
    schema = {
        "type": "object",
        "required": ["finding", "kind", "maybe", "count", "tags"],
        "properties": {
            "finding": {"$ref": "#/$defs/Finding"},
            "kind": {"type": "string", "enum": ["bug", "style"]},
            "maybe": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            "count": {"type": ["null", "number"]},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "optional": {"type": "string"},
        },
        "$defs": {"Finding": Finding.model_json_schema()},
    }
    assert minimal_instance(schema) == {
        "finding": {"line": 0, "severity": "error", "message": ""},
        "kind": "bug",
        "maybe": 0,
        "count": 0,
        "tags": [""],
    }


def test_sync_wait_for_wakes_on_records_and_times_out(fake: FakeOpenAI) -> None:
    assert not fake.wait_for(lambda: len(fake.requests) > 0, timeout=0.05)

    def call() -> None:
        with openai.OpenAI(base_url=fake.base_url, api_key="k", max_retries=0) as sync_client:
            sync_client.responses.create(model="gpt-4.1-mini", input="hi")

    worker = threading.Thread(target=call)
    worker.start()
    try:
        assert fake.wait_for(lambda: bool(fake.requests) and last(fake).completed, timeout=5)
    finally:
        worker.join()
    fake.reset()
    assert fake.requests == []


def test_control_api_scripts_and_reports(fake: FakeOpenAI) -> None:
    with httpx2.Client(base_url=fake.url) as http:
        fault = Fault.rate_limit(2.0).to_dict()
        assert http.post("/_fake/script", json={"fault": fault}).json() == {"queued": 1}
        rejected = http.post("/v1/responses", json={"model": "gpt-4.1-mini", "input": "hi"})
        assert rejected.status_code == 429
        assert rejected.headers["retry-after"] == "2"
        assert rejected.headers["retry-after-ms"] == "2000"
        records = http.get("/_fake/requests").json()
        assert [(r["status"], r["fault"]) for r in records] == [(429, "rate_limit")]
        assert http.post("/_fake/script", json={"bogus": 1}).status_code == 400
        http.post("/_fake/reset")
        assert http.get("/_fake/requests").json() == []


def test_command_line_entry_point() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "tests.fake_openai", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().rsplit(" ", 1)[-1].strip()
            assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
            assert httpx2.get(f"{base_url}/models").json()["object"] == "list"
        finally:
            process.terminate()
        assert process.wait(timeout=5) == 0


def test_approx_tokenizer_is_deterministic_and_splits_long_words() -> None:
    assert approx_tokenize("def is_even(n):") == ["def", " ", "is_e", "ven", "(", "n", ")", ":"]
    assert len(approx_tokenize(words(10))) == 19


# Implicit prompt caching -------------------------------------------------------------------


async def cached_tokens(client: openai.AsyncOpenAI, text: str, cache_key: str | None = None) -> int:
    response = await client.responses.create(
        model="gpt-4.1-mini", input=text, prompt_cache_key=cache_key
    )
    assert response.usage is not None
    return response.usage.input_tokens_details.cached_tokens


async def test_implicit_cache_hits_second_identical_prompt(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    prompt = words(1000)  # 1999 tokens
    assert await cached_tokens(client, prompt) == 0
    second = await cached_tokens(client, prompt)
    assert second >= 1024 and second % 128 == 0
    assert second == 1999 // 128 * 128
    assert last(fake).cached_tokens == second and last(fake).input_tokens == 1999


async def test_prompt_under_1024_tokens_never_caches(client: openai.AsyncOpenAI) -> None:
    prompt = words(450)  # 899 tokens
    assert [await cached_tokens(client, prompt) for _ in range(3)] == [0, 0, 0]


async def test_changed_tokens_cut_the_hit(client: openai.AsyncOpenAI) -> None:
    prompt = words(1000)
    await cached_tokens(client, prompt)
    assert await cached_tokens(client, "z" + prompt[1:]) == 0  # first token differs
    changed_at_1500 = prompt.replace("a750", "b750", 1)  # word 750 is token 1500
    assert await cached_tokens(client, changed_at_1500) == 1408  # 11 whole blocks
    changed_at_600 = prompt.replace("a300", "b300", 1)
    assert await cached_tokens(client, changed_at_600) == 0  # shared prefix under 1024


async def test_chat_reports_cached_tokens(client: openai.AsyncOpenAI) -> None:
    async def chat_cached() -> int:
        chat = await client.chat.completions.create(
            model="gpt-4.1-mini", messages=[{"role": "user", "content": words(1000)}]
        )
        assert chat.usage is not None and chat.usage.prompt_tokens_details is not None
        return chat.usage.prompt_tokens_details.cached_tokens or 0

    assert [await chat_cached(), await chat_cached()] == [0, 1920]


async def test_prompt_cache_key_routes_to_separate_machines(client: openai.AsyncOpenAI) -> None:
    prompt = words(1000)
    await cached_tokens(client, prompt, cache_key="alpha")
    assert await cached_tokens(client, prompt, cache_key="beta") == 0
    assert await cached_tokens(client, prompt, cache_key="alpha") == 1920


async def test_idle_entries_expire_on_the_injected_clock() -> None:
    now = [1000.0]
    with FakeOpenAI(clock=lambda: now[0], cache_ttl_s=600) as server:
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key="k") as sdk:
            prompt = words(1000)
            await cached_tokens(sdk, prompt)
            now[0] += 599
            assert await cached_tokens(sdk, prompt) == 1920  # and the hit refreshes the entry
            now[0] += 601
            assert await cached_tokens(sdk, prompt) == 0


async def test_hot_prefix_overflows_to_a_cold_machine() -> None:
    now = [0.0]
    with FakeOpenAI(clock=lambda: now[0], per_prefix_rpm=2) as server:
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key="k") as sdk:
            prompt = words(1000)
            hits = [await cached_tokens(sdk, prompt) for _ in range(3)]
            assert hits == [0, 1920, 0]  # the third request in a minute went elsewhere
            now[0] += 61
            assert await cached_tokens(sdk, prompt) == 1920


# Explicit prompt caching (gpt-5.6 and later) -----------------------------------------------


def blocks(stable: str, tail: str, *, breakpoints: int = 1, ttl: str = "30m") -> ResponseInputParam:
    """A user message: ``stable`` cut into ``breakpoints`` marked blocks, then an unmarked tail."""
    pieces = stable.split(" ")
    step = -(-len(pieces) // max(breakpoints, 1))
    texts = [" ".join(pieces[i : i + step]) for i in range(0, len(pieces), step)]
    marker = {"mode": "explicit", "ttl": ttl}
    content: list[Any] = [
        {"type": "input_text", "text": text}
        | ({"prompt_cache_breakpoint": marker} if breakpoints else {})
        for text in texts
    ]
    content.append({"type": "input_text", "text": tail})
    return [{"role": "user", "content": content}]


async def explicit_usage(
    client: openai.AsyncOpenAI, input: ResponseInputParam, **extra: Any
) -> tuple[int, int]:
    response = await client.responses.create(model="gpt-5.6", input=input, **extra)
    assert response.usage is not None
    details = response.usage.input_tokens_details
    return details.cached_tokens, details.cache_write_tokens


async def test_explicit_breakpoint_hits_with_changing_tail(
    fake: FakeOpenAI, client: openai.AsyncOpenAI
) -> None:
    stable = words(700)  # 1399 tokens: a hit need not be a multiple of 128
    assert await explicit_usage(client, blocks(stable, "tail one")) == (0, 1399 + 3)
    assert await explicit_usage(client, blocks(stable, "tail two!")) == (1399, 4)
    assert last(fake).cached_tokens == 1399 and last(fake).cache_write_tokens == 4


async def test_explicit_regime_without_breakpoint_misses_when_tail_changes(
    client: openai.AsyncOpenAI,
) -> None:
    stable = words(700)
    assert await explicit_usage(client, blocks(stable, "one", breakpoints=0)) == (0, 1400)
    assert await explicit_usage(client, blocks(stable, "two", breakpoints=0)) == (0, 1400)
    # The same prompt again hits the implicit end-of-prompt breakpoint exactly.
    assert await explicit_usage(client, blocks(stable, "two", breakpoints=0)) == (1400, 0)


async def test_explicit_mode_turns_off_the_implicit_breakpoint(
    client: openai.AsyncOpenAI,
) -> None:
    stable = words(700)
    options: Any = {"mode": "explicit"}
    unmarked = blocks(stable, "tail", breakpoints=0)
    assert await explicit_usage(client, unmarked, prompt_cache_options=options) == (0, 0)
    assert await explicit_usage(client, unmarked, prompt_cache_options=options) == (0, 0)


async def test_more_than_four_breakpoints_is_400(client: openai.AsyncOpenAI) -> None:
    await explicit_usage(client, blocks(words(800), "tail", breakpoints=4))
    with pytest.raises(openai.BadRequestError) as caught:
        await explicit_usage(client, blocks(words(800), "tail", breakpoints=5))
    assert "at most 4" in caught.value.message


async def test_cache_write_details_split_by_ttl(client: openai.AsyncOpenAI) -> None:
    response = await client.responses.create(
        model="gpt-5.6", input=blocks(words(700), "tail", ttl="12h")
    )
    assert response.usage is not None
    details = response.usage.input_tokens_details.cache_write_tokens_details
    assert details is not None
    assert (details.ttl_12h_tokens, details.ttl_30m_tokens) == (1399, 1)  # "tail": 1 token


async def test_explicit_cache_models_option_and_short_prefixes() -> None:
    with FakeOpenAI(explicit_cache_models={"my-model"}) as server:
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key="k") as sdk:
            for _ in range(2):
                await sdk.responses.create(model="my-model", input=words(600))
            assert (server.requests[-1].cached_tokens, server.requests[-1].input_tokens) == (
                1199,
                1199,
            )
            for _ in range(2):
                await sdk.responses.create(model="my-model", input=words(400))
            assert server.requests[-1].cached_tokens == 0  # under the 1024-token minimum
