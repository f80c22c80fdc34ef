"""JSON-RPC hardening over pygls' protocol: every request gets an answer, even a malformed one.

pygls drops a request whose params do not validate (a negative position, a missing field)
without replying, serves requests before `initialize`, and lets a second `initialize` reset the
workspace, and drops every request after `shutdown` without replying. Here they get -32602,
-32002 and -32600, as the specification asks.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import LanguageServerProtocol
from pygls.workspace import Workspace

from codex_lsp.documents import CodexWorkspace

log = logging.getLogger(__name__)

ALWAYS_ALLOWED = {types.INITIALIZE, types.SHUTDOWN, types.EXIT}


class CodexProtocol(LanguageServerProtocol):
    _initialize_seen = False

    # pygls builds its Workspace inside `initialize`: it keeps its documents as ours
    # (`documents.py`: incremental changes in time that does not grow with the document).
    @property
    def _workspace(self) -> Workspace | None:
        return self.__dict__.get("_codex_workspace")

    @_workspace.setter
    def _workspace(self, workspace: Workspace | None) -> None:
        if workspace is not None and type(workspace) is Workspace:
            workspace.__class__ = CodexWorkspace
        self.__dict__["_codex_workspace"] = workspace

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcInvalidParams:
            if "id" in data and "method" in data:
                method = str(data["method"])[:80]
                log.warning("invalid params for %s (request %r)", method, data["id"])
                self._reply_error(data["id"], JsonRpcInvalidParams(f"invalid params for {method}"))
            elif "id" in data:  # the client's answer to our request: fail it now, not never
                future = self._request_futures.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_exception(JsonRpcInvalidParams("unreadable answer from the client"))
            raise

    def handle_message(self, message: Any) -> None:
        method = getattr(message, "method", None)
        # A request (a method and an id) is owed an answer; notifications stay dropped.
        request = method is not None and getattr(message, "id", None) is not None
        if self._shutdown and request and method != types.EXIT:
            self._reply_error(message.id, JsonRpcInvalidRequest("the server is shutting down"))
            return
        super().handle_message(message)

    def _handle_request(self, msg_id: Any, method_name: str, params: Any) -> None:
        if method_name == types.INITIALIZE:
            if self._initialize_seen:
                self._reply_error(msg_id, JsonRpcInvalidRequest("initialize was already sent"))
                return
            self._initialize_seen = True
        elif not self._initialize_seen and method_name not in ALWAYS_ALLOWED:
            self._reply_error(msg_id, JsonRpcServerNotInitialized())
            return
        super()._handle_request(msg_id, method_name, params)

    def _handle_notification(self, method_name: str, params: Any) -> None:
        if not self._initialize_seen and method_name not in ALWAYS_ALLOWED:
            log.warning("ignoring %s before initialize", method_name[:80])
            return
        super()._handle_notification(method_name, params)

    def _reply_error(self, msg_id: Any, error: JsonRpcException) -> None:
        self._send_response(msg_id, None, error.to_response_error())
