"""AI review as diagnostics: pushed to clients without pull support, pulled by the others.

One review task per document runs at a time (a newer version replaces it). Push clients get
each finding as soon as it is parsed, then a final publish that replaces the set; pull clients
get the full report for the version they asked about, or a retrigger if it changed meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import aclosing
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from codex_lsp.engine.calls import ModelUnavailable
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.review import ReviewFinding
from codex_lsp.features.positions import range_to_client

if TYPE_CHECKING:
    from codex_lsp.server import CodexServer

log = logging.getLogger(__name__)

SOURCE = "codex-lsp"
FEATURE = "review"
SERVER_CANCELLED = -32802

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def to_diagnostic(snapshot: Snapshot, finding: ReviewFinding, encoding: str) -> types.Diagnostic:
    return types.Diagnostic(
        range=range_to_client(snapshot, finding.span, encoding),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        source=SOURCE,
    )


def supports_pull(ls: CodexServer) -> bool:
    text_document = ls.client_capabilities.text_document
    return bool(text_document and text_document.diagnostic)


class Reviews:
    """Results per (uri, version), and the running review per document."""

    def __init__(self, ls: CodexServer) -> None:
        self._ls = ls
        self._done: dict[str, tuple[int | None, list[types.Diagnostic]]] = {}

    def result(self, snapshot: Snapshot) -> list[types.Diagnostic] | None:
        version, diagnostics = self._done.get(snapshot.uri, (None, None))
        if diagnostics is not None and version == snapshot.version:
            return diagnostics
        return None

    def start(self, snapshot: Snapshot, delay_s: float) -> asyncio.Task[list[types.Diagnostic]]:
        running = self._ls.tasks.get(FEATURE, snapshot.uri)
        if running is not None and getattr(running, "version", object()) == snapshot.version:
            return running
        task = self._ls.tasks.spawn(FEATURE, snapshot.uri, self._run(snapshot, delay_s))
        task.version = snapshot.version  # type: ignore[attr-defined]
        return task

    def forget(self, uri: str) -> None:
        self._ls.tasks.cancel(FEATURE, uri)
        self._done.pop(uri, None)

    async def _run(self, snapshot: Snapshot, delay_s: float) -> list[types.Diagnostic]:
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        assistant = await self._ls.assistant()
        diagnostics: list[types.Diagnostic] = []
        if assistant is None or not self._ls.settings.features.diagnostics:
            return diagnostics
        if not await self._ls.within_budget(explicit=False):
            return diagnostics
        push = not supports_pull(self._ls)
        stream = assistant.review(snapshot, self._ls.workspace_context(snapshot.uri))
        try:
            async with aclosing(stream):
                async for finding in stream:
                    diagnostics.append(to_diagnostic(snapshot, finding, self._ls.encoding))
                    if push:
                        self._publish(snapshot, diagnostics)
        except ModelUnavailable:
            return diagnostics
        self._done[snapshot.uri] = (snapshot.version, diagnostics)
        if push:
            self._publish(snapshot, diagnostics)
        return diagnostics

    def _publish(self, snapshot: Snapshot, diagnostics: list[types.Diagnostic]) -> None:
        if self._ls.current_version(snapshot.uri) != snapshot.version:
            return  # findings for text the user no longer has
        self._ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=snapshot.uri, diagnostics=list(diagnostics), version=snapshot.version
            )
        )


def schedule(ls: CodexServer, uri: str, delay_s: float) -> None:
    """Start a pushed review (clients that pull ask for it themselves)."""
    if not ls.settings.features.diagnostics or supports_pull(ls):
        return
    snapshot = ls.snapshot(uri)
    if snapshot is not None and ls.reviews.result(snapshot) is None:
        ls.reviews.start(snapshot, delay_s)


def on_open_or_save(ls: CodexServer, uri: str) -> None:
    schedule(ls, uri, 0)


def on_change(ls: CodexServer, uri: str) -> None:
    if ls.settings.features.diagnostics_on_change:
        schedule(ls, uri, ls.settings.diagnostics_debounce_ms / 1000)
    else:
        ls.tasks.cancel(FEATURE, uri)  # its findings would be for an older version


def on_close(ls: CodexServer, uri: str) -> None:
    ls.reviews.forget(uri)
    if not supports_pull(ls):
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )


def register(server: CodexServer) -> None:
    server.reviews = Reviews(server)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    async def pull(
        ls: CodexServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        snapshot = ls.snapshot(params.text_document.uri)
        if snapshot is None or not ls.settings.features.diagnostics:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        reviews = ls.reviews
        cached = reviews.result(snapshot)
        if cached is not None:
            return types.RelatedFullDocumentDiagnosticReport(items=cached)
        delay = ls.settings.diagnostics_debounce_ms / 1000 if params.previous_result_id else 0
        task = reviews.start(snapshot, delay)
        try:
            diagnostics = await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():  # replaced by a newer version: the client should ask again
                raise JsonRpcException(
                    code=SERVER_CANCELLED,
                    message="document changed",
                    data={"retriggerRequest": True},
                ) from None
            raise
        if ls.current_version(snapshot.uri) != snapshot.version:
            raise JsonRpcException(
                code=SERVER_CANCELLED, message="document changed", data={"retriggerRequest": True}
            )
        return types.RelatedFullDocumentDiagnosticReport(
            items=diagnostics, result_id=f"{snapshot.version}"
        )
