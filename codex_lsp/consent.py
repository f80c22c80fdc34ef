"""Asking the user, once per value, before a host or model file from LSP settings is used.

Values that arrive over LSP may come from a repository (see `trust.py`); the settings layers
hold them back as `pending` until the user allows them here or with `codex-lsp trust allow`.
"""

from __future__ import annotations

import logging
import shlex
from typing import TYPE_CHECKING

from codex_lsp.trust import OPENAI_API_URL, consent_value, describe, origin, shorten

if TYPE_CHECKING:
    from codex_lsp.server import CodexServer

log = logging.getLogger(__name__)

ALLOW = "Allow"
QUESTIONS = {
    "baseUrl": "codex-lsp: settings from this workspace or editor ask to send your code to "
    "{value} (codexLsp.baseUrl). Your OPENAI_API_KEY is never sent there. Allow this host?",
    "localModelPath": "codex-lsp: settings from this workspace or editor ask to run the model "
    "file {value} (codexLsp.localModelPath) in llama.cpp on this machine. Allow this file?",
}
NOT_ALLOWED = (
    "codex-lsp: not using {value} from codexLsp.{key}: a setting from a workspace or editor "
    "needs your consent first. To allow it: `codex-lsp trust allow {quoted}`, or set it in the "
    "environment you start the editor from ({env}). Until then the settings from your "
    "environment apply."
)
ENVIRONMENT = {"baseUrl": "OPENAI_BASE_URL", "localModelPath": "CODEX_LSP_LOCAL_MODEL_PATH"}


class Consent:
    def __init__(self, server: CodexServer) -> None:
        self._server = server
        self._asked: set[tuple[str, str]] = set()
        self._ready = False

    def trusted(self, key: str, value: str) -> bool:
        """The user chose it: OpenAI's API or the environment's base URL, or allowed before."""
        if key == "baseUrl":
            env_url = self._server.env.base_url
            user_hosts = {origin(OPENAI_API_URL), *([origin(env_url)] if env_url else [])}
            if origin(value) in user_hosts:
                return True
        return self._server.trust.allows(key, value)

    def client_ready(self) -> None:
        """The client is initialized: questions may be sent from now on."""
        self._ready = True
        self.ask_pending()

    def ask_pending(self) -> None:
        """Ask once per session about each value held back."""
        if not self._ready:
            return
        for key, value in self._server.layers.pending.items():
            wanted = (key, consent_value(key, value))
            if wanted not in self._asked:
                self._asked.add(wanted)
                self._server.tasks.spawn("consent", "=".join(wanted), self._ask(key, value))

    async def _ask(self, key: str, value: str) -> None:
        server = self._server
        shown = describe(key, consent_value(key, value))
        if await server.ask(QUESTIONS[key].format(value=shown), ALLOW):
            server.trust.allow(key, value)
            log.info("the user allowed codexLsp.%s = %s", key, shown)
            server.settings_changed(server.layers.refresh())
            return
        server.notices.notify(f"consent:{key}:{shown}", "info", not_allowed_message(key, value))


def not_allowed_message(key: str, value: str) -> str:
    """The refusal, with the command that allows the value: quoted for a shell, since the value
    may be a repository's (a host `$(...)`, a path `;...` would run when pasted)."""
    allowed = consent_value(key, value)
    quoted = shlex.quote(allowed)
    if not quoted.isprintable():  # a control character: no command to paste, only the value
        quoted = shorten(quoted)
    return NOT_ALLOWED.format(
        key=key, value=describe(key, allowed), quoted=quoted, env=ENVIRONMENT[key]
    )
