"""Code actions: AI quick fixes for any diagnostic and refactors of a selection.

`textDocument/codeAction` lists titles at once, without a model call. The edit is computed
later: in `codeAction/resolve` for clients with resolve support, else by the command
`codexLsp.applyAction`, which sends `workspace/applyEdit` (eglot 1.9 has no resolve). Every
edit touches only the requested document and names the version it was computed for.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from codex_lsp.engine.assistant import RegionEdit, fix_region
from codex_lsp.engine.calls import ModelUnavailable
from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.features.positions import range_from_client, range_to_client

if TYPE_CHECKING:
    from codex_lsp.server import CodexServer

log = logging.getLogger(__name__)

APPLY_COMMAND = "codexLsp.applyAction"

REFACTORS = {
    "rewrite": (
        "AI: rewrite and simplify selection",
        "Rewrite this code to be simpler and clearer without changing its behaviour.",
    ),
    "docstring": (
        "AI: add docstring",
        "Add a concise docstring or doc comment to each function or class in the "
        "region, in the language's usual style; change nothing else.",
    ),
    "types": (
        "AI: add type hints",
        "Add type annotations to the functions and variables in the region; change nothing else.",
    ),
}


def _action_data(uri: str, version: int | None, kind: str, rng: types.Range, task: str) -> Any:
    return {
        "uri": uri,
        "version": version,
        "kind": kind,
        "task": task,
        "range": {
            "start": {"line": rng.start.line, "character": rng.start.character},
            "end": {"line": rng.end.line, "character": rng.end.character},
        },
    }


def list_actions(
    ls: CodexServer, params: types.CodeActionParams, snapshot: Snapshot
) -> list[types.CodeAction]:
    uri, version = snapshot.uri, snapshot.version
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        task = (
            f"Fix this problem reported by {diagnostic.source or 'a linter'}: {diagnostic.message}"
        )
        actions.append(
            types.CodeAction(
                title=f"AI: fix '{_short(diagnostic.message)}'",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                data=_action_data(uri, version, "fix", diagnostic.range, task),
            )
        )
    selection = params.range
    if is_selection(snapshot, selection, ls.encoding):
        for name, (title, task) in REFACTORS.items():
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.RefactorRewrite,
                    data=_action_data(uri, version, name, selection, task),
                )
            )
    only = params.context.only
    if only:
        actions = [a for a in actions if any(_kind(a.kind).startswith(_kind(k)) for k in only)]
    return actions


def is_selection(snapshot: Snapshot, selection: types.Range, encoding: str) -> bool:
    """A real selection, not a cursor or the symbol at point (eglot sends the latter)."""
    text = snapshot.text_in(range_from_client(snapshot, selection, encoding))
    return bool(text.strip()) and not text.strip().isidentifier()


def _kind(kind: object) -> str:
    """`CodeActionKind.QuickFix` and "quickfix" alike, as the wire string."""
    return str(getattr(kind, "value", kind))


def _short(message: str, limit: int = 60) -> str:
    first = message.strip().split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def supports_resolve(ls: CodexServer) -> bool:
    text_document = ls.client_capabilities.text_document
    code_action = text_document.code_action if text_document else None
    support = code_action.resolve_support if code_action else None
    return bool(support and "edit" in support.properties)


def _versioned_edits(ls: CodexServer) -> bool:
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    return bool(edit and edit.document_changes)


def workspace_edit(
    snapshot: Snapshot, edit: RegionEdit, encoding: str, versioned: bool
) -> types.WorkspaceEdit:
    """One text edit in the snapshot's document only, within it, named by its version when
    the client takes versioned edits (it then refuses the edit for any other version)."""
    span = Span(snapshot.clamp(*_at(edit.span.start)), snapshot.clamp(*_at(edit.span.end)))
    text_edit = types.TextEdit(
        range=range_to_client(snapshot, span, encoding), new_text=edit.new_text
    )
    if versioned and snapshot.version is not None:
        document = types.OptionalVersionedTextDocumentIdentifier(
            uri=snapshot.uri, version=snapshot.version
        )
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=document, edits=[text_edit])]
        )
    return types.WorkspaceEdit(changes={snapshot.uri: [text_edit]})


def _at(position: Position) -> tuple[int, int]:
    return position.line, position.character


def _region(snapshot: Snapshot, data: dict[str, Any], encoding: str) -> Span:
    raw = data["range"]
    rng = types.Range(
        types.Position(int(raw["start"]["line"]), int(raw["start"]["character"])),
        types.Position(int(raw["end"]["line"]), int(raw["end"]["character"])),
    )
    span = range_from_client(snapshot, rng, encoding)
    if data["kind"] == "fix":
        return fix_region(snapshot, span)
    last = (
        span.end.line - 1
        if span.end.character == 0 and span.end.line > span.start.line
        else span.end.line
    )
    return snapshot.line_span(span.start.line, last)


async def compute_edit(ls: CodexServer, data: Any) -> types.WorkspaceEdit | None:
    """The edit for an action's data, against the document as it is now (never an older one)."""
    if not isinstance(data, dict) or not isinstance(data.get("uri"), str):
        return None
    snapshot = ls.snapshot(data["uri"])
    assistant = await ls.assistant()
    if snapshot is None or assistant is None:
        return None
    if not await ls.within_budget(explicit=True):
        return None
    try:
        region = _region(snapshot, data, ls.encoding)
        edit = await assistant.rewrite(snapshot, region, str(data.get("task", "")))
    except (KeyError, TypeError, ValueError) as error:
        log.warning("malformed code action data %r: %s", data, error)
        return None
    except ModelUnavailable:
        return None
    if edit is None or ls.current_version(snapshot.uri) != snapshot.version:
        return None
    return workspace_edit(snapshot, edit, ls.encoding, _versioned_edits(ls))


async def _with_progress(ls: CodexServer, title: str, data: Any) -> types.WorkspaceEdit | None:
    window = ls.client_capabilities.window
    if not (window and window.work_done_progress):
        return await compute_edit(ls, data)
    token = str(uuid.uuid4())
    try:
        await ls.work_done_progress.create_async(token)
        ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title))
    except Exception as error:  # progress is a courtesy; the edit matters
        log.debug("progress unavailable: %s", error)
        return await compute_edit(ls, data)
    try:
        return await compute_edit(ls, data)
    finally:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd())


def register(server: CodexServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite],
            resolve_provider=True,
        ),
    )
    def code_action(ls: CodexServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        snapshot = ls.snapshot(params.text_document.uri)
        if snapshot is None or not ls.settings.features.code_actions:
            return []
        actions = list_actions(ls, params, snapshot)
        if not supports_resolve(ls):
            for action in actions:
                action.command = types.Command(
                    title=action.title, command=APPLY_COMMAND, arguments=[action.data]
                )
        return actions

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve(ls: CodexServer, action: types.CodeAction) -> types.CodeAction:
        edit = await _with_progress(ls, action.title, action.data)
        if edit is not None:
            action.edit = edit
        return action

    # `ls` is typed Any: pygls resolves command annotations at run time, where CodexServer is
    # only a type-checking import.
    @server.command(APPLY_COMMAND)
    async def apply_action(ls: Any, *args: Any) -> bool:
        data = args[0] if args else None
        if isinstance(data, list) and data:  # pygls passes the arguments array as one value
            data = data[0]
        edit = await _with_progress(ls, "codex-lsp", data)
        if edit is None:
            ls.notices.notify("no-edit", "info", "codex-lsp: the model proposed no change.")
            return False
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label="codex-lsp")
        )
        return bool(result and result.applied)
