"""The trust boundary over LSP: a host or model file named in settings gets nothing until the
user allows it, and the environment's API key never goes to a host it was not given for."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.e2e.conftest import TEST_KEY, Start, open_doc
from tests.fake_openai import FakeOpenAI

CODE = 'import os\n\nDB_URL = os.environ["DB_URL"]\n\ndef total(items):\n    return sum(items)\n'
URI = "file:///w/app.py"


class Listener:
    """A TCP port that records every byte anyone sends it (and answers nothing useful)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.received = bytearray()
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                while chunk := conn.recv(65536):
                    self.received += chunk
            except OSError:
                return

    def close(self) -> None:
        self._socket.close()


@pytest.fixture
def attacker() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


def inline(uri: str, line: int, character: int) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character),
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Invoked
        ),
    )


def inline_capabilities() -> types.ClientCapabilities:
    from pytest_lsp import client_capabilities

    caps = client_capabilities("visual-studio-code")
    assert caps.text_document is not None
    caps.text_document.inline_completion = types.InlineCompletionClientCapabilities()
    return caps


async def exercise(client: Any) -> None:
    """Open a document, ask for a completion and a review, as an editor would."""
    open_doc(client, URI, CODE)
    await client.text_document_inline_completion_async(inline(URI, 5, 8))
    await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )


@pytest.mark.parametrize("channel", ["initializationOptions", "workspace/configuration"])
async def test_a_base_url_from_settings_gets_neither_key_nor_code_without_consent(
    start_server: Start, fake: FakeOpenAI, attacker: Listener, channel: str
) -> None:
    settings = {"baseUrl": attacker.url}
    client, recorder = await start_server(
        capabilities=inline_capabilities(),
        init_options=settings if channel == "initializationOptions" else None,
        configuration=settings if channel == "workspace/configuration" else None,
    )
    await recorder.wait_for(lambda: bool(recorder.questions))
    question = recorder.questions[0]
    assert f"127.0.0.1:{attacker.port}" in question.message
    assert [a.title for a in question.actions or []] == ["Allow", "Cancel"]
    await recorder.wait_for(lambda: any("trust allow" in m.message for m in recorder.messages))

    await exercise(client)

    await asyncio.sleep(0.5)  # anything sent to the attacker would have arrived by now
    assert attacker.connections == 0 and bytes(attacker.received) == b""
    # The user's own backend (from the environment) served the requests, with the key.
    assert fake.requests and all(
        r.headers.get("authorization") == f"Bearer {TEST_KEY}" for r in fake.requests
    )


async def test_a_base_url_sent_later_by_another_channel_is_held_back_too(
    start_server: Start, fake: FakeOpenAI, attacker: Listener
) -> None:
    client, recorder = await start_server(capabilities=inline_capabilities())
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"codexLsp": {"baseUrl": attacker.url}})
    )
    await recorder.wait_for(lambda: bool(recorder.questions))
    await exercise(client)
    await asyncio.sleep(0.5)
    assert attacker.connections == 0


async def test_an_allowed_host_gets_the_code_but_never_the_environment_key(
    start_server: Start, fake: FakeOpenAI, tmp_path: Path
) -> None:
    with FakeOpenAI(port=0) as gateway:
        client, recorder = await start_server(capabilities=inline_capabilities())
        recorder.answer_with = "Allow"
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"codexLsp": {"baseUrl": gateway.base_url}})
        )
        await recorder.wait_for(lambda: bool(recorder.questions))
        await asyncio.sleep(0.2)  # the answer is applied when the client's reply arrives
        await exercise(client)
        assert await gateway.await_for(lambda: len(gateway.requests) >= 2, timeout=10)
        assert all(TEST_KEY not in str(r.headers) for r in gateway.requests)
        assert any("total" in str(r.body) for r in gateway.requests)  # the code went there
        assert not fake.requests

        # Remembered: the next session with the same state directory does not ask again.
        await client.shutdown_session()
        again, recorder2 = await start_server(
            capabilities=inline_capabilities(), init_options={"baseUrl": gateway.base_url}
        )
        await exercise(again)
        assert recorder2.questions == []
        assert await gateway.await_for(lambda: len(gateway.requests) >= 4, timeout=10)
    assert (tmp_path / "state" / "trusted.json").stat().st_mode & 0o077 == 0


async def test_a_client_that_cannot_ask_is_told_how_to_allow(
    start_server: Start, attacker: Listener
) -> None:
    caps = inline_capabilities()
    caps.window = types.WindowClientCapabilities(show_message=None)
    client, recorder = await start_server(capabilities=caps, init_options={"baseUrl": attacker.url})
    await recorder.wait_for(lambda: any("trust allow" in m.message for m in recorder.messages))
    assert recorder.questions == []
    await exercise(client)
    await asyncio.sleep(0.3)
    assert attacker.connections == 0


async def test_a_model_file_from_settings_is_not_loaded_without_consent(
    start_server: Start, tmp_path: Path
) -> None:
    model = tmp_path / "repo" / "evil.gguf"
    model.parent.mkdir()
    model.write_bytes(b"GGUF not really")
    _, recorder = await start_server(
        init_options={"backend": "local", "localModelPath": str(model)}
    )
    await recorder.wait_for(lambda: bool(recorder.questions))
    assert str(model) in recorder.questions[0].message
    assert "localModelPath" in recorder.questions[0].message


async def test_the_environment_host_spelled_differently_needs_no_consent(
    start_server: Start, fake: FakeOpenAI
) -> None:
    client, recorder = await start_server(
        capabilities=inline_capabilities(),
        init_options={"baseUrl": fake.base_url.replace("http://", "HTTP://") + "/"},
    )
    await exercise(client)
    assert recorder.questions == []
    assert fake.requests and all(
        r.headers.get("authorization") == f"Bearer {TEST_KEY}" for r in fake.requests
    )


async def test_the_environment_account_headers_go_only_where_the_key_goes(
    start_server: Start, fake: FakeOpenAI
) -> None:
    account = {
        "OPENAI_ORG_ID": "org-planted0123",
        "OPENAI_CUSTOM_HEADERS": "Authorization: Bearer sk-custom-planted-0123\nX-Team: planted",
    }
    with FakeOpenAI(port=0) as gateway:
        client, recorder = await start_server(capabilities=inline_capabilities(), env=account)
        await exercise(client)
        assert fake.requests and all(
            r.headers.get("openai-organization") == "org-planted0123" for r in fake.requests
        )
        recorder.answer_with = "Allow"
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"codexLsp": {"baseUrl": gateway.base_url}})
        )
        await recorder.wait_for(lambda: bool(recorder.questions))
        await asyncio.sleep(0.2)
        await exercise(client)
        assert await gateway.await_for(lambda: len(gateway.requests) >= 1, timeout=10)
        for request in gateway.requests:
            sent = str(request.headers)
            assert "planted" not in sent and TEST_KEY not in sent, sent


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("generated_*.py\n")
    return repo


async def test_files_git_ignores_are_not_sent_when_asked(
    start_server: Start, fake: FakeOpenAI, git_repo: Path
) -> None:
    client, _ = await start_server(
        capabilities=inline_capabilities(),
        init_options={"excludeGitIgnored": True, "features": {"diagnostics": False}},
    )
    ignored, kept = (git_repo / "generated_api.py").as_uri(), (git_repo / "app.py").as_uri()
    for uri in (ignored, kept):
        open_doc(client, uri, CODE)
    await asyncio.sleep(0.5)  # git answers in the background
    for uri in (ignored, kept):
        await client.text_document_inline_completion_async(inline(uri, 5, 8))
    bodies = [str(r.body) for r in fake.requests]
    assert bodies and all("generated_api" not in body for body in bodies)
    assert any("app.py" in body for body in bodies)
