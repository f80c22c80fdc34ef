"""Code actions: AI quick fixes for any diagnostic and refactors of a selection.

`textDocument/codeAction` lists titles at once, without a model call. The edit is computed
later: in `codeAction/resolve` for clients with resolve support, else by the command
`codexLsp.applyAction`, which sends `workspace/applyEdit` (eglot 1.9 has no resolve). Every
edit touches only the requested document and names the version it was computed for.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability

from codex_lsp.engine.assistant import RegionEdit, fix_region
from codex_lsp.engine.cache import shared_lines
from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.engine.review import moved_span
from codex_lsp.features.base import Feature
from codex_lsp.features.positions import range_from_client, range_to_client
from codex_lsp.requests import RECENT_PROBLEM_S, DocumentRoute, model_deadline

if TYPE_CHECKING:
    from codex_lsp.server import CodexServer

log = logging.getLogger(__name__)

APPLY_COMMAND = "codexLsp.applyAction"
KEPT_VERSIONS = 16  # recent listed versions per document, to move an action's range
MAX_KEPT_CHARS = 500_000

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
    params: types.CodeActionParams, snapshot: Snapshot, encoding: str, versioned: bool = False
) -> list[types.CodeAction]:
    uri, version = snapshot.uri, snapshot.version
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        verified = verified_fix(snapshot, diagnostic, encoding, versioned)
        if verified is not None:
            actions.append(verified)
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
    if is_selection(snapshot, selection, encoding):
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


def verified_fix(
    snapshot: Snapshot, diagnostic: types.Diagnostic, encoding: str, versioned: bool
) -> types.CodeAction | None:
    """The fix a verified review finding carries (`engine/verify.py`), as an edit ready at
    once: no model call. Only while its line reads as it did when the fix was verified."""
    data = diagnostic.data
    if not isinstance(data, dict) or not isinstance(data.get("fix"), str):
        return None
    row = diagnostic.range.start.line
    if not 0 <= row < len(snapshot.lines) or snapshot.lines[row] != data.get("line"):
        return None
    fix = data["fix"]
    edit = RegionEdit(snapshot.line_span(row, row), fix, "")
    return types.CodeAction(
        title=f"AI: change to '{_short(fix.strip())}'",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        is_preferred=True,
        edit=workspace_edit(snapshot, edit, encoding, versioned),
    )


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
    caps = ls.client_capabilities
    support = get_capability(caps, "text_document.code_action.resolve_support")
    return bool(support and "edit" in support.properties)


def _versioned_edits(ls: CodexServer) -> bool:
    caps = ls.client_capabilities
    return bool(get_capability(caps, "workspace.workspace_edit.document_changes"))


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


def _client_span(snapshot: Snapshot, data: dict[str, Any], encoding: str) -> Span:
    raw = data["range"]
    rng = types.Range(
        types.Position(int(raw["start"]["line"]), int(raw["start"]["character"])),
        types.Position(int(raw["end"]["line"]), int(raw["end"]["character"])),
    )
    return range_from_client(snapshot, rng, encoding)


def _region(snapshot: Snapshot, span: Span, kind: str) -> Span:
    """The whole lines an action rewrites: around a problem, or the selected lines."""
    if kind == "fix":
        return fix_region(snapshot, span)
    last = (
        span.end.line - 1
        if span.end.character == 0 and span.end.line > span.start.line
        else span.end.line
    )
    return snapshot.line_span(span.start.line, last)


def _data_uri(data: Any) -> str | None:
    uri = data.get("uri") if isinstance(data, dict) else None
    return uri if isinstance(uri, str) else None


LIST = DocumentRoute(
    "code actions",
    enabled=lambda settings: settings.features.code_actions,
    empty=lambda _: [],
    deadline_s=lambda _: 5.0,  # listing never calls a model
)
RESOLVE = DocumentRoute(
    "AI edit",
    enabled=lambda settings: settings.features.code_actions,
    empty=lambda action: action,  # unresolved: the client shows no edit
    deadline_s=model_deadline,
    uri=lambda action: _data_uri(getattr(action, "data", None)),
)
UNANSWERED = object()  # the route answered for the handler (off, late, failed: already said)
APPLY = DocumentRoute(
    "AI edit",
    enabled=lambda settings: settings.features.code_actions,
    empty=lambda _: UNANSWERED,
    deadline_s=model_deadline,
    uri=_data_uri,
)


class ListedVersions:
    """The texts of a document's versions that actions were listed for, the last
    `KEPT_VERSIONS` of them. The newest is the text itself (the string pygls holds while it
    is current, so it costs nothing); an older one is kept as lines that share the objects of
    unchanged lines with the version before it, so 16 versions of a file cost about one copy
    of its lines, not 16 texts (a text per edit was 10 MB of the 50-document benchmark)."""

    def __init__(self) -> None:
        self._kept: OrderedDict[int, str | tuple[str, ...]] = OrderedDict()
        self._last_lines: tuple[str, ...] = ()  # of the newest version kept as lines

    def remember(self, version: int, text: str) -> None:
        if version in self._kept:
            return
        if self._kept:  # the newest so far becomes lines, sharing them with the one before
            newest, newest_text = next(reversed(self._kept.items()))
            if isinstance(newest_text, str):
                lines = _lines_of(newest_text)
                self._last_lines = (
                    shared_lines(self._last_lines, lines) if self._last_lines else lines
                )
                self._kept[newest] = self._last_lines
        self._kept[version] = text
        while len(self._kept) > KEPT_VERSIONS:
            self._kept.popitem(last=False)

    def text(self, version: int) -> str | None:
        kept = self._kept.get(version)
        return kept if kept is None or isinstance(kept, str) else "\n".join(kept)


def _lines_of(text: str) -> tuple[str, ...]:
    return Snapshot("", None, text).lines  # split as every snapshot is (line breaks, surrogates)


class CodeActions(Feature):
    """Actions are listed for a document version and resolved later, maybe after edits: the
    texts of recent listed versions are kept so an action's range can be moved to the current
    text (or refused when its lines changed)."""

    def __init__(self, server: CodexServer) -> None:
        super().__init__(server)
        self._versions: dict[str, ListedVersions] = {}

    def register(self) -> None:
        self.document_request(
            types.TEXT_DOCUMENT_CODE_ACTION,
            types.CodeActionOptions(
                code_action_kinds=[
                    types.CodeActionKind.QuickFix,
                    types.CodeActionKind.RefactorRewrite,
                ],
                resolve_provider=True,
            ),
            LIST,
            self.code_action,
        )
        self.document_request(types.CODE_ACTION_RESOLVE, None, RESOLVE, self.resolve)

        # `ls` is typed Any: pygls resolves command annotations at run time, where CodexServer
        # is only a type-checking import.
        @self.server.command(APPLY_COMMAND)
        async def apply_action(ls: Any, *args: Any) -> bool:
            data = args[0] if args else None
            if isinstance(data, list) and data:  # pygls passes the arguments array as one value
                data = data[0]
            edit = await APPLY.run(ls, data, self.edit_for)
            if edit is UNANSWERED:
                if not ls.notices.shown_within(RECENT_PROBLEM_S):  # else: already said why
                    ls.notices.notify(
                        "no-answer", "info", "codex-lsp: no usable answer from the model."
                    )
                return False
            if edit is None:
                ls.notices.notify("no-edit", "info", "codex-lsp: the model proposed no change.")
                return False
            result = await ls.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label="codex-lsp")
            )
            return bool(result and result.applied)

    def on_close(self, uri: str) -> None:
        self._versions.pop(uri, None)

    def _remember(self, snapshot: Snapshot) -> None:
        """Only listed versions: an action names the version it was listed for, and no other
        version is ever looked up."""
        if snapshot.version is None:
            return
        if len(snapshot.text) > MAX_KEPT_CHARS:
            self._versions.pop(snapshot.uri, None)
            return
        self._versions.setdefault(snapshot.uri, ListedVersions()).remember(
            snapshot.version, snapshot.text
        )

    async def code_action(
        self, ls: CodexServer, params: types.CodeActionParams, snapshot: Snapshot
    ) -> list[types.CodeAction]:
        self._remember(snapshot)
        actions = list_actions(params, snapshot, ls.encoding, _versioned_edits(ls))
        if not supports_resolve(ls):
            for action in (a for a in actions if a.edit is None):
                action.command = types.Command(
                    title=action.title, command=APPLY_COMMAND, arguments=[action.data]
                )
        return actions

    async def resolve(
        self, ls: CodexServer, action: types.CodeAction, snapshot: Snapshot
    ) -> types.CodeAction:
        edit = await self.edit_for(ls, action.data, snapshot, title=action.title)
        if edit is not None:
            action.edit = edit
        return action

    async def edit_for(
        self, ls: CodexServer, data: Any, snapshot: Snapshot, title: str = "codex-lsp"
    ) -> types.WorkspaceEdit | None:
        """The edit for an action's data, against the document as it is now (never an older
        one), with work-done progress where the client shows it."""
        region = self._current_region(ls, data, snapshot)
        if region is None:
            return None
        async with _progress(ls, title):
            return await _compute_edit(ls, str(data.get("task", ""))[:2000], snapshot, region)

    def _current_region(self, ls: CodexServer, data: Any, snapshot: Snapshot) -> Span | None:
        """The action's lines in the current text: its range as listed, moved through the
        edits since (None, said once, when those lines changed or the version is unknown)."""
        try:
            version = data.get("version")
            offered = snapshot
            if version is not None and version != snapshot.version:
                kept = self._versions.get(snapshot.uri)
                text = None if kept is None else kept.text(version)
                if text is None:
                    return self._stale(ls)
                offered = Snapshot(snapshot.uri, version, text)
            span = _client_span(offered, data, ls.encoding)
            kind = str(data["kind"])
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            log.warning("malformed code action data: %s", error)
            return None
        if offered is not snapshot:
            moved = moved_span(offered.lines, snapshot.lines, span)
            if moved is None:
                return self._stale(ls)
            span = moved
        return _region(snapshot, span, kind)

    @staticmethod
    def _stale(ls: CodexServer) -> None:
        ls.notices.notify(
            "stale-action",
            "info",
            "codex-lsp: the code this action was offered for has changed; ask for actions again.",
        )
        return None


async def _compute_edit(
    ls: CodexServer, task: str, snapshot: Snapshot, region: Span
) -> types.WorkspaceEdit | None:
    if not await ls.within_budget(explicit=True):
        return None
    async with ls.using_assistant() as assistant:
        if assistant is None:
            return None
        # The other open files too: the rewrite's prompt then starts as the document's
        # completions do, and reads what they cached.
        workspace = ls.workspace_context(snapshot.uri)
        edit = await assistant.rewrite(snapshot, region, task, workspace)
    if edit is None or ls.current_version(snapshot.uri) != snapshot.version:
        return None
    return workspace_edit(snapshot, edit, ls.encoding, _versioned_edits(ls))


@contextlib.asynccontextmanager
async def _progress(ls: CodexServer, title: str) -> AsyncIterator[None]:
    """Work-done progress around a model call, where the client shows it (a courtesy: any
    failure to report progress leaves the edit itself alone)."""
    token = str(uuid.uuid4())
    shown = False
    if get_capability(ls.client_capabilities, "window.work_done_progress"):
        try:
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title[:120]))
            shown = True
        except Exception as error:
            log.debug("progress unavailable: %s", error)
    try:
        yield
    finally:
        if shown:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd())
