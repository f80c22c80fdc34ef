"""The editor side of a replay: pygls' LanguageClient driving the real server over stdio.

It behaves like VS Code for what matters to cost: incremental `didChange` per keystroke, an
automatic `textDocument/inlineCompletion` after each change with the previous one cancelled by
`$/cancelRequest` (pygls does not send it when a future is cancelled, so it is sent here),
`didSave`, pushed diagnostics, and code actions resolved through `codeAction/resolve`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from benchmarks.edits import Edit

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_API_KEY = "sk-bench-0123456789abcdef0123456789"
USAGE_COMMAND = "codexLsp.usage"
USAGE_NOTIFICATION = "codexLsp/usage"
STDERR_KEEP_BYTES = 20_000


@dataclass
class Pending:
    """An inline completion request in flight."""

    msg_id: str
    future: asyncio.Future[Any]
    sent_at: float


@dataclass
class ClientStats:
    keystrokes: int = 0
    inline_requests: int = 0
    cancels_sent: int = 0
    pauses: int = 0
    pause_windows: list[tuple[float, float]] = field(default_factory=list)  # wall clock
    pause_answers_with_items: int = 0
    pause_wait_s: list[float] = field(default_factory=list)
    code_action_requests: int = 0
    resolves: int = 0
    resolves_with_edit: int = 0
    saves: int = 0
    diagnostics_timeouts: int = 0
    usage_notifications: int = 0
    key_gaps_s: list[float] = field(default_factory=list)  # between keystrokes of a burst
    errors: list[str] = field(default_factory=list)

    @property
    def lsp_requests(self) -> int:
        """Requests whose cost the comparison divides by: everything the editor asked for."""
        return self.inline_requests + self.code_action_requests + self.resolves


class Signal:
    """Wakes waiters whenever the server sends something; waiters re-check a predicate."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def bump(self) -> None:
        self._event.set()

    async def wait_until(self, predicate: Callable[[], bool], timeout_s: float) -> bool:
        try:
            async with asyncio.timeout(timeout_s):
                while not predicate():
                    self._event.clear()
                    await self._event.wait()
        except TimeoutError:
            return predicate()
        return True


def client_capabilities() -> types.ClientCapabilities:
    """A VS Code-like client: inline completion, push diagnostics, resolvable code actions."""
    kinds = [types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite]
    code_action = types.CodeActionClientCapabilities(
        code_action_literal_support=types.ClientCodeActionLiteralOptions(
            code_action_kind=types.ClientCodeActionKindOptions(value_set=kinds)
        ),
        data_support=True,
        resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
    )
    return types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            inline_completion=types.InlineCompletionClientCapabilities(),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            code_action=code_action,
        ),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
        ),
    )


def server_env(base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_LSP_", "OPENAI_"))}
    return {**env, "OPENAI_API_KEY": BENCH_API_KEY, "OPENAI_BASE_URL": base_url}


class BenchClient:
    """One server process and the document being edited in it."""

    def __init__(
        self,
        base_url: str,
        settings: dict[str, Any],
        log_file: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        """`env` is the server's whole environment; by default a fake OpenAI at `base_url`."""
        self.base_url = base_url
        self.settings = settings
        self.log_file = log_file
        self.env = server_env(base_url) if env is None else env
        self.stats = ClientStats()
        self.client = LanguageClient("codex-lsp-bench", "1")
        self.signal = Signal()
        self.published: dict[str, int | None] = {}
        self.uri = ""
        self.version = 0
        self._ids = itertools.count(1)
        self._pending: Pending | None = None
        self._all_requests: list[asyncio.Future[Any]] = []
        self._stderr = bytearray()
        self._register_handlers()

    # --- lifecycle -----------------------------------------------------------------------
    def _register_handlers(self) -> None:
        # pygls' decorator is untyped; registering through Any keeps these methods typed.
        feature: Any = self.client.feature
        feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(_plain(self._on_publish))
        feature(USAGE_NOTIFICATION)(_plain(self._on_usage))
        feature(types.WINDOW_SHOW_MESSAGE)(_plain(self._on_show_message))
        feature(types.WINDOW_LOG_MESSAGE)(_plain(self._on_log_message))

    def _on_publish(self, params: types.PublishDiagnosticsParams) -> None:
        self.published[params.uri] = params.version
        self.signal.bump()

    def _on_usage(self, params: Any) -> None:
        self.stats.usage_notifications += 1

    def _on_show_message(self, params: types.ShowMessageParams) -> None:
        self.stats.errors.append(f"showMessage: {params.message}")

    def _on_log_message(self, params: types.LogMessageParams) -> None:
        pass

    async def start(self) -> None:
        await self.client.start_io(
            sys.executable,
            "-m",
            "codex_lsp",
            "--log-file",
            str(self.log_file),
            "--log-level",
            "INFO",
            env=self.env,
            cwd=str(REPO_ROOT),
        )
        self._drain_stderr()
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=client_capabilities(),
                process_id=os.getpid(),
                initialization_options={"codexLsp": self.settings},
            )
        )
        self.client.initialized(types.InitializedParams())

    def _drain_stderr(self) -> None:
        process = self.client._server
        stream = process.stderr if process is not None else None
        if stream is None:
            return

        async def drain() -> None:
            while chunk := await stream.read(4096):
                self._stderr.extend(chunk)
                del self._stderr[:-STDERR_KEEP_BYTES]

        self.client._async_tasks.append(asyncio.create_task(drain()))

    @property
    def stderr_tail(self) -> str:
        return self._stderr.decode(errors="replace")[-2000:]

    async def stop(self) -> None:
        await self.drain_requests()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await self.client.shutdown_async(None)
        self.client.exit(None)
        stop: Any = self.client.stop  # untyped in pygls
        async with asyncio.timeout(20):
            await stop()

    # --- the document --------------------------------------------------------------------
    def open(self, uri: str, language_id: str, text: str) -> None:
        self.uri, self.version = uri, 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language_id, version=self.version, text=text
                )
            )
        )

    def change(self, edit: Edit) -> None:
        self.version += 1
        change = types.TextDocumentContentChangePartial(
            range=types.Range(_position(edit.start), _position(edit.end)), text=edit.text
        )
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=[change],
            )
        )
        self.stats.keystrokes += 1

    def save(self) -> None:
        self.stats.saves += 1
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(self.uri))
        )

    async def wait_diagnostics(self, timeout_s: float = 30.0) -> bool:
        version = self.version
        done = await self.signal.wait_until(
            lambda: (self.published.get(self.uri) or 0) >= version, timeout_s
        )
        if not done:
            self.stats.diagnostics_timeouts += 1
        return done

    # --- inline completion ---------------------------------------------------------------
    def request_inline(self, cursor: tuple[int, int], automatic: bool = True) -> Pending:
        """Cancel the pending automatic request, as VS Code does, then send a new one."""
        self.cancel_pending()
        kind = types.InlineCompletionTriggerKind
        params = types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(self.uri),
            position=_position(cursor),
            context=types.InlineCompletionContext(
                trigger_kind=kind.Automatic if automatic else kind.Invoked
            ),
        )
        msg_id = f"inline-{next(self._ids)}"
        sent: Future[Any] = self.client.protocol.send_request(
            types.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id=msg_id
        )
        future = asyncio.wrap_future(sent)
        self._all_requests.append(future)
        self.stats.inline_requests += 1
        self._pending = Pending(msg_id, future, time.monotonic())
        return self._pending

    def cancel_pending(self) -> None:
        pending = self._pending
        if pending is not None and not pending.future.done():
            self.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=pending.msg_id))
            self.stats.cancels_sent += 1
        self._pending = None

    async def finish_pending(self, timeout_s: float = 30.0) -> Any:
        """The pause: let the pending request complete; its answer is what the user sees."""
        pending, self._pending = self._pending, None
        if pending is None:
            return None
        self.stats.pauses += 1
        started = time.time()
        try:
            async with asyncio.timeout(timeout_s):
                result = await pending.future
        except Exception as error:  # a server error is a benchmark finding, not a crash
            self.stats.errors.append(f"inline completion at pause: {error!r}")
            return None
        finally:
            self.stats.pause_windows.append((started, time.time()))
        self.stats.pause_wait_s.append(time.monotonic() - pending.sent_at)
        if _items(result):
            self.stats.pause_answers_with_items += 1
        return result

    async def drain_requests(self) -> None:
        for future in self._all_requests:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(30):
                    await future

    # --- code actions and commands -------------------------------------------------------
    async def refactor(self, first: int, last: int) -> bool:
        """List actions for whole lines [first, last), resolve the first refactor."""
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(self.uri),
            range=types.Range(types.Position(first, 0), types.Position(max(last, first + 1), 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
        self.stats.code_action_requests += 1
        actions = await self.client.text_document_code_action_async(params) or []
        refactors = [
            a
            for a in actions
            if isinstance(a, types.CodeAction) and str(a.kind or "").startswith("refactor")
        ]
        if not refactors:
            self.stats.errors.append("no refactor offered")
            return False
        self.stats.resolves += 1
        resolved = await self.client.code_action_resolve_async(refactors[0])
        if resolved.edit is not None:
            self.stats.resolves_with_edit += 1
        return resolved.edit is not None

    async def usage(self) -> dict[str, Any]:
        result = await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=USAGE_COMMAND)
        )
        return dict(result) if isinstance(result, dict) else {}


def _plain(method: Callable[[Any], None]) -> Callable[[Any], None]:
    """A plain function around a bound method (pygls sets attributes on handlers)."""

    def handler(params: Any) -> None:
        method(params)

    return handler


def _position(position: tuple[int, int]) -> types.Position:
    return types.Position(line=position[0], character=position[1])


def _items(result: Any) -> list[Any]:
    if isinstance(result, types.InlineCompletionList):
        return list(result.items)
    if isinstance(result, list):
        return result
    return []
