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
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcException

from codex_lsp.engine.calls import ModelUnavailable, Outcome
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.review import ReviewFinding
from codex_lsp.features.base import Feature
from codex_lsp.features.positions import range_to_client
from codex_lsp.requests import DocumentRoute, model_deadline, review_deadline, tell_late

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
    # A verified fix travels with the diagnostic (with the line it corrects): the quick fix
    # offers it without another model call (features/code_actions.py).
    line = finding.span.start.line
    data = {"fix": finding.fix, "line": snapshot.lines[line]} if finding.fix else None
    return types.Diagnostic(
        range=range_to_client(snapshot, finding.span, encoding),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        source=SOURCE,
        data=data,
    )


PULL_WAIT_S = 20.0  # a pull answers by then with what is known; a refresh brings the rest
PULL_DEADLINE_MARGIN_S = 2.0  # without refresh: answered this long before the deadline


def supports_pull(ls: CodexServer) -> bool:
    return get_capability(ls.client_capabilities, "text_document.diagnostic") is not None


def supports_refresh(ls: CodexServer) -> bool:
    return bool(get_capability(ls.client_capabilities, "workspace.diagnostics.refresh_support"))


def _retrigger(_: object = None) -> types.DocumentDiagnosticReport:
    raise JsonRpcException(
        code=SERVER_CANCELLED, message="document changed", data={"retriggerRequest": True}
    )


PULL = DocumentRoute(
    "review",
    enabled=lambda settings: settings.features.diagnostics,
    empty=lambda _: types.RelatedFullDocumentDiagnosticReport(items=[]),
    deadline_s=model_deadline,
    stale=_retrigger,
)


class Diagnostics(Feature):
    """Review results per (uri, version), the running review per document, and its findings
    so far."""

    def __init__(self, server: CodexServer) -> None:
        super().__init__(server)
        self._done: dict[str, tuple[int | None, list[types.Diagnostic]]] = {}
        self._due: set[str] = set()  # opened or saved since their last finished review
        self._found: dict[str, list[types.Diagnostic]] = {}  # of the running review
        self._saved_meanwhile: set[str] = set()  # saved again while the review ran: next

    def register(self) -> None:
        options = types.DiagnosticOptions(
            identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False
        )
        self.document_request(types.TEXT_DOCUMENT_DIAGNOSTIC, options, PULL, self.pull)

    # --- the document lifecycle -----------------------------------------------------------
    def on_open(self, uri: str) -> None:
        self._due.add(uri)
        self._schedule(uri, 0)  # a pull client asks for the open document's diagnostics itself

    def on_save(self, uri: str) -> None:
        self._due.add(uri)
        ls = self.server
        if not supports_pull(ls):
            self._schedule(uri, 0)
            return
        # Pull clients ask after edits, not after a save: review now, then have them ask again.
        snapshot = ls.snapshot(uri)
        if ls.settings.features.diagnostics and snapshot and self._result(snapshot) is None:
            self._refresh_when_done(self._start(snapshot, 0))

    def on_change(self, uri: str) -> None:
        if self.server.settings.features.diagnostics_on_change:
            self._schedule(uri, self.server.settings.diagnostics_debounce_ms / 1000)
        # Else a review running for the text opened or saved goes on (people type right after
        # saving): its findings are moved onto the text as it is when the review ends.

    def on_close(self, uri: str) -> None:
        self.server.tasks.cancel(FEATURE, uri)
        self._done.pop(uri, None)
        self._due.discard(uri)
        self._found.pop(uri, None)
        self._saved_meanwhile.discard(uri)
        if not supports_pull(self.server):
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    # --- pull -----------------------------------------------------------------------------
    async def pull(
        self, ls: CodexServer, params: types.DocumentDiagnosticParams, snapshot: Snapshot
    ) -> types.DocumentDiagnosticReport:
        cached = self._result(snapshot)
        if cached is not None:
            return types.RelatedFullDocumentDiagnosticReport(items=cached)
        earlier = self._review_of_earlier_text(snapshot)
        if earlier is not None:
            return await self._moved_when_done(earlier, snapshot)
        if not self._needs_model(snapshot.uri):
            return types.RelatedFullDocumentDiagnosticReport(items=self._standing(snapshot))
        delay = ls.settings.diagnostics_debounce_ms / 1000 if params.previous_result_id else 0
        task = self._start(snapshot, delay)
        if not await self._ended(task):  # what is known; a refresh brings the rest
            known = self._found.get(snapshot.uri, [])
            return types.RelatedFullDocumentDiagnosticReport(items=list(known))
        return types.RelatedFullDocumentDiagnosticReport(
            items=task.result(), result_id=f"{snapshot.version}"
        )

    def _review_of_earlier_text(
        self, snapshot: Snapshot
    ) -> asyncio.Task[list[types.Diagnostic]] | None:
        """The review still running for the text last opened or saved, when this version is an
        edit of it (reviews run on open and save unless `diagnosticsOnChange`)."""
        if self.server.settings.features.diagnostics_on_change:
            return None
        running = self.server.tasks.get(FEATURE, snapshot.uri)
        if running is None or running.done():
            return None
        return running if getattr(running, "version", None) != snapshot.version else None

    async def _moved_when_done(
        self, review: asyncio.Task[list[types.Diagnostic]], snapshot: Snapshot
    ) -> types.DocumentDiagnosticReport:
        """Once the review of the earlier text ends (or by the pull's wait, then a refresh
        brings the rest), its findings that still stand, on this text."""
        await self._ended(review)
        return types.RelatedFullDocumentDiagnosticReport(items=self._standing(snapshot))

    async def _ended(self, review: asyncio.Task[list[types.Diagnostic]]) -> bool:
        """Whether a running review ended within the pull's wait (`_pull_wait`); if not, it
        goes on and the client is refreshed when it ends."""
        try:
            await asyncio.wait_for(asyncio.shield(review), self._pull_wait())
        except TimeoutError:
            self._refresh_when_done(review)
            return False
        except asyncio.CancelledError:
            if review.cancelled():  # replaced by a review of a newer text: ask again
                _retrigger()
            raise
        return True

    def _pull_wait(self) -> float:
        """How long a pull waits for a running review before it answers with what is known:
        `PULL_WAIT_S` when a refresh can tell the client to ask again; else until just before
        the request's deadline, which would answer an empty report (clearing what the client
        shows) where the embedded models' review takes minutes."""
        if supports_refresh(self.server):
            return PULL_WAIT_S
        return max(0.5, model_deadline(self.server.settings) - PULL_DEADLINE_MARGIN_S)

    # --- reviews --------------------------------------------------------------------------
    def _schedule(self, uri: str, delay_s: float) -> None:
        """Start a pushed review (clients that pull ask for it themselves)."""
        ls = self.server
        if not ls.settings.features.diagnostics or supports_pull(ls):
            return
        snapshot = ls.snapshot(uri)
        if snapshot is not None and self._result(snapshot) is None:
            self._start(snapshot, delay_s)

    def _needs_model(self, uri: str) -> bool:
        return uri in self._due or self.server.settings.features.diagnostics_on_change

    def _standing(self, snapshot: Snapshot) -> list[types.Diagnostic]:
        """The last review's findings that still stand, on the current text: no model call."""
        assistant = self.server.current_assistant()
        if assistant is None:
            return []
        findings = assistant.standing_findings(snapshot)
        return [to_diagnostic(snapshot, finding, self.server.encoding) for finding in findings]

    def _result(self, snapshot: Snapshot) -> list[types.Diagnostic] | None:
        version, diagnostics = self._done.get(snapshot.uri, (None, None))
        if diagnostics is not None and version == snapshot.version:
            return diagnostics
        return None

    def _start(self, snapshot: Snapshot, delay_s: float) -> asyncio.Task[list[types.Diagnostic]]:
        tasks = self.server.tasks
        running = tasks.get(FEATURE, snapshot.uri)
        if running is not None and getattr(running, "version", object()) == snapshot.version:
            return running
        earlier = self._review_of_earlier_text(snapshot)
        if earlier is not None:
            self._review_after(earlier, snapshot.uri)
            return earlier
        task = tasks.spawn(FEATURE, snapshot.uri, self._review(snapshot, delay_s))
        task.version = snapshot.version  # type: ignore[attr-defined]
        return task

    def _review_after(self, running: asyncio.Task[list[types.Diagnostic]], uri: str) -> None:
        """A save while the text saved before is reviewed: that review ends first (its findings
        move onto the text), then the changes since are reviewed. Restarting would throw its
        work away: a hosted model's input is paid for, and the embedded models' reviews, minutes
        long, would never end for someone who saves every minute."""
        if uri not in self._saved_meanwhile:
            self._saved_meanwhile.add(uri)
            running.add_done_callback(lambda _: self._saved_again(uri))

    def _saved_again(self, uri: str) -> None:
        if uri in self._saved_meanwhile:  # not closed meanwhile
            self._saved_meanwhile.discard(uri)
            self._due.add(uri)
            self._schedule(uri, 0)  # a pull client is sent a refresh and asks (`on_save`)

    async def _review(self, snapshot: Snapshot, delay_s: float) -> list[types.Diagnostic]:
        """A review under the same deadline and failure rules as any request."""
        ls = self.server
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        diagnostics: list[types.Diagnostic] = []
        self._found[snapshot.uri] = diagnostics
        try:
            async with asyncio.timeout(model_deadline(ls.settings)) as timer:
                outcome = await self._stream_review(snapshot, diagnostics, timer)
            if outcome is None:
                return diagnostics  # no model to ask, or no budget: nothing to show or keep
            if not outcome.whole:
                # Damaged or cut short: shown as found, but it does not stand for this text
                # (the document stays due and is reviewed again).
                if not supports_pull(ls):
                    self._publish(snapshot, diagnostics)
                return diagnostics
        except (TimeoutError, ModelUnavailable) as error:
            if isinstance(error, TimeoutError):
                tell_late(ls, "codex-lsp: the review took too long; stopped.")
            return diagnostics
        finally:
            if self._found.get(snapshot.uri) is diagnostics:
                del self._found[snapshot.uri]
        self._done[snapshot.uri] = (snapshot.version, diagnostics)
        self._due.discard(snapshot.uri)
        if not supports_pull(ls):
            self._publish_on_latest(snapshot, diagnostics)
        return diagnostics

    async def _stream_review(
        self, snapshot: Snapshot, diagnostics: list[types.Diagnostic], timer: asyncio.Timeout
    ) -> Outcome | None:
        """Stream the review's findings into `diagnostics`; its outcome (whole or not), or
        None when it could not run. `timer`: the review's deadline, set here for the backend."""
        ls = self.server
        push = not supports_pull(ls)
        async with ls.using_assistant() as assistant:
            if assistant is None or not await ls.within_budget(explicit=False):
                return None
            deadline = review_deadline(ls.settings, len(snapshot.lines), assistant.embedded)
            timer.reschedule(asyncio.get_running_loop().time() + deadline)
            outcome = Outcome()
            workspace = ls.workspace_context(snapshot.uri)
            stream = assistant.review(snapshot, workspace, outcome=outcome)
            async with aclosing(stream):
                async for finding in stream:
                    diagnostics.append(to_diagnostic(snapshot, finding, ls.encoding))
                    if push:
                        self._publish(snapshot, diagnostics)
        return outcome

    def _publish_on_latest(self, snapshot: Snapshot, diagnostics: list[types.Diagnostic]) -> None:
        """A whole review's findings, on the text the user has now: moved there (those on
        lines edited since are dropped) when it changed while the model read."""
        latest = self.server.snapshot(snapshot.uri)
        if latest is None or latest.version == snapshot.version:
            self._publish(snapshot, diagnostics)
        else:
            self._publish(latest, self._standing(latest))

    def _publish(self, snapshot: Snapshot, diagnostics: list[types.Diagnostic]) -> None:
        if self.server.current_version(snapshot.uri) != snapshot.version:
            return  # findings for text the user no longer has
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=snapshot.uri, diagnostics=list(diagnostics), version=snapshot.version
            )
        )

    def _refresh_when_done(self, review: asyncio.Task[list[types.Diagnostic]]) -> None:
        def refresh(done: asyncio.Task[list[types.Diagnostic]]) -> None:
            if done.cancelled() or not supports_refresh(self.server):
                return  # a newer version replaced the review: the client pulls for that one
            self.server.tasks.spawn("diagnostic-refresh", "", self._refresh())

        review.add_done_callback(refresh)

    async def _refresh(self) -> None:
        try:
            await self.server.workspace_diagnostic_refresh_async(None)
        except Exception as error:  # the client's problem; its next pull still gets the result
            log.info("workspace/diagnostic/refresh failed: %s", error)
