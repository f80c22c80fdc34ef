"""Completion items and ghost text, end to end: real server, real HTTP, fake OpenAI."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.e2e.conftest import Cancellable, Start, change_doc, open_doc
from tests.fake_openai import Answer, FakeOpenAI, Fault, RequestRecord

URI = "file:///work/project/calc.py"
SOURCE = "def add(a, b):\n    return \n\n\ndef sub(a, b):\n    return a - b\n"


def _doc(uri: str = URI) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def _completion_requests(fake: FakeOpenAI) -> list[RequestRecord]:
    return [r for r in fake.requests if r.task == "completion"]


def _invoked() -> types.CompletionContext:
    return types.CompletionContext(trigger_kind=types.CompletionTriggerKind.Invoked)


async def test_completion_item_inserts_model_text_at_cursor(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json={"suggestions": [{"insert_text": "a + b"}]}, match="completion"))
    client, _ = await start_server(editor="visual-studio-code")
    open_doc(client, URI, SOURCE)

    result = await client.text_document_completion_async(
        types.CompletionParams(_doc(), types.Position(1, 11), context=_invoked())
    )

    assert isinstance(result, types.CompletionList)
    assert [(i.label, i.text_edit) for i in result.items] == [
        (
            "a + b",
            types.TextEdit(types.Range(types.Position(1, 11), types.Position(1, 11)), "a + b"),
        )
    ]
    request = _completion_requests(fake)[-1]
    assert request.path == "/v1/responses" and request.task == "completion"
    # Cache-friendly layout: a snapshot of the file, then the current text after the cursor,
    # then the current text before it, ending at the cursor (typing only appends there).
    prompt = request.prompt_text
    after = prompt.index("<code_after_cursor>")
    before = prompt.index("<code_before_cursor>")
    assert prompt.index("<snapshot>") < after < before
    assert prompt.index("def sub(a, b)", after) < before
    assert prompt[before:] == "<code_before_cursor>\ndef add(a, b):\n    return "


async def test_completion_echo_of_typed_word_is_not_inserted_twice(
    start_server: Start, fake: FakeOpenAI
) -> None:
    text = "import os\nresult = os.pa"
    fake.script(
        Answer(json={"suggestions": [{"insert_text": "os.path.join(a, b)"}]}, match="completion")
    )
    client, _ = await start_server(editor="visual-studio-code")
    open_doc(client, URI, text)

    result = await client.text_document_completion_async(
        types.CompletionParams(_doc(), types.Position(1, 14), context=_invoked())
    )

    assert isinstance(result, types.CompletionList)
    item = result.items[0]
    # The edit replaces the typed word "pa" so filtering works and nothing is duplicated.
    assert item.text_edit == types.TextEdit(
        types.Range(types.Position(1, 12), types.Position(1, 14)), "path.join(a, b)"
    )


async def test_partial_results_stream_each_item_before_the_response(
    start_server: Start, fake: FakeOpenAI
) -> None:
    suggestions = [{"insert_text": "a + b"}, {"insert_text": "sum((a, b))"}]
    fake.script(Answer(json={"suggestions": suggestions}, match="completion"))
    client, recorder = await start_server(editor="visual-studio-code")
    open_doc(client, URI, SOURCE)

    result = await client.text_document_completion_async(
        types.CompletionParams(
            _doc(), types.Position(1, 11), context=_invoked(), partial_result_token="p1"
        )
    )

    assert isinstance(result, types.CompletionList) and not result.items
    sent = [item["label"] for batch in recorder.partial["p1"] for item in batch]
    assert sent == ["a + b", "sum((a, b))"]


async def test_inline_completion_returns_ghost_text_at_cursor(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json={"suggestions": [{"insert_text": "a + b"}]}, match="completion"))
    client, _ = await start_server(editor="neovim")
    open_doc(client, URI, SOURCE)

    result = await client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            context=types.InlineCompletionContext(
                trigger_kind=types.InlineCompletionTriggerKind.Invoked
            ),
            text_document=_doc(),
            position=types.Position(1, 11),
        )
    )

    assert isinstance(result, types.InlineCompletionList)
    assert [(i.insert_text, i.range) for i in result.items] == [
        ("a + b", types.Range(types.Position(1, 11), types.Position(1, 11)))
    ]


async def test_cancelling_a_request_closes_the_upstream_stream(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json={"suggestions": [{"insert_text": "a + b"}]}, fault=Fault.stall(1, 30)))
    client, _ = await start_server(editor="neovim")
    open_doc(client, URI, SOURCE)
    params = types.InlineCompletionParams(
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Invoked
        ),
        text_document=_doc(),
        position=types.Position(1, 11),
    )
    request = Cancellable(client, types.TEXT_DOCUMENT_INLINE_COMPLETION, params)
    assert await fake.await_for(lambda: bool(fake.requests), timeout=10)

    request.cancel()

    assert await fake.await_for(lambda: fake.requests[0].disconnected, timeout=10)
    assert not fake.requests[0].completed
    with pytest.raises(JsonRpcException) as cancelled:
        await request.future
    assert "-32800" in str(cancelled.value) or "cancel" in str(cancelled.value).lower()


async def test_answer_for_an_older_version_is_dropped(
    start_server: Start, fake: FakeOpenAI
) -> None:
    slow = Answer(json={"suggestions": [{"insert_text": "a + b"}]}, chunk_chars=4, delay_s=0.1)
    fake.script(slow)
    client, _ = await start_server(editor="visual-studio-code")
    open_doc(client, URI, SOURCE)
    pending = asyncio.ensure_future(
        client.text_document_completion_async(
            types.CompletionParams(_doc(), types.Position(1, 11), context=_invoked())
        )
    )
    assert await fake.await_for(lambda: bool(fake.requests), timeout=10)

    change_doc(client, URI, 2, SOURCE.replace("return \n", "return a\n"))
    result = await pending

    assert isinstance(result, types.CompletionList)
    assert not result.items


async def test_automatic_requests_are_debounced_into_one_call(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json={"suggestions": [{"insert_text": "a + b"}]}, times=-1))
    client, _ = await start_server(editor="neovim", init_options={"debounceMs": 300})
    open_doc(client, URI, SOURCE)
    automatic = types.InlineCompletionContext(
        trigger_kind=types.InlineCompletionTriggerKind.Automatic
    )
    pending: list[Cancellable] = []
    for version, typed in enumerate(("a", "a ", "a +", "a + "), start=2):
        # A keystroke, then the client's automatic request (VS Code asks after every change).
        change_doc(client, URI, version, SOURCE.replace("return \n", f"return {typed}\n", 1))
        if pending:
            pending[-1].cancel()
        position = types.Position(1, 11 + len(typed))
        params = types.InlineCompletionParams(automatic, _doc(), position)
        pending.append(Cancellable(client, types.TEXT_DOCUMENT_INLINE_COMPLETION, params))
        await asyncio.sleep(0.02)  # typing speed, not a wait for the server
    raw = await pending[-1].future

    assert len(raw.items) == 1
    assert len(_completion_requests(fake)) == 1


async def test_a_client_that_asks_at_pauses_is_served_without_a_wait(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json={"suggestions": [{"insert_text": "a + b"}]}, times=-1))
    client, _ = await start_server(editor="neovim", init_options={"debounceMs": 3000})
    open_doc(client, URI, SOURCE)
    change_doc(client, URI, 2, SOURCE.replace("return \n", "return a\n", 1))
    await asyncio.sleep(3.2)  # the user paused; this client asks only now (it debounced itself)
    automatic = types.InlineCompletionContext(
        trigger_kind=types.InlineCompletionTriggerKind.Automatic
    )
    started = asyncio.get_running_loop().time()
    result = await client.text_document_inline_completion_async(
        types.InlineCompletionParams(automatic, _doc(), types.Position(1, 12))
    )
    assert result is not None and result.items
    # A fixed debounce would add its 3 s here; the pause already happened.
    assert asyncio.get_running_loop().time() - started < 2.0


async def test_invoked_requests_while_typing_wait_for_the_pause(
    start_server: Start, fake: FakeOpenAI
) -> None:
    # VS Code marks completion requests sent while typing an identifier as "invoked".
    fake.script(Answer(json={"suggestions": [{"insert_text": "a + b"}]}, times=-1))
    client, _ = await start_server(editor="neovim", init_options={"debounceMs": 300})
    open_doc(client, URI, SOURCE)
    pending: list[Cancellable] = []
    line = "    return "
    for version, char in enumerate("abc", start=2):
        line += char
        change_doc(client, URI, version, SOURCE.replace("    return \n", line + "\n", 1))
        if pending:
            pending[-1].cancel()
        params = types.CompletionParams(_doc(), types.Position(1, len(line)), context=_invoked())
        pending.append(Cancellable(client, types.TEXT_DOCUMENT_COMPLETION, params))
        await asyncio.sleep(0.02)  # typing speed, not a wait for the server
    await pending[-1].future

    assert len(_completion_requests(fake)) == 1
