"""Document lifecycle notifications, fanned out to the features that care (pygls allows one
handler per method)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from codex_lsp.features import diagnostics

if TYPE_CHECKING:
    from codex_lsp.server import CodexServer


def register(server: CodexServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CodexServer, params: types.DidOpenTextDocumentParams) -> None:
        diagnostics.on_open(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CodexServer, params: types.DidSaveTextDocumentParams) -> None:
        diagnostics.on_save(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CodexServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.document_changed(params.text_document.uri)
        diagnostics.on_change(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CodexServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.forget_document(uri)
        diagnostics.on_close(ls, uri)
        assistant = ls.current_assistant()
        if assistant is not None:
            assistant.forget(uri)
