"""AI review as diagnostics: pushed to clients without pull support, pulled by the others.

A review (a model call) runs when a document is opened or saved, and after edits only with
`features.diagnosticsOnChange`; in between, a pull gets the last review's findings moved to
the current text. One review task per document runs at a time (a newer version replaces it).
Push clients get each finding as soon as it is parsed, then a final publish that replaces the
set; pull clients get the full report for the version they asked about, or a retrigger if it
changed meanwhile, and a `workspace/diagnostic/refresh` when a review on save is done.
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
        self._due: set[str] = set()  # opened or saved since their last finished review

    def mark_due(self, uri: str) -> None:
        self._due.add(uri)

    def needs_model(self, uri: str) -> bool:
        return uri in self._due or self._ls.settings.features.diagnostics_on_change

    def standing(self, snapshot: Snapshot) -> list[types.Diagnostic]:
        """The last review's findings that still stand, on the current text: no model call."""
        assistant = self._ls.current_assistant()
        if assistant is None:
            return []
        findings = assistant.standing_findings(snapshot)
        return [to_diagnostic(snapshot, finding, self._ls.encoding) for finding in findings]

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
        self._due.discard(uri)

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
        self._due.discard(snapshot.uri)
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


def on_open(ls: CodexServer, uri: str) -> None:
    ls.reviews.mark_due(uri)
    schedule(ls, uri, 0)  # a pull client asks for the open document's diagnostics itself


def on_save(ls: CodexServer, uri: str) -> None:
    ls.reviews.mark_due(uri)
    if not supports_pull(ls):
        schedule(ls, uri, 0)
        return
    # Pull clients ask after edits, not after a save: review now, then have them ask again.
    snapshot = ls.snapshot(uri)
    if ls.settings.features.diagnostics and snapshot and ls.reviews.result(snapshot) is None:
        review = ls.reviews.start(snapshot, 0)
        review.add_done_callback(lambda done: _ask_to_pull_again(ls, done))


def _ask_to_pull_again(ls: CodexServer, review: asyncio.Task[list[types.Diagnostic]]) -> None:
    workspace = ls.client_capabilities.workspace
    if review.cancelled() or not (workspace and workspace.diagnostics):
        return  # a newer version replaced the review: the client pulls for that one
    if workspace.diagnostics.refresh_support:
        ls.tasks.spawn("diagnostic-refresh", "", _refresh(ls))


async def _refresh(ls: CodexServer) -> None:
    try:
        await ls.workspace_diagnostic_refresh_async(None)
    except Exception as error:  # the client's problem; its next pull still gets the result
        log.info("workspace/diagnostic/refresh failed: %s", error)


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
        if not reviews.needs_model(snapshot.uri):
            return types.RelatedFullDocumentDiagnosticReport(items=reviews.standing(snapshot))
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
