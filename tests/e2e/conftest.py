"""End-to-end fixtures: the real `python -m codex_lsp` over stdio, the fake OpenAI over HTTP."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from tests.fake_openai import FakeOpenAI

TEST_KEY = "sk-test-e2e-0123456789abcdef"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(port=0) as server:
        yield server


class Recorder:
    """What the server sent besides responses, in arrival order, with waiting on conditions."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []
        self.messages: list[types.ShowMessageParams] = []
        self.publishes: list[types.PublishDiagnosticsParams] = []
        self.partial: dict[Any, list[Any]] = {}
        self.usage: list[Any] = []
        self.applied_edits: list[types.ApplyWorkspaceEditParams] = []
        self.questions: list[types.ShowMessageRequestParams] = []
        self.refreshes = 0  # workspace/diagnostic/refresh requests
        self.answer_with: str | None = None  # the action title to pick, None to dismiss
        self.on_publish: Callable[[types.PublishDiagnosticsParams], None] | None = None

    def wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait_for(self, predicate: Callable[[], bool], within_s: float = 10.0) -> None:
        """Return once `predicate` holds; re-checked whenever the server sends something."""
        async with asyncio.timeout(within_s):
            while not predicate():
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.append(waiter)
                await waiter


def _client(recorder: Recorder) -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    mine = {
        types.PROGRESS,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        types.WORKSPACE_APPLY_EDIT,
        types.WINDOW_SHOW_MESSAGE,
        types.WINDOW_SHOW_MESSAGE_REQUEST,
        types.WORKSPACE_DIAGNOSTIC_REFRESH,
    }
    register_lsp_features(
        client, {k: v for k, v in DEFAULT_CLIENT_FEATURES.items() if k not in mine}
    )
    converter = client.protocol._converter

    # lsprotocol parses any action carrying "command" as a Command; real clients look at
    # whether "command" is a string (a Command) or an object (a CodeAction with a command).
    def code_action_or_command(obj: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(
        types.Command | types.CodeAction,  # type: ignore[arg-type]
        code_action_or_command,
    )

    # pytest-lsp's own $/progress handler rejects partial-result payloads.
    @client.feature(types.PROGRESS)
    def progress(params: types.ProgressParams) -> None:
        value = params.value
        if isinstance(value, dict) and "kind" in value:
            client.progress_reports.setdefault(params.token, []).append(value)
        else:
            recorder.partial.setdefault(params.token, []).append(value)
        recorder.wake()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        recorder.publishes.append(params)
        if recorder.on_publish is not None:
            recorder.on_publish(params)
        recorder.wake()

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def show_message(params: types.ShowMessageParams) -> None:
        client.messages.append(params)
        recorder.messages.append(params)
        recorder.wake()

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        recorder.applied_edits.append(params)
        recorder.wake()
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def ask(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        recorder.questions.append(params)
        recorder.wake()
        return (
            None if recorder.answer_with is None else types.MessageActionItem(recorder.answer_with)
        )

    @client.feature(types.WORKSPACE_DIAGNOSTIC_REFRESH)
    def refresh(params: None) -> None:
        recorder.refreshes += 1
        recorder.wake()

    @client.feature("codexLsp/usage")
    def usage(params: Any) -> None:
        recorder.usage.append(params)
        recorder.wake()

    return client


Start = Callable[..., Awaitable[tuple[LanguageClient, Recorder]]]


@pytest_asyncio.fixture
async def start_server(fake: FakeOpenAI, tmp_path: Path) -> AsyncIterator[Start]:
    """Start codex-lsp pointed at the fake; returns (client, recorder). Cleans up after."""
    started: list[LanguageClient] = []

    async def start(
        *,
        editor: str = "neovim",
        capabilities: types.ClientCapabilities | None = None,
        init_options: dict[str, Any] | None = None,
        configuration: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
    ) -> tuple[LanguageClient, Recorder]:
        recorder = Recorder()
        server_env = {
            **os.environ,
            "OPENAI_API_KEY": TEST_KEY,
            "OPENAI_BASE_URL": fake.base_url,
            "CODEX_LSP_CACHE_DIR": str(tmp_path / "cache"),
            "CODEX_LSP_STATE_DIR": str(tmp_path / "state"),  # consent given in this test only
            **(env or {}),
        }
        config = ClientServerConfig(
            server_command=[sys.executable, "-m", "codex_lsp", "--log-level", "INFO"],
            server_env={k: v for k, v in server_env.items() if v is not None},
            client_factory=lambda: _client(recorder),
        )
        client = await config.start()
        if configuration is not None:
            client.set_configuration(configuration, section="codexLsp")
        started.append(client)
        caps = capabilities or client_capabilities(editor)
        await client.initialize_session(
            types.InitializeParams(
                capabilities=caps,
                initialization_options={"codexLsp": {"debounceMs": 0, **(init_options or {})}},
            )
        )
        return client, recorder

    yield start
    for client in started:
        try:
            await client.shutdown_session()
        except Exception:  # the test may have killed or broken the server on purpose
            await client.stop()


def open_doc(client: LanguageClient, uri: str, text: str, language: str = "python") -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )


def change_doc(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply edits as an editor would (positions in UTF-16, edits applied back to front)."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units, index = 0, 0
        while index < len(line) and units < position.character:
            units += 2 if ord(line[index]) > 0xFFFF else 1
            index += 1
        return before + index

    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for edit in reversed(ordered):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


class Cancellable:
    """A request that can be cancelled the way editors do it: with `$/cancelRequest`."""

    def __init__(self, client: LanguageClient, method: str, params: Any) -> None:
        self._client = client
        self.msg_id = str(uuid.uuid4())
        self.future = asyncio.wrap_future(
            client.protocol.send_request(method, params, msg_id=self.msg_id)
        )

    def cancel(self) -> None:
        self._client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=self.msg_id))
