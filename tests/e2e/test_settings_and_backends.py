"""Settings from the client, and what users see when the backend misbehaves."""

from __future__ import annotations

from lsprotocol import types

from tests.e2e.conftest import Start, open_doc
from tests.fake_openai import Answer, FakeOpenAI, Fault

URI = "file:///work/project/calc.py"
SOURCE = "def add(a, b):\n    return \n\n\ndef mul(a, b):\n    return \n"
ANSWER = {"suggestions": [{"insert_text": "a + b"}]}
NO_REVIEW = {"features": {"diagnostics": False}}


def _completion(line: int = 1) -> types.CompletionParams:
    return types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        position=types.Position(line, 11),
        context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.Invoked),
    )


def _labels(result: object) -> list[str]:
    assert isinstance(result, types.CompletionList)
    return [item.label for item in result.items]


async def test_nonsense_settings_give_a_message_and_a_live_server(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json=ANSWER, match="completion"))
    client, recorder = await start_server(
        editor="neovim",
        init_options={"debounceMs": "soon", "backend": 42, "features": "all", "bogus": True},
    )
    open_doc(client, URI, SOURCE)

    assert _labels(await client.text_document_completion_async(_completion())) == ["a + b"]
    text = "\n".join(m.message for m in recorder.messages)
    for key in ("codexLsp.debounceMs", "codexLsp.backend", "codexLsp.features", "codexLsp.bogus"):
        assert key in text
    assert all(m.type == types.MessageType.Error for m in recorder.messages)


async def test_workspace_configuration_and_its_changes_pick_the_model(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json=ANSWER, match="completion", times=-1))
    client, _ = await start_server(
        editor="neovim", configuration={"model": "gpt-5.4-mini", **NO_REVIEW}
    )
    open_doc(client, URI, SOURCE)
    await client.text_document_completion_async(_completion())

    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"codexLsp": {"model": "gpt-5.5"}})
    )
    await client.text_document_completion_async(_completion(line=5))

    assert [r.model for r in fake.requests] == ["gpt-5.4-mini", "gpt-5.5"]


async def test_model_not_found_falls_back_once_with_one_message(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.unknown_models.add("codex-mini-latest")
    fake.script(Answer(json=ANSWER, match="completion", times=-1))
    client, recorder = await start_server(editor="neovim", init_options=NO_REVIEW)
    open_doc(client, URI, SOURCE)

    first = await client.text_document_completion_async(_completion())
    second = await client.text_document_completion_async(_completion(line=5))

    assert _labels(first) == _labels(second) == ["a + b"]
    assert [r.model for r in fake.requests] == ["codex-mini-latest", "gpt-5.4-mini", "gpt-5.4-mini"]
    warnings = [m.message for m in recorder.messages]
    assert len(warnings) == 1
    assert "codex-mini-latest" in warnings[0] and "gpt-5.4-mini" in warnings[0]


async def test_rejected_key_gives_one_clear_message(start_server: Start, fake: FakeOpenAI) -> None:
    fake.api_key = "sk-the-right-key-0123456789"
    client, recorder = await start_server(editor="neovim", init_options=NO_REVIEW)
    open_doc(client, URI, SOURCE)

    for _ in range(3):
        assert _labels(await client.text_document_completion_async(_completion())) == []

    assert len(recorder.messages) == 1
    message = recorder.messages[0].message
    assert "OPENAI_API_KEY" in message and "401" in message
    assert "sk-test-e2e" not in message  # the key itself is never echoed


async def test_no_backend_at_all_says_how_to_enable_one(
    start_server: Start, fake: FakeOpenAI
) -> None:
    client, recorder = await start_server(
        editor="neovim",
        env={"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "CODEX_LSP_BACKEND": "openai-compatible"},
        init_options=NO_REVIEW,
    )
    open_doc(client, URI, SOURCE)
    result = await client.text_document_completion_async(_completion())

    assert result is None or _labels(result) == []
    assert recorder.messages, "the user must be told why nothing happens"
    assert fake.requests == []


async def test_rate_limit_is_retried_after_the_requested_pause(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json=ANSWER, match="completion", fault=Fault.rate_limit(0.2)))
    fake.script(Answer(json=ANSWER, match="completion"))
    client, recorder = await start_server(editor="neovim", init_options=NO_REVIEW)
    open_doc(client, URI, SOURCE)

    assert _labels(await client.text_document_completion_async(_completion())) == ["a + b"]
    assert [r.status for r in fake.requests] == [429, 200]
    assert recorder.messages == []


async def test_invalid_json_from_the_model_costs_nothing_but_the_answer(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(text='{"suggestions": [{"insert_text": 7}, {"oops"', match="completion"))
    fake.script(Answer(json=ANSWER, match="completion"))
    client, _ = await start_server(editor="neovim", init_options=NO_REVIEW)
    open_doc(client, URI, SOURCE)

    assert _labels(await client.text_document_completion_async(_completion())) == []
    assert _labels(await client.text_document_completion_async(_completion())) == ["a + b"]


async def test_usage_is_reported_after_each_call_and_on_request(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json=ANSWER, match="completion"))
    client, recorder = await start_server(editor="neovim", init_options=NO_REVIEW)
    open_doc(client, URI, SOURCE)
    await client.text_document_completion_async(_completion())
    await recorder.wait_for(lambda: bool(recorder.usage))

    totals = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="codexLsp.usage")
    )

    request = fake.requests[0]
    call = recorder.usage[0].call
    assert (call.input_tokens, call.cached_tokens) == (
        request.input_tokens,
        request.cached_tokens,
    )
    assert totals["calls"] == 1 and totals["input_tokens"] == request.input_tokens
    assert totals["cost_usd"] > 0


async def test_daily_budget_pauses_automatic_calls_and_asks_for_explicit_ones(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json=ANSWER, match="completion", times=-1))
    client, recorder = await start_server(
        editor="neovim", init_options={**NO_REVIEW, "budgetUsdPerDay": 0.000001}
    )
    open_doc(client, URI, SOURCE)
    automatic = types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter)

    await client.text_document_completion_async(_completion())  # spends past the budget
    paused = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(URI), types.Position(5, 11), automatic)
    )
    recorder.answer_with = "Run anyway"
    explicit = await client.text_document_completion_async(_completion(line=5))

    assert _labels(paused) == []
    assert _labels(explicit) == ["a + b"]
    assert len(fake.requests) == 2
    assert [m.message for m in recorder.messages if "budget" in m.message] != []
    assert len(recorder.questions) == 1 and "budget" in recorder.questions[0].message


async def test_openai_compatible_backend_speaks_chat_completions(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json=ANSWER, match="completion"))
    client, recorder = await start_server(
        editor="neovim",
        env={"OPENAI_API_KEY": ""},
        init_options={**NO_REVIEW, "backend": "openai-compatible", "model": "qwen2.5-coder"},
    )
    open_doc(client, URI, SOURCE)

    result = await client.text_document_completion_async(_completion())

    assert _labels(result) == ["a + b"]
    request = fake.requests[0]
    assert (request.path, request.model) == ("/v1/chat/completions", "qwen2.5-coder")
    assert request.body["response_format"]["json_schema"]["strict"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    await recorder.wait_for(lambda: bool(recorder.usage))
    assert recorder.usage[0].call.input_tokens == request.input_tokens


async def test_openai_backend_without_a_key_says_how_to_set_it(
    start_server: Start, fake: FakeOpenAI
) -> None:
    client, recorder = await start_server(
        editor="neovim",
        env={"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""},
        init_options={**NO_REVIEW, "backend": "openai"},
    )
    open_doc(client, URI, SOURCE)
    for _ in range(2):
        result = await client.text_document_completion_async(_completion())
        assert result is None or _labels(result) == []

    assert len(recorder.messages) == 1
    assert "OPENAI_API_KEY" in recorder.messages[0].message
    assert fake.requests == []


async def test_a_setting_removed_from_the_configuration_falls_back(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json=ANSWER, match="completion", times=-1))
    client, _ = await start_server(editor="neovim", init_options=NO_REVIEW)
    open_doc(client, URI, SOURCE)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"codexLsp": {"model": "gpt-5.5"}})
    )
    await client.text_document_completion_async(_completion())
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"codexLsp": {"model": None}})
    )
    await client.text_document_completion_async(_completion(line=5))

    assert [r.model for r in fake.requests] == ["gpt-5.5", "codex-mini-latest"]


async def test_a_settings_change_during_a_request_lets_it_finish_on_its_backend(
    start_server: Start, fake: FakeOpenAI
) -> None:
    import asyncio

    fake.script(Answer(json=ANSWER, match="completion", times=2))
    client, recorder = await start_server(
        editor="neovim", init_options={**NO_REVIEW, "debounceMs": 500}
    )
    open_doc(client, URI, SOURCE)
    typed = types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        position=types.Position(1, 11),
        context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter),
    )
    first = asyncio.ensure_future(client.text_document_completion_async(typed))
    await asyncio.sleep(0.1)  # it holds its backend and waits out the debounce
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"codexLsp": {"model": "gpt-5.5"}})
    )
    # This one builds the new backend (and retires the old one) while the first still waits.
    second = await client.text_document_completion_async(_completion(line=5))

    assert _labels(second) == _labels(await first) == ["a + b"]
    assert sorted(r.body["model"] for r in fake.requests) == ["codex-mini-latest", "gpt-5.5"]
    assert not [m for m in recorder.messages if m.type == types.MessageType.Error]
