"""The one factory of a model backend (choice -> provider -> caller -> assistant) for the server,
`check` and `doctor`; which host gets the key is decided in `providers/select.py`, called only
from here.

A backend replaced while requests still stream from it (the user changed a setting) is closed
when its last user is done, not under it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.calls import ModelCaller, Notify, OnUsage
from codex_lsp.engine.usage import Ledger
from codex_lsp.providers.base import Provider
from codex_lsp.providers.select import BackendChoice, NoBackend, build_provider, choose_backend
from codex_lsp.settings import Environment, Settings

__all__ = ["Backend", "NoBackend", "build_backend"]


class Backend:
    """A provider with the caller and assistant built on it, and how many requests use it."""

    def __init__(self, choice: BackendChoice, provider: Provider, assistant: Assistant) -> None:
        self.choice = choice
        self.provider = provider
        self.assistant = assistant
        self._users = 0
        self._retired = False
        self._closed = False

    @contextlib.asynccontextmanager
    async def in_use(self) -> AsyncIterator[Assistant]:
        self._users += 1
        try:
            yield self.assistant
        finally:
            self._users -= 1
            if self._retired and not self._users:
                await self._close()

    async def retire(self) -> None:
        """No new users; closed now if unused, else when the last one is done."""
        self._retired = True
        if not self._users:
            await self._close()

    async def _close(self) -> None:
        if not self._closed:
            self._closed = True
            await self.assistant.caller.aclose()
            await self.provider.aclose()


def build_backend(
    settings: Settings,
    env: Environment,
    *,
    notify: Notify,
    ledger: Ledger | None = None,
    on_usage: OnUsage | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> Backend:
    """Raises NoBackend (its message says how to configure one)."""
    choice = choose_backend(settings, env)
    provider = build_provider(choice, settings, env, on_notice=on_notice)
    caller = ModelCaller(
        provider,
        choice.models,
        notify=notify,
        ledger=ledger,
        prices=settings.prices,
        on_usage=on_usage,
    )
    return Backend(choice, provider, Assistant(caller, settings))
