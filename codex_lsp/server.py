"""The pygls server: its shared state (settings, backend, notices) and the wiring of features."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from codex_lsp import __version__
from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.calls import ModelCaller
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.prompts import WorkspaceFile
from codex_lsp.engine.secrets import is_excluded
from codex_lsp.engine.tokens import warm_up as warm_up_tokenizer
from codex_lsp.engine.usage import CallRecord, Ledger, daily_spend
from codex_lsp.notices import Notices
from codex_lsp.providers.base import Provider
from codex_lsp.providers.select import NoBackend, build_provider, choose_backend
from codex_lsp.settings import (
    Environment,
    Settings,
    SettingsLayers,
    SettingsProblem,
    env_layer,
)
from codex_lsp.tasks import TaskOwner
from codex_lsp.trust import OPENAI_API_URL, TrustStore, consent_value, describe, origin

if TYPE_CHECKING:
    from codex_lsp.features.diagnostics import Reviews

log = logging.getLogger(__name__)

USAGE_NOTIFICATION = "codexLsp/usage"
MAX_WORKSPACE_FILES = 8
SETTINGS_WAIT_S = 3.0
ALLOW = "Allow"
CONSENT_QUESTIONS = {
    "baseUrl": "codex-lsp: settings from this workspace or editor ask to send your code to "
    "{value} (codexLsp.baseUrl). Your OPENAI_API_KEY is never sent there. Allow this host?",
    "localModelPath": "codex-lsp: settings from this workspace or editor ask to run the model "
    "file {value} (codexLsp.localModelPath) in llama.cpp on this machine. Allow this file?",
}
NOT_ALLOWED = (
    "codex-lsp: not using {value} from codexLsp.{key}: a setting from a workspace or editor "
    "needs your consent first. To allow it: `codex-lsp trust allow {value}`, or set it in the "
    "environment you start the editor from ({env}). Until then the settings from your "
    "environment apply."
)
CONSENT_ENV = {"baseUrl": "OPENAI_BASE_URL", "localModelPath": "CODEX_LSP_LOCAL_MODEL_PATH"}


class CodexServer(LanguageServer):
    def __init__(self, environ: Environment | None = None) -> None:
        super().__init__("codex-lsp", __version__)
        self.env = environ or Environment.from_os()
        self.notices = Notices(self._show_message)
        self.trust = TrustStore()
        self.layers = SettingsLayers(trusted=self._trusted)
        self._asked: set[tuple[str, str]] = set()
        self._initialized = False
        self.ledger = Ledger(daily=daily_spend())
        self.tasks = TaskOwner()
        self._assistant: Assistant | None = None
        self._provider: Provider | None = None
        self._backend_key: tuple[Any, ...] | None = None
        self._settings_ready = asyncio.Event()
        self._last_change: dict[str, float] = {}
        self.reviews: Reviews  # set by features/diagnostics.register
        self.update_settings(env_layer(), layer="env")

    # --- settings -------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.layers.settings

    def update_settings(self, payload: Any, layer: str = "workspace") -> list[SettingsProblem]:
        """Replace one layer (env, init or workspace) and say once what was invalid in it."""
        problems = self.layers.set(layer, payload)
        for problem in problems:
            self.notices.notify(
                f"setting:{problem.key}:{problem.value!r}",
                "error",
                problem.describe() + " Keeping the previous value.",
            )
        if self._assistant is not None:
            self._assistant.settings = self.settings
        self.ask_consent()
        return problems

    # --- consent --------------------------------------------------------------------------
    def _trusted(self, key: str, value: str) -> bool:
        """The user chose it: OpenAI's API or the environment's base URL, or allowed before."""
        if key == "baseUrl":
            user_hosts = {origin(OPENAI_API_URL)}
            if self.env.base_url:
                user_hosts.add(origin(self.env.base_url))
            if origin(value) in user_hosts:
                return True
        return self.trust.allows(key, value)

    def client_initialized(self) -> None:
        self._initialized = True
        self.ask_consent()

    def ask_consent(self) -> None:
        """Ask once per session about each pending value (not before `initialized`: a server
        must not send requests before the client is ready)."""
        if not self._initialized:
            return
        for key, value in self.layers.pending.items():
            wanted = (key, consent_value(key, value))
            if wanted not in self._asked:
                self._asked.add(wanted)
                self.tasks.spawn("consent", f"{key}={wanted[1]}", self._consent(key, value))

    async def _consent(self, key: str, value: str) -> None:
        shown = describe(key, consent_value(key, value))
        if await self._ask(CONSENT_QUESTIONS[key].format(value=shown), ALLOW):
            self.trust.allow(key, value)
            log.info("the user allowed codexLsp.%s = %s", key, shown)
            self.layers.refresh()
            self.notices.forget("no-backend")
            if self._assistant is not None:
                self._assistant.settings = self.settings
            return
        text = NOT_ALLOWED.format(key=key, value=shown, env=CONSENT_ENV[key])
        self.notices.notify(f"consent:{key}:{shown}", "info", text)

    # --- backend --------------------------------------------------------------------------
    def settings_loaded(self) -> None:
        self._settings_ready.set()

    async def assistant(self) -> Assistant | None:
        """The assistant for the current settings, rebuilt when backend settings change.

        Waits briefly for the client's first workspace/configuration answer: a request sent
        right after `initialized` must not run with the defaults the user has overridden.
        """
        if not self._settings_ready.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SETTINGS_WAIT_S):
                    await self._settings_ready.wait()
        return self.current_assistant()

    def current_assistant(self) -> Assistant | None:
        key = (
            self.settings.backend,
            self.settings.model,
            tuple(self.settings.fallback_models),
            self.settings.base_url,
            self.settings.request_timeout_s,
            self.settings.local_model,
            self.settings.local_review_model,
            self.settings.local_model_path,
        )
        if key != self._backend_key:
            self._backend_key = key
            self._assistant = self._build_assistant()
        return self._assistant

    def _build_assistant(self) -> Assistant | None:
        old = self._provider
        if old is not None:
            self.tasks.spawn("close-provider", "", old.aclose())
        try:
            choice = choose_backend(self.settings, self.env)
        except NoBackend as error:
            self.notices.notify("no-backend", "error", str(error))
            self._provider = None
            return None
        log.info("backend %s (%s), models %s", choice.kind, choice.reason, choice.models)
        self.notices.forget("missing:")
        self._provider = build_provider(
            choice,
            self.settings,
            self.env,
            on_notice=lambda text: self.notices.notify(f"local:{text}", "warning", text),
        )
        caller = ModelCaller(
            self._provider,
            choice.models,
            notify=self.notices.notify,
            ledger=self.ledger,
            prices=self.settings.prices,
            on_usage=self._send_usage,
        )
        return Assistant(caller, self.settings)

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
        return await self._ask(text + " Run this request anyway?", "Run anyway")

    async def _ask(self, question: str, yes: str) -> bool:
        window = self.client_capabilities.window
        if not (window and window.show_message):
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
        if self._provider is not None:
            await self._provider.aclose()
            self._provider = None

    # --- documents ------------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def snapshot(self, uri: str) -> Snapshot | None:
        """Freeze a document, or None when it is excluded from model calls or unknown."""
        if is_excluded(uri, self.settings.excluded_globs()):
            log.info("not sending excluded file %s to a model", uri)
            return None
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        return Snapshot(uri, document.version, document.source, document.language_id or "")

    def document_changed(self, uri: str) -> None:
        self._last_change[uri] = time.monotonic()

    def forget_document(self, uri: str) -> None:
        self._last_change.pop(uri, None)

    def seconds_since_change(self, uri: str) -> float:
        changed = self._last_change.get(uri)
        return float("inf") if changed is None else time.monotonic() - changed

    def current_version(self, uri: str) -> int | None:
        document = self.workspace.text_documents.get(uri)
        return None if document is None else document.version

    def workspace_context(self, uri: str) -> list[WorkspaceFile]:
        globs = self.settings.excluded_globs()
        files = [
            WorkspaceFile(other, document.source)
            for other, document in self.workspace.text_documents.items()
            if other != uri and not is_excluded(other, globs)
        ]
        return sorted(files, key=lambda f: f.uri)[:MAX_WORKSPACE_FILES]

    # --- messages -------------------------------------------------------------------------
    def _show_message(self, level: str, text: str) -> None:
        kind = {"error": types.MessageType.Error, "warning": types.MessageType.Warning}
        self.window_show_message(
            types.ShowMessageParams(type=kind.get(level, types.MessageType.Info), message=text)
        )

    def _send_usage(self, record: CallRecord, ledger: Ledger) -> None:
        self.protocol.notify(USAGE_NOTIFICATION, {"call": vars(record), "session": ledger.totals()})


def build_server(environ: Environment | None = None) -> CodexServer:
    from codex_lsp.features import (
        code_actions,
        completion,
        configuration,
        diagnostics,
        documents,
        usage,
    )

    warm_up_tokenizer()
    server = CodexServer(environ)
    for feature in (configuration, documents, completion, diagnostics, code_actions, usage):
        feature.register(server)
    return server
