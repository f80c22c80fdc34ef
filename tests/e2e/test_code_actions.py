"""Code actions end to end: listed without a model call, resolved into edits that apply."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from tests.e2e.conftest import Start, apply_text_edits, change_doc, open_doc
from tests.fake_openai import Answer, FakeOpenAI

URI = "file:///work/project/stock.py"
SOURCE = """import math


def is_even(n):
    return n % 2 == 1


def area(r):
    return math.pi * r * r
"""
FIXED = SOURCE.replace("n % 2 == 1", "n % 2 == 0")
LINT = types.Diagnostic(
    range=types.Range(types.Position(4, 11), types.Position(4, 21)),
    message="is_even returns True for odd numbers.",
    source="otherlinter",
)
# The fix region is the diagnostic's line with two lines of context each side (lines 3-7).
FIX_REPLACEMENT = "\n" + "def is_even(n):\n    return n % 2 == 0\n\n"


# A client with versioned edits and lazy resolve (VS Code announces both).
RESOLVING_CLIENT = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
    ),
    text_document=types.TextDocumentClientCapabilities(
        code_action=types.CodeActionClientCapabilities(
            resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
            data_support=True,
        )
    ),
)
FIX_ANSWER = Answer(
    json={"rewrites": [{"replacement": FIX_REPLACEMENT, "explanation": "Use == 0."}]},
    match="rewrite",
)


def _params(rng: types.Range, diagnostics: list[types.Diagnostic]) -> types.CodeActionParams:
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        range=rng,
        context=types.CodeActionContext(diagnostics=diagnostics),
    )


def _edits_for(edit: types.WorkspaceEdit | None) -> tuple[list[Any], list[types.TextEdit]]:
    """(documents touched, text edits), from either documentChanges or changes."""
    assert edit is not None
    if edit.document_changes:
        docs = [change.text_document for change in edit.document_changes]  # type: ignore[union-attr]
        edits = [e for change in edit.document_changes for e in change.edits]  # type: ignore[union-attr]
        return docs, edits  # type: ignore[return-value]
    assert edit.changes is not None
    return list(edit.changes), [e for edits in edit.changes.values() for e in edits]


async def test_listing_actions_costs_no_model_call(start_server: Start, fake: FakeOpenAI) -> None:
    client, _ = await start_server(
        editor="neovim", init_options={"features": {"diagnostics": False}}
    )
    open_doc(client, URI, SOURCE)
    selection = types.Range(types.Position(7, 0), types.Position(9, 0))

    actions = await client.text_document_code_action_async(_params(selection, [LINT]))

    assert [(a.title, a.kind) for a in actions or []] == [  # type: ignore[union-attr]
        ("AI: fix 'is_even returns True for odd numbers.'", types.CodeActionKind.QuickFix),
        ("AI: rewrite and simplify selection", types.CodeActionKind.RefactorRewrite),
        ("AI: add docstring", types.CodeActionKind.RefactorRewrite),
        ("AI: add type hints", types.CodeActionKind.RefactorRewrite),
    ]
    assert fake.requests == []


async def test_resolve_returns_a_versioned_edit_that_applies_cleanly(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(FIX_ANSWER)
    caps = RESOLVING_CLIENT
    client, _ = await start_server(capabilities=caps)
    open_doc(client, URI, SOURCE)
    actions = await client.text_document_code_action_async(_params(LINT.range, [LINT]))
    assert actions and isinstance(actions[0], types.CodeAction)
    assert actions[0].edit is None and actions[0].command is None

    resolved = await client.code_action_resolve_async(actions[0])

    docs, edits = _edits_for(resolved.edit)
    assert docs == [types.OptionalVersionedTextDocumentIdentifier(uri=URI, version=1)]
    assert apply_text_edits(SOURCE, edits) == FIXED
    rewrite = [r for r in fake.requests if r.task == "rewrite"]
    assert "is_even returns True for odd numbers." in rewrite[0].prompt_text


async def test_client_without_resolve_gets_a_command_that_applies_the_edit(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(FIX_ANSWER)
    client, recorder = await start_server(
        editor="emacs", init_options={"features": {"diagnostics": False}}
    )
    open_doc(client, URI, SOURCE)
    actions = await client.text_document_code_action_async(_params(LINT.range, [LINT]))
    assert actions and isinstance(actions[0], types.CodeAction)
    command = actions[0].command
    assert command is not None and command.command == "codexLsp.applyAction"

    applied = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )

    assert applied is True
    assert len(recorder.applied_edits) == 1
    docs, edits = _edits_for(recorder.applied_edits[0].edit)
    assert all(getattr(d, "uri", d) == URI for d in docs)
    assert apply_text_edits(SOURCE, edits) == FIXED


async def test_edit_is_computed_for_the_current_version(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(FIX_ANSWER)
    caps = RESOLVING_CLIENT
    client, _ = await start_server(capabilities=caps)
    open_doc(client, URI, SOURCE)
    actions = await client.text_document_code_action_async(_params(LINT.range, [LINT]))
    assert actions and isinstance(actions[0], types.CodeAction)
    edited = "# a comment the user added at the end\n".join([SOURCE, ""])
    change_doc(client, URI, 2, edited)

    resolved = await client.code_action_resolve_async(actions[0])

    docs, edits = _edits_for(resolved.edit)
    assert docs == [types.OptionalVersionedTextDocumentIdentifier(uri=URI, version=2)]
    assert apply_text_edits(edited, edits) == FIXED + "# a comment the user added at the end\n"


async def test_a_fix_offered_before_lines_were_added_above_moves_with_its_code(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(FIX_ANSWER)
    client, _ = await start_server(capabilities=RESOLVING_CLIENT)
    open_doc(client, URI, SOURCE)
    actions = await client.text_document_code_action_async(_params(LINT.range, [LINT]))
    assert actions and isinstance(actions[0], types.CodeAction)
    header = '"""Stock helpers."""\n\n'
    change_doc(client, URI, 2, header + SOURCE)  # the diagnostic's range is now 2 lines off

    resolved = await client.code_action_resolve_async(actions[0])

    _, edits = _edits_for(resolved.edit)
    assert apply_text_edits(header + SOURCE, edits) == header + FIXED


async def test_a_fix_whose_lines_changed_since_it_was_offered_is_not_applied(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(FIX_ANSWER)
    client, recorder = await start_server(capabilities=RESOLVING_CLIENT)
    open_doc(client, URI, SOURCE)
    actions = await client.text_document_code_action_async(_params(LINT.range, [LINT]))
    assert actions and isinstance(actions[0], types.CodeAction)
    edited = SOURCE.replace("n % 2 == 1", "n % 2 != 0")  # the user fixed it another way
    change_doc(client, URI, 2, edited)

    resolved = await client.code_action_resolve_async(actions[0])

    assert resolved.edit is None
    assert not [r for r in fake.requests if r.task == "rewrite"]  # no model call
    assert any("changed" in m.message for m in recorder.messages)
