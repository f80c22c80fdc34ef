"""End-to-end fixtures: the real `python -m codex_lsp` over stdio, the fake OpenAI over HTTP."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
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
    """What the server sent besides responses, in arrival order."""

    def __init__(self) -> None:
        self.publishes: list[types.PublishDiagnosticsParams] = []
        self.partial: dict[Any, list[Any]] = {}
        self.usage: list[Any] = []
        self.on_publish: Callable[[types.PublishDiagnosticsParams], None] | None = None


def _client(recorder: Recorder) -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    mine = {types.PROGRESS, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}
    register_lsp_features(
        client, {k: v for k, v in DEFAULT_CLIENT_FEATURES.items() if k not in mine}
    )

    # pytest-lsp's own $/progress handler rejects partial-result payloads.
    @client.feature(types.PROGRESS)
    def progress(params: types.ProgressParams) -> None:
        value = params.value
        if isinstance(value, dict) and "kind" in value:
            client.progress_reports.setdefault(params.token, []).append(value)
        else:
            recorder.partial.setdefault(params.token, []).append(value)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        recorder.publishes.append(params)
        if recorder.on_publish is not None:
            recorder.on_publish(params)

    @client.feature("codexLsp/usage")
    def usage(params: Any) -> None:
        recorder.usage.append(params)

    return client


Start = Callable[..., Awaitable[tuple[LanguageClient, Recorder]]]


@pytest_asyncio.fixture
async def start_server(fake: FakeOpenAI) -> AsyncIterator[Start]:
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
