"""The pygls server: shared state (settings, backend, documents, messages) and the wiring that
fans the document lifecycle out to the features. Requests travel `requests.DocumentRoute`."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
from collections.abc import AsyncIterator
from typing import Any

from cachetools import LRUCache
from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer

from codex_lsp import __version__
from codex_lsp.backend import Backend, NoBackend, build_backend
from codex_lsp.consent import Consent
from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.prompts import WorkspaceFile
from codex_lsp.engine.secrets import git_ignored, is_excluded
from codex_lsp.engine.tokens import warm_up as warm_up_tokenizer
from codex_lsp.engine.usage import CallRecord, Ledger, daily_spend
from codex_lsp.features.base import Feature
from codex_lsp.notices import Notices
from codex_lsp.protocol import CodexProtocol
from codex_lsp.requests import RECENT_PROBLEM_S
from codex_lsp.settings import Environment, Settings, SettingsLayers, SettingsProblem, env_layer
from codex_lsp.tasks import TaskOwner
from codex_lsp.trust import TrustStore

log = logging.getLogger(__name__)

USAGE_NOTIFICATION = "codexLsp/usage"
USAGE_DELAY_S = 0.05  # after the answer of the request whose call it bills
MAX_WORKSPACE_FILES = 8
MAX_WORKSPACE_FILE_CHARS = 200_000  # larger files never fit the workspace share of a prompt
MAX_DOCUMENT_CHARS = 2_000_000  # larger documents are not sent to a model at all
SETTINGS_WAIT_S = 3.0
# Quiet after a change before the new version is redacted and diffed ahead of the requests
# (`prepare`): shorter than a typing pause, so a client that asks at pauses finds it done.
PREPARE_AFTER_S = 0.05
PREPARED_DOCUMENTS = 4  # the documents being edited


FREEZE_AFTER_S = 5.0  # the o200k tokenizer loads in the background in about a second


def freeze_start_up_objects() -> None:
    """Keep what exists now (modules, the tokenizer's tables) out of later full collections,
    after collecting what is garbage already (frozen garbage would never be freed)."""
    gc.collect()
    gc.freeze()


class CodexServer(LanguageServer):
    def __init__(self, environ: Environment | None = None) -> None:
        super().__init__("codex-lsp", __version__, protocol_cls=CodexProtocol)
        self.env = environ or Environment.from_os()
        self.notices = Notices(self._show_message)
        self.trust = TrustStore()
        self.consent = Consent(self)
        self.layers = SettingsLayers(trusted=self.consent.trusted)
        self.ledger = Ledger(daily=daily_spend(background=True))
        self.tasks = TaskOwner()
        self.features: list[Feature] = []
        self._backend: Backend | None = None
        self._backend_key: tuple[Any, ...] | None = None
        self._settings_ready = asyncio.Event()
        self._git_ignored: dict[str, bool] = {}
        self._prepared: LRUCache[str, Snapshot] = LRUCache(maxsize=PREPARED_DOCUMENTS)
        self._prepare_timers: dict[str, asyncio.TimerHandle] = {}
        self.update_settings(env_layer(), layer="env")

    # --- settings -------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.layers.settings

    def update_settings(self, payload: Any, layer: str = "workspace") -> list[SettingsProblem]:
        """Replace one layer (env, init or workspace) and say once what was invalid in it."""
        return self.settings_changed(self.layers.set(layer, payload))

    def settings_changed(self, problems: list[SettingsProblem]) -> list[SettingsProblem]:
        for problem in problems:
            self.notices.notify(
                f"setting:{problem.key}:{problem.value!r}"[:200],
                "error",
                problem.describe() + " Keeping the previous value.",
            )
        if self._backend is not None:
            self._backend.assistant.settings = self.settings
        self.notices.forget("no-backend")
        self.consent.ask_pending()
        return problems

    def settings_loaded(self) -> None:
        self._settings_ready.set()
        # Start-up objects (modules, the tokenizer's tables) live as long as the server: once
        # they exist, keep them out of full collections, which otherwise take 40-60 ms and
        # land inside requests (benchmarks/README.md, overhead --gc-log).
        asyncio.get_running_loop().call_later(FREEZE_AFTER_S, freeze_start_up_objects)

    # --- backend --------------------------------------------------------------------------
    async def assistant(self) -> Assistant | None:
        """The assistant for the current settings, rebuilt when backend settings change.

        Waits briefly for the client's first workspace/configuration answer: a request sent
        right after `initialized` must not run with the defaults the user has overridden.
        """
        if not self._settings_ready.is_set():
            try:
                async with asyncio.timeout(SETTINGS_WAIT_S):
                    await self._settings_ready.wait()
            except TimeoutError:
                # Once: a client that never answers (or answers what cannot be read) would
                # otherwise cost every later request this wait too. A late answer still applies.
                log.info("no workspace/configuration answer within %s s", SETTINGS_WAIT_S)
                self.settings_loaded()
        return self.current_assistant()

    @contextlib.asynccontextmanager
    async def using_assistant(self) -> AsyncIterator[Assistant | None]:
        """The assistant, kept open while the block runs even if settings replace it."""
        if await self.assistant() is None or self._backend is None:
            yield None
            return
        async with self._backend.in_use() as assistant:
            yield assistant

    def current_assistant(self) -> Assistant | None:
        settings = self.settings
        key = (
            settings.backend,
            settings.model,
            tuple(settings.fallback_models),
            settings.base_url,
            settings.request_timeout_s,
            settings.local_model,
            settings.local_review_model,
            settings.local_model_path,
        )
        if key != self._backend_key:
            self._backend_key = key
            self._replace_backend()
        return self._backend.assistant if self._backend is not None else None

    def _replace_backend(self) -> None:
        if self._backend is not None:
            self.tasks.spawn("retire-backend", str(id(self._backend)), self._backend.retire())
        try:
            self._backend = build_backend(
                self.settings,
                self.env,
                notify=self._caller_notice,
                ledger=self.ledger,
                on_usage=self._send_usage,
                on_notice=lambda text: self.notices.notify(f"local:{text}", "warning", text),
            )
        except NoBackend as error:
            self.notices.notify("no-backend", "error", str(error))
            self._backend = None
            return
        choice = self._backend.choice
        log.info("backend %s (%s), models %s", choice.kind, choice.reason, choice.models)
        self.notices.forget("missing:")

    def _caller_notice(self, key: str, level: str, text: str) -> None:
        """A model call's failure, unless a request's deadline just told the same stall."""
        if key.startswith("provider:") and self.notices.shown_within(RECENT_PROBLEM_S, "deadline"):
            log.warning("%s", text)
            return
        self.notices.notify(key, level, text)

    async def within_budget(self, explicit: bool) -> bool:
        """False once `budgetUsdPerDay` is spent: automatic calls stop, explicit ones ask."""
        limit = self.settings.budget_usd_per_day
        spent = self.ledger.spent_today()
        if limit is None or spent < limit:
            return True
        shown = "unknown: the spend file cannot be read" if math.isinf(spent) else f"${spent:.2f}"
        text = f"codex-lsp: today's budget of ${limit:.2f} is spent ({shown})."
        if not explicit:
            self.notices.notify(
                "budget",
                "warning",
                text + " Automatic requests are paused until tomorrow; raise "
                "codexLsp.budgetUsdPerDay to resume now.",
            )
            return False
        return await self.ask(text + " Run this request anyway?", "Run anyway")

    async def ask(self, question: str, yes: str) -> bool:
        """The user's answer to a yes/Cancel question; no when the client cannot ask."""
        if get_capability(self.client_capabilities, "window.show_message") is None:
            return False
        try:
            answer = await self.window_show_message_request_async(
                types.ShowMessageRequestParams(
                    type=types.MessageType.Warning,
                    message=question,
                    actions=[types.MessageActionItem(yes), types.MessageActionItem("Cancel")],
                )
            )
        except Exception as error:  # a client that cannot ask means no
            log.warning("could not ask the user: %s", error)
            return False
        return answer is not None and answer.title == yes

    async def close_backend(self) -> None:
        await self.tasks.cancel_all()
        if self._backend is not None:
            await self._backend.retire()
            self._backend = None

    # --- documents ------------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def snapshot(self, uri: str, *, quiet: bool = False) -> Snapshot | None:
        """Freeze a document, or None when it is unknown, excluded or too large to send (said
        unless `quiet`); the version `prepare` redacted ahead when it still is the document's."""
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        if is_excluded(uri, self.settings.excluded_globs()) or self._git_ignored_now(uri):
            if not quiet:
                log.info("not sending excluded file %s to a model", uri)
            return None
        text = document.source
        prepared = self._prepared.get(uri)
        if prepared is not None and prepared.version == document.version and prepared.text is text:
            return prepared
        if len(text) > MAX_DOCUMENT_CHARS:
            if quiet:
                return None
            self.notices.notify(
                f"too-large:{uri}"[:300],
                "info",
                f"codex-lsp: {uri.rsplit('/', 1)[-1][:80]} has {len(text):,} characters, over "
                f"the {MAX_DOCUMENT_CHARS:,} sent to a model; AI features are off for it.",
            )
            return None
        return Snapshot(uri, document.version, text, document.language_id or "")

    def _git_ignored_now(self, uri: str) -> bool:
        """With `excludeGitIgnored`: whether git ignores the file, asked once per document off
        the event loop; until git has answered, the file counts as ignored."""
        if not self.settings.exclude_git_ignored:
            return False
        if uri not in self._git_ignored:
            self._git_ignored[uri] = True
            self.tasks.spawn("git-ignored", uri, self._ask_git(uri))
        return self._git_ignored[uri]

    async def _ask_git(self, uri: str) -> None:
        self._git_ignored[uri] = await asyncio.to_thread(git_ignored, uri)

    def current_version(self, uri: str) -> int | None:
        document = self.workspace.text_documents.get(uri)
        return None if document is None else document.version

    def workspace_context(self, uri: str) -> list[WorkspaceFile]:
        globs = self.settings.excluded_globs()
        files = [
            WorkspaceFile(other, document.source)
            for other, document in self.workspace.text_documents.items()
            if other != uri
            and len(document.source) <= MAX_WORKSPACE_FILE_CHARS
            and not is_excluded(other, globs)
            and not self._git_ignored_now(other)
        ]
        return sorted(files, key=lambda f: f.uri)[:MAX_WORKSPACE_FILES]

    # --- the document lifecycle, fanned out (pygls allows one handler per method) -----------
    def tell_features(self, hook: str, argument: Any) -> None:
        """Call `hook` (`on_change`, `on_edit`...) of every feature with `argument`."""
        for feature in self.features:
            try:
                getattr(feature, hook)(argument)
            except Exception:  # one feature's failure must not cost the others the event
                log.exception("%s.%s failed", type(feature).__name__, hook)

    def document_event(self, event: str, uri: str) -> None:
        self.tell_features(f"on_{event}", uri)
        if event == "open":
            self._git_ignored.pop(uri, None)
            self._git_ignored_now(uri)
        if event == "change":
            self._prepare_later(uri)
        if event == "close":
            self._git_ignored.pop(uri, None)
            self._forget_prepared(uri)
            if self._backend is not None:
                self._backend.assistant.forget(uri)

    # --- ahead of requests ----------------------------------------------------------------
    def _prepare_later(self, uri: str) -> None:
        """Redact and diff the new version once the user stops for a moment, not on every
        keystroke of a burst: a request at the pause then starts with that done."""
        self._forget_prepared(uri)
        loop = asyncio.get_running_loop()
        self._prepare_timers[uri] = loop.call_later(PREPARE_AFTER_S, self._prepare, uri)

    def _forget_prepared(self, uri: str) -> None:
        timer = self._prepare_timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self.tasks.cancel("prepare", uri)
        self._prepared.pop(uri, None)

    def _prepare(self, uri: str) -> None:
        self._prepare_timers.pop(uri, None)
        # Only with a backend built already: building one is the first request's business
        # (and its messages, when settings are wrong, belong to that request).
        if self._backend is None or not self._settings_ready.is_set():
            return
        snapshot = self.snapshot(uri, quiet=True)
        if snapshot is not None and snapshot.redacted is None:
            assistant = self._backend.assistant
            self.tasks.spawn("prepare", uri, self._keep_prepared(assistant, snapshot))

    async def _keep_prepared(self, assistant: Assistant, snapshot: Snapshot) -> None:
        prepared = await assistant.prepare(snapshot)
        if self.current_version(snapshot.uri) == snapshot.version:
            self._prepared[snapshot.uri] = prepared

    # --- messages -------------------------------------------------------------------------
    def _show_message(self, level: str, text: str) -> None:
        """Every message to the user goes out here: the key is cut whatever the text came from
        (a backend's words are redacted where they are read: providers/errors.py)."""
        key = self.env.api_key
        if key and len(key) >= 8:
            text = text.replace(key, "[REDACTED]")
        kind = {"error": types.MessageType.Error, "warning": types.MessageType.Warning}
        self.window_show_message(
            types.ShowMessageParams(type=kind.get(level, types.MessageType.Info), message=text)
        )

    def _send_usage(self, record: CallRecord, ledger: Ledger) -> None:
        """The bill of a call, sent a moment later: the call ends inside the request that made
        it, and the answer the user waits for goes out first."""
        usage = {"call": vars(record), "session": ledger.totals()}
        loop = asyncio.get_running_loop()
        loop.call_later(USAGE_DELAY_S, self.protocol.notify, USAGE_NOTIFICATION, usage)


def _register_lifecycle(server: CodexServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CodexServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.document_event("open", params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CodexServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.document_event("change", params.text_document.uri)
        ls.tell_features("on_edit", params)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CodexServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.document_event("save", params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CodexServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.document_event("close", params.text_document.uri)


def build_server(environ: Environment | None = None) -> CodexServer:
    from codex_lsp.features import code_actions, completion, configuration, diagnostics, usage

    warm_up_tokenizer()
    server = CodexServer(environ)
    configuration.register(server)
    _register_lifecycle(server)
    server.features = [
        completion.Completion(server),
        diagnostics.Diagnostics(server),
        code_actions.CodeActions(server),
    ]
    for feature in server.features:
        feature.register()
    usage.register(server)
    return server
