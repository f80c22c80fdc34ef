"""The real server on the real embedded model, over LSP: completions, streamed review findings
in range, cancellation mid-stream, and a clean shutdown that leaves no llama.cpp behind."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.e2e.conftest import Cancellable, Recorder, _client, open_doc
from tests.local.conftest import process_alive, wait_gone

URI = "file:///work/project/calc.py"
SOURCE = "def add(a, b):\n    return \n"
EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "inventory.py").read_text()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.extend(int(child) for child in children)
    return found


async def start_local_server(env: dict[str, str]) -> tuple[LanguageClient, Recorder]:
    """The server on the local backend, without an OpenAI key, plus `env`; eglot's capabilities."""
    recorder = Recorder()
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "codex_lsp"],
        server_env={
            **os.environ,
            "OPENAI_API_KEY": "",
            "OPENAI_BASE_URL": "",
            "CODEX_LSP_BACKEND": "local",
            **env,
        },
        client_factory=lambda: _client(recorder),
    )
    client = await config.start()
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("emacs"),  # push diagnostics
            initialization_options={"codexLsp": {"debounceMs": 0}},
        )
    )
    return client, recorder


@pytest_asyncio.fixture
async def local_server(
    model_path: Path, tmp_path: Path
) -> AsyncIterator[tuple[LanguageClient, Recorder]]:
    client, recorder = await start_local_server(
        {"CODEX_LSP_LOCAL_MODEL_PATH": str(model_path), "CODEX_LSP_CACHE_DIR": str(tmp_path)}
    )
    yield client, recorder
    if client._server is not None and client._server.returncode is None:
        await client.shutdown_session()


def _inline(line: int, character: int) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Invoked
        ),
        text_document=types.TextDocumentIdentifier(URI),
        position=types.Position(line, character),
    )


async def test_completion_review_cancel_and_shutdown_on_the_real_model(
    local_server: tuple[LanguageClient, Recorder],
) -> None:
    client, recorder = local_server
    open_doc(client, URI, SOURCE)
    open_doc(client, "file:///work/project/inventory.py", EXAMPLE)

    ghost = await client.text_document_inline_completion_async(_inline(1, 11))

    assert isinstance(ghost, types.InlineCompletionList) and ghost.items
    at_cursor = types.Range(types.Position(1, 11), types.Position(1, 11))
    assert all(item.range == at_cursor and item.insert_text for item in ghost.items)

    # The review of the example was started on open; its findings arrive by push.
    await recorder.wait_for(
        lambda: any(p.uri.endswith("inventory.py") for p in recorder.publishes), within_s=240
    )
    lines = EXAMPLE.split("\n")
    for publish in (p for p in recorder.publishes if p.uri.endswith("inventory.py")):
        for diagnostic in publish.diagnostics:
            start, end = diagnostic.range.start, diagnostic.range.end
            assert 0 <= start.line <= end.line < len(lines)
            assert start.character >= 0 and end.character <= len(lines[end.line])
            assert diagnostic.source == "codex-lsp"

    # Cancel a request while the model writes (on the empty last line: a multi-line fill, the
    # longest kind), then the next one is answered.
    pending = Cancellable(client, types.TEXT_DOCUMENT_INLINE_COMPLETION, _inline(2, 0))
    await asyncio.sleep(0.15)
    pending.cancel()
    with pytest.raises(Exception, match=r"(?i)cancel"):
        await pending.future
    again = await client.text_document_inline_completion_async(_inline(1, 11))
    assert isinstance(again, types.InlineCompletionList)

    server = client._server
    assert server is not None
    llama = _children(server.pid)
    assert llama, "the local model runs in a child process of the server"
    await client.shutdown_session()
    for pid in llama:
        assert wait_gone(pid, 10), f"llama.cpp child {pid} outlived the server"
    assert not any(process_alive(pid) for pid in llama)


async def test_the_better_reviewer_reviews_while_the_fast_model_completes(
    model_path: Path, model_1_5b: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defaults, both models installed: the review of the example (on open) comes from the
    1.5B and finds `is_even`'s inverted test; ghost text comes from the 0.5B."""
    assert model_path.parent == model_1_5b.parent
    (tmp_path / "models").symlink_to(model_1_5b.parent)  # the assembled weights, not copies
    monkeypatch.delenv("CODEX_LSP_LOCAL_MODEL", raising=False)
    monkeypatch.delenv("CODEX_LSP_LOCAL_MODEL_PATH", raising=False)
    client, recorder = await start_local_server({"CODEX_LSP_CACHE_DIR": str(tmp_path)})
    example = "file:///work/project/inventory.py"
    open_doc(client, example, EXAMPLE)
    await recorder.wait_for(
        lambda: any(d.range.start.line == 5 for d in client.diagnostics.get(example, [])),
        within_s=300,
    )
    open_doc(client, URI, SOURCE)
    ghost = await client.text_document_inline_completion_async(_inline(1, 11))
    assert isinstance(ghost, types.InlineCompletionList) and ghost.items

    server = client._server
    assert server is not None
    llama = _children(server.pid)
    assert len(llama) == 2, "one llama.cpp child per model"
    await client.shutdown_session()
    for pid in llama:
        assert wait_gone(pid, 10), f"llama.cpp child {pid} outlived the server"
