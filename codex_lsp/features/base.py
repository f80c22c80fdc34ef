"""What a feature is to the server (esbonio's LanguageFeature): LSP handlers registered through
the one request path, and hooks for the document lifecycle, which the server fans out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types

from codex_lsp.requests import DocumentRoute, Handler

if TYPE_CHECKING:
    from codex_lsp.server import CodexServer


class Feature:
    def __init__(self, server: CodexServer) -> None:
        self.server = server

    def register(self) -> None:
        """Register this feature's handlers on the server."""

    def on_open(self, uri: str) -> None: ...

    def on_change(self, uri: str) -> None: ...

    def on_edit(self, params: types.DidChangeTextDocumentParams) -> None:
        """The change itself (after `on_change`), for a feature that wants where it was."""

    def on_save(self, uri: str) -> None: ...

    def on_close(self, uri: str) -> None: ...

    def document_request(
        self, method: str, options: Any, route: DocumentRoute, handler: Handler[Any, Any]
    ) -> None:
        """Serve `method` with `handler` through the one request path."""

        async def run(ls: CodexServer, params: Any) -> Any:  # pygls injects the server as `ls`
            return await route.run(ls, params, handler)

        run.__name__ = handler.__name__
        self.server.feature(method, options)(run)
