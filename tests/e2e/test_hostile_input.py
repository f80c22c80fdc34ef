"""Input a careless or hostile client may send: the server answers sensibly and stays up."""

from __future__ import annotations

import json

from lsprotocol import types

from codex_lsp.engine.tokens import estimate_tokens
from tests.e2e.conftest import Start, open_doc
from tests.fake_openai import Answer, FakeOpenAI

URI = "file:///work/project/odd.py"
ANSWER = {"suggestions": [{"insert_text": "pass"}]}


def _invoked(uri: str, line: int, character: int) -> types.CompletionParams:
    return types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line, character),
        context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.Invoked),
    )


async def test_requests_for_unknown_documents_get_empty_answers(
    start_server: Start, fake: FakeOpenAI
) -> None:
    client, _ = await start_server(editor="neovim")
    unknown = "file:///nowhere/never-opened.py"

    completion = await client.text_document_completion_async(_invoked(unknown, 3, 4))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(unknown),
            range=types.Range(types.Position(0, 0), types.Position(1, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(unknown))
    )

    assert completion is None
    assert not actions
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport) and not report.items
    assert fake.requests == []


async def test_positions_past_the_end_are_clamped(start_server: Start, fake: FakeOpenAI) -> None:
    fake.script(Answer(json=ANSWER, match="completion", times=-1))
    client, _ = await start_server(editor="neovim")
    open_doc(client, URI, "def f():\n    ")

    result = await client.text_document_completion_async(_invoked(URI, 99, 500))

    assert isinstance(result, types.CompletionList)
    end = types.Position(1, 4)
    assert [i.text_edit for i in result.items] == [types.TextEdit(types.Range(end, end), "pass")]


async def test_surrogate_pairs_and_empty_documents(start_server: Start, fake: FakeOpenAI) -> None:
    fake.script(Answer(json=ANSWER, match="completion", times=-1))
    client, _ = await start_server(editor="visual-studio-code")
    open_doc(client, URI, 's = "😋" ')
    open_doc(client, "file:///work/project/empty.py", "")

    emoji = await client.text_document_completion_async(_invoked(URI, 0, 9))
    empty = await client.text_document_completion_async(
        _invoked("file:///work/project/empty.py", 0, 0)
    )

    assert isinstance(emoji, types.CompletionList) and isinstance(empty, types.CompletionList)
    # 's = "😋" ' is 9 UTF-16 code units long (the emoji counts two).
    assert emoji.items[0].text_edit.range.start == types.Position(0, 9)  # type: ignore[union-attr]
    assert empty.items[0].text_edit.range.start == types.Position(0, 0)  # type: ignore[union-attr]


async def test_garbage_action_data_and_unknown_commands_do_not_crash(
    start_server: Start, fake: FakeOpenAI
) -> None:
    client, _ = await start_server(editor="neovim")
    open_doc(client, URI, "x = 1\n")

    resolved = await client.code_action_resolve_async(
        types.CodeAction(title="forged", data={"uri": URI, "range": "not a range", "kind": 7})
    )
    applied = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="codexLsp.applyAction", arguments=[{"nonsense": 1}])
    )
    completion = await client.text_document_completion_async(_invoked(URI, 0, 5))

    assert resolved.edit is None
    assert applied is False
    assert completion is not None  # still alive
    assert [r.task for r in fake.requests] == ["completion"]


async def test_a_huge_document_is_trimmed_to_the_context_budget(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(Answer(json=ANSWER, match="completion"))
    client, _ = await start_server(editor="neovim", init_options={"maxContextTokens": 4000})
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(20_000))
    open_doc(client, URI, body + "def g():\n    ")
    last_line = body.count("\n") + 1

    result = await client.text_document_completion_async(_invoked(URI, last_line, 4))

    assert isinstance(result, types.CompletionList) and result.items
    request = fake.requests[0]
    # within the budget (the whole file is ~500k tokens), give or take the snapshot's line
    # numbers, which the budget does not count
    assert estimate_tokens(request.prompt_text) < 4000 * 1.25
    assert "def g():" in request.prompt_text


async def test_settings_of_the_wrong_shape_are_ignored(
    start_server: Start, fake: FakeOpenAI
) -> None:
    client, _ = await start_server(editor="neovim", init_options=None)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=json.loads('{"codexLsp": [1, 2, 3]}'))
    )
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    fake.script(Answer(json=ANSWER, match="completion"))
    open_doc(client, URI, "x = ")

    result = await client.text_document_completion_async(_invoked(URI, 0, 4))

    assert isinstance(result, types.CompletionList) and len(result.items) == 1
