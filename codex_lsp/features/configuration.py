"""Settings from the client: initializationOptions, workspace/configuration and its changes."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.capabilities import get_capability

from codex_lsp.settings import SECTION

if TYPE_CHECKING:
    from codex_lsp.server import CodexServer

log = logging.getLogger(__name__)


def _supports_configuration(ls: CodexServer) -> bool:
    return bool(get_capability(ls.client_capabilities, "workspace.configuration"))


async def pull_configuration(ls: CodexServer) -> None:
    """Ask the client for the `codexLsp` section; a client error leaves settings as they are."""
    if not _supports_configuration(ls):
        return
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        )
    except Exception as error:  # a client that fails this request still gets a working server
        log.warning("workspace/configuration failed: %s", error)
        return
    if result and result[0] is not None:
        ls.update_settings(result[0])


def register(server: CodexServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: CodexServer, params: types.InitializeParams) -> None:
        if params.initialization_options is not None:
            ls.update_settings(params.initialization_options, layer="init")

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CodexServer, params: types.InitializedParams) -> None:
        try:
            await pull_configuration(ls)
        finally:
            ls.settings_loaded()
        ls.consent.client_ready()
        ls.current_assistant()  # surfaces a missing backend once, at start, not at first use

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: CodexServer, params: types.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        if isinstance(settings, dict) and SECTION in settings:
            ls.update_settings(settings)
        else:
            await pull_configuration(ls)

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: CodexServer, params: None) -> None:
        await ls.close_backend()
