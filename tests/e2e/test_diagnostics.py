"""AI review diagnostics end to end: streamed push, pull, stale versions, excluded files."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient, client_capabilities

from tests.e2e.conftest import Start, change_doc, open_doc
from tests.fake_openai import Answer, FakeOpenAI, Fault

URI = "file:///work/project/stock.py"
SOURCE = """def is_even(n):
    return n % 2 == 1


def restock(stock, amount):
    return stock - amount
"""
FINDINGS = [
    {
        "line": 2,
        "snippet": "n % 2 == 1",
        "severity": "error",
        "code": "inverted-condition",
        "message": "is_even returns True for odd numbers.",
    },
    {
        "line": 6,
        "snippet": "stock - amount",
        "severity": "warning",
        "code": "wrong-operator",
        "message": "Restocking should add the amount.",
    },
]
EXPECTED = [
    types.Diagnostic(
        range=types.Range(types.Position(1, 11), types.Position(1, 21)),
        message="is_even returns True for odd numbers.",
        severity=types.DiagnosticSeverity.Error,
        code="inverted-condition",
        source="codex-lsp",
    ),
    types.Diagnostic(
        range=types.Range(types.Position(5, 11), types.Position(5, 25)),
        message="Restocking should add the amount.",
        severity=types.DiagnosticSeverity.Warning,
        code="wrong-operator",
        source="codex-lsp",
    ),
]


def _review(**kwargs: object) -> Answer:
    return Answer(json={"findings": FINDINGS}, match="review", **kwargs)  # type: ignore[arg-type]


async def test_each_finding_is_published_before_the_model_finishes(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(_review(chunk_chars=16, delay_s=0.05))
    client, recorder = await start_server(editor="emacs")  # eglot: push diagnostics only
    stream_done_at_first_publish: list[bool] = []

    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        if params.diagnostics and not stream_done_at_first_publish:
            stream_done_at_first_publish.append(fake.requests[-1].completed)

    recorder.on_publish = on_publish
    open_doc(client, URI, SOURCE)

    await recorder.wait_for(lambda: len(client.diagnostics.get(URI, [])) == 2)

    assert stream_done_at_first_publish == [False]
    assert list(client.diagnostics[URI]) == EXPECTED
    counts = [len(p.diagnostics) for p in recorder.publishes if p.uri == URI]
    assert counts[:2] == [1, 2]
    assert all(p.version == 1 for p in recorder.publishes)


async def test_pull_client_gets_the_full_report_and_no_push(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(_review())
    client, recorder = await start_server(editor="neovim")  # announces pull diagnostics
    open_doc(client, URI, SOURCE)

    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )

    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert list(report.items) == EXPECTED
    assert recorder.publishes == []
    again = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    assert isinstance(again, types.RelatedFullDocumentDiagnosticReport)
    assert list(again.items) == EXPECTED
    assert len([r for r in fake.requests if r.task == "review"]) == 1


async def test_findings_for_an_older_version_are_never_published(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(_review(chunk_chars=8, delay_s=0.1))
    fake.script(Answer(json={"findings": []}, match="review"))
    client, recorder = await start_server(
        editor="emacs",
        init_options={"diagnosticsDebounceMs": 0, "features": {"diagnosticsOnChange": True}},
    )
    open_doc(client, URI, SOURCE)
    assert await fake.await_for(lambda: len(fake.requests) >= 1, timeout=10)

    change_doc(client, URI, 2, SOURCE.replace("== 1", "== 0"))
    await recorder.wait_for(lambda: any(p.version == 2 for p in recorder.publishes))

    assert [p for p in recorder.publishes if p.version == 1 and p.diagnostics] == []
    assert list(client.diagnostics[URI]) == []
    assert fake.requests[0].disconnected  # the stale review's stream was closed, not drained


async def test_typing_after_a_save_lets_its_review_finish_and_moves_the_findings(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(_review(chunk_chars=8, delay_s=0.05))  # about 2.5 s of streaming
    client, recorder = await start_server(editor="emacs")  # push
    open_doc(client, URI, SOURCE)
    assert await fake.await_for(lambda: len(fake.requests) >= 1, timeout=10)

    change_doc(client, URI, 2, "import math\n" + SOURCE)  # typing on while the model reads
    await recorder.wait_for(
        lambda: any(p.version == 2 and p.diagnostics for p in recorder.publishes)
    )

    assert [d.range.start.line for d in client.diagnostics[URI]] == [2, 6]  # one line down
    assert fake.requests[0].completed and not fake.requests[0].disconnected
    assert [r.task for r in fake.requests] == ["review"]
    assert not [p for p in recorder.publishes if p.version == 1 and p.diagnostics][2:]


async def test_a_save_while_the_review_runs_waits_for_it_then_reviews_the_change(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(_review(chunk_chars=8, delay_s=0.05))
    fake.script(Answer(json={"findings": []}, match="review"))
    client, recorder = await start_server(editor="emacs")  # push
    open_doc(client, URI, SOURCE)
    assert await fake.await_for(lambda: len(fake.requests) >= 1, timeout=10)

    change_doc(client, URI, 2, "import math\n" + SOURCE)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=URI))
    )
    assert await fake.await_for(lambda: len(fake.requests) == 2 and fake.requests[1].completed)
    await recorder.wait_for(lambda: recorder.publishes[-1].version == 2)

    first, second = fake.requests
    assert first.completed and not first.disconnected  # not thrown away by the save
    assert "1| import math" in second.prompt_text  # the text as saved the second time
    assert [d.range.start.line for d in client.diagnostics[URI]] == [2, 6]


async def test_a_pull_after_an_edit_gets_the_running_reviews_findings_moved(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(_review(chunk_chars=8, delay_s=0.05))
    client, _ = await start_server(editor="neovim")  # pull
    open_doc(client, URI, SOURCE)
    first = asyncio.ensure_future(pull(client))
    assert await fake.await_for(lambda: len(fake.requests) >= 1, timeout=10)

    change_doc(client, URI, 2, "import math\n" + SOURCE)

    assert await pull(client, previous="1") == [2, 6]
    with pytest.raises(JsonRpcException, match="document changed"):
        await first  # answered for a text the client no longer has: it asks again
    assert [r.task for r in fake.requests] == ["review"] and not fake.requests[0].disconnected


async def test_a_pull_that_cannot_be_refreshed_gets_what_is_known_before_its_deadline(
    start_server: Start, fake: FakeOpenAI
) -> None:
    padding = {"line": 1, "snippet": "not in the file", "severity": "error", "code": "c"}
    slow = [*FINDINGS, {**padding, "message": "x" * 4000}]  # streams on for about 10 s
    fake.script(Answer(json={"findings": slow}, match="review", chunk_chars=8, delay_s=0.02))
    client, recorder = await start_server(editor="neovim", init_options={"requestTimeoutS": 2})
    open_doc(client, URI, SOURCE)  # neovim pulls and has no refresh: the deadline is 7 s

    assert await pull(client) == [1, 5]  # not the empty report of a late request
    assert not [m for m in recorder.messages if "no review within" in m.message]


async def test_excluded_files_are_never_sent(start_server: Start, fake: FakeOpenAI) -> None:
    client, _ = await start_server(editor="emacs")
    open_doc(client, "file:///work/project/.env", "OPENAI_API_KEY=sk-live-0123456789abcdef")
    open_doc(client, "file:///work/project/keys/server.pem", "-----BEGIN PRIVATE KEY-----")
    open_doc(client, URI, SOURCE)  # a normal file afterwards, to know the server got this far

    assert await fake.await_for(lambda: bool(fake.requests and fake.requests[0].completed))
    assert [r.task for r in fake.requests] == ["review"]
    prompt = fake.requests[0].prompt_text
    assert "sk-live" not in prompt and "PRIVATE KEY" not in prompt


async def test_secrets_in_a_reviewed_file_are_redacted(
    start_server: Start, fake: FakeOpenAI
) -> None:
    client, _ = await start_server(editor="emacs")
    open_doc(client, URI, 'API_KEY = "sk-proj-abcdefghijklmnopqrstuvwx"\n' + SOURCE)

    assert await fake.await_for(lambda: bool(fake.requests and fake.requests[0].completed))
    prompt = fake.requests[0].prompt_text
    assert "sk-proj-abcdefghijklmnopqrstuvwx" not in prompt
    assert 'API_KEY = "[REDACTED]"' in prompt


async def test_a_dropped_stream_keeps_the_findings_already_complete(
    start_server: Start, fake: FakeOpenAI
) -> None:
    # The drop comes after the first finding is complete but before the second one is.
    fake.script(_review(chunk_chars=20, fault=Fault.drop(after_deltas=10)))
    client, recorder = await start_server(editor="emacs")
    open_doc(client, URI, SOURCE)

    await recorder.wait_for(lambda: bool(client.diagnostics.get(URI)))
    await recorder.wait_for(lambda: any("codex-lsp" in m.message for m in recorder.messages))

    assert list(client.diagnostics[URI]) == EXPECTED[:1]
    completion = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri=URI), types.Position(0, 0))
    )
    assert completion is not None  # the server is alive and answering


async def test_a_saved_change_is_reviewed_alone_and_earlier_findings_move_with_the_text(
    start_server: Start, fake: FakeOpenAI
) -> None:
    filler = "".join(f"value_{n} = {n}\n" for n in range(120))
    fake.script(Answer(json={"findings": [{**f, "line": f["line"] + 120} for f in FINDINGS]}))
    fake.script(Answer(json={"findings": []}, match="review"))
    client, recorder = await start_server(editor="emacs")
    open_doc(client, URI, filler + SOURCE)
    await recorder.wait_for(lambda: len(client.diagnostics.get(URI, [])) == 2)

    edited = filler.replace("value_30 = 30\n", "value_30 = 30\nextra = 31\n") + SOURCE
    change_doc(client, URI, 2, edited)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=URI))
    )
    await recorder.wait_for(lambda: any(p.version == 2 for p in recorder.publishes))
    assert await fake.await_for(lambda: len(fake.requests) == 2 and fake.requests[1].completed)

    first, second = fake.requests[0], fake.requests[1]
    # the change and its surroundings are asked about, in the file's current numbering, after
    # the prefix the first review cached (the same instructions, schema and file start)
    assert "Review lines 20-44 and report their bugs" in second.prompt_text
    assert "32| extra = 31" in second.prompt_text
    assert "Review the whole file" in first.prompt_text and second.cached_tokens >= 1024
    kept = [d.range.start.line for d in recorder.publishes[-1].diagnostics]
    assert kept == [122, 126]  # one line further down than on open


async def pull(client: LanguageClient, previous: str | None = None) -> list[int]:
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=URI), previous_result_id=previous
        )
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    return [d.range.start.line for d in report.items]


async def test_between_saves_a_pull_gets_the_findings_moved_without_a_model_call(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(_review())
    fake.script(Answer(json={"findings": []}, match="review"))
    capabilities = client_capabilities("neovim")
    assert capabilities.workspace is not None
    capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(
        refresh_support=True
    )
    client, recorder = await start_server(capabilities=capabilities)
    open_doc(client, URI, SOURCE)
    assert await pull(client) == [1, 5]

    change_doc(client, URI, 2, "import math\n" + SOURCE)
    assert await pull(client, previous="1") == [2, 6]  # one line down, as the text moved
    assert len(fake.requests) == 1

    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=URI))
    )
    await recorder.wait_for(lambda: recorder.refreshes == 1)  # the review on save is done
    assert len(fake.requests) == 2 and "1| import math" in fake.requests[1].prompt_text
    assert await pull(client, previous="1") == []  # what the review on save found


async def test_edits_alone_start_no_review_unless_asked_to(
    start_server: Start, fake: FakeOpenAI
) -> None:
    fake.script(_review())
    client, recorder = await start_server(editor="emacs", init_options={"diagnosticsDebounceMs": 0})
    open_doc(client, URI, SOURCE)
    await recorder.wait_for(lambda: len(client.diagnostics.get(URI, [])) == 2)

    change_doc(client, URI, 2, "import math\n" + SOURCE)
    await client.text_document_completion_async(  # a round trip: the change was handled
        types.CompletionParams(types.TextDocumentIdentifier(uri=URI), types.Position(0, 0))
    )
    await asyncio.sleep(0.5)
    assert [r.task for r in fake.requests].count("review") == 1
