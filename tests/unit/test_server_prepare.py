"""A changed document is redacted and diffed while the user types, so a request at the pause
starts with that done; a later version, a closed document or an excluded one gets nothing
stale."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pygls.workspace import Workspace

from codex_lsp.engine.cache import AnchorStore, diff_hunks
from codex_lsp.engine.context import Snapshot
from codex_lsp.server import PREPARE_AFTER_S, CodexServer, build_server
from codex_lsp.settings import Environment

URI = "file:///project/app.py"
SECRET = "sk-proj-" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4"
TEXT = "".join(f"def f{n}(x):\n    return x + {n}\n\n" for n in range(200))


def opened(settings: dict[str, object] | None = None) -> CodexServer:
    server = build_server(Environment(api_key="sk-test", base_url="http://127.0.0.1:9/v1"))
    server.update_settings(settings or {})
    server.settings_loaded()
    server.current_assistant()  # the first request builds the backend
    server.protocol._workspace = Workspace(
        "file:///project", types.TextDocumentSyncKind.Incremental
    )  # as `initialize` makes it
    server.workspace.put_text_document(
        types.TextDocumentItem(uri=URI, language_id="python", version=1, text=TEXT)
    )
    return server


def type_line(server: CodexServer, version: int, line: int, text: str) -> None:
    start = types.Position(line=line, character=0)
    server.workspace.update_text_document(
        types.VersionedTextDocumentIdentifier(uri=URI, version=version),
        types.TextDocumentContentChangePartial(range=types.Range(start, start), text=text),
    )
    server.document_event("change", URI)


def test_a_version_is_redacted_once_the_user_stops_and_reused_by_requests() -> None:
    async def scenario() -> None:
        server = opened()
        assert server.snapshot(URI).redacted is None  # nothing done before a change
        type_line(server, 2, 10, f'key = "{SECRET}"\n')
        assert server.snapshot(URI).redacted is None  # not on every keystroke of a burst
        await asyncio.sleep(PREPARE_AFTER_S + 0.1)
        prepared = server.snapshot(URI)
        assert prepared is not None and prepared.version == 2
        assert prepared.redacted is not None and SECRET not in "".join(prepared.redacted)
        assert server.snapshot(URI) is prepared  # the request reuses it, nothing recomputed
        type_line(server, 3, 20, "y = 1\n")
        later = server.snapshot(URI)
        assert later is not None and later.version == 3 and later.redacted is None

    asyncio.run(scenario())


def test_closing_a_document_drops_what_was_prepared_for_it() -> None:
    async def scenario() -> None:
        server = opened()
        type_line(server, 2, 10, "z = 2\n")
        await asyncio.sleep(PREPARE_AFTER_S + 0.1)
        assert server.snapshot(URI).redacted is not None
        server.document_event("close", URI)
        server.workspace.remove_text_document(URI)
        server.workspace.put_text_document(
            types.TextDocumentItem(uri=URI, language_id="python", version=2, text="other = 1\n")
        )
        reopened = server.snapshot(URI)
        assert reopened is not None and reopened.text == "other = 1\n"
        assert reopened.redacted is None

    asyncio.run(scenario())


def test_an_excluded_document_is_not_prepared() -> None:
    async def scenario() -> None:
        server = opened({"exclude": ["**/app.py"]})
        type_line(server, 2, 10, "z = 2\n")
        await asyncio.sleep(PREPARE_AFTER_S + 0.1)
        assert server.snapshot(URI) is None
        assert server.tasks.get("prepare", URI) is None

    asyncio.run(scenario())


def test_the_anchor_diff_is_computed_once_per_version() -> None:
    store = AnchorStore()
    first = Snapshot(URI, 1, TEXT)
    anchor = store.anchor(first)
    second = Snapshot(URI, 2, TEXT.replace("return x + 7\n", "return x - 7\n"))
    redacted = second.redacted_lines
    hunks = store.hunks(URI, anchor, redacted)
    assert hunks == diff_hunks(anchor.redacted_lines, redacted) and len(hunks) == 1
    hunks.clear()  # a caller's list is its own
    assert store.hunks(URI, anchor, redacted) == diff_hunks(anchor.redacted_lines, redacted)
    third = Snapshot(URI, 3, second.text + "tail = 0\n")
    assert len(store.hunks(URI, anchor, third.redacted_lines)) == 2  # another version: diffed
