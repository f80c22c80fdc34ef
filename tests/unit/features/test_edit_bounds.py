"""Property: whatever the model answers and whatever region a client names, the edit the
server produces lies inside its document and touches no other document."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from codex_lsp.engine.assistant import fix_region, region_edit
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.schemas import Rewrite
from codex_lsp.features.code_actions import workspace_edit
from codex_lsp.features.positions import range_from_client, to_client

URI = "file:///w/doc.py"
ENCODINGS = [types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16, "utf-32"]
# Lines with astral characters, CR/LF mixes and the redaction marker: the awkward cases.
line_text = st.lists(st.sampled_from([*"ab (){}=:#\t\"'é😀", "[REDACTED]"]), max_size=20).map(
    "".join
)
document = st.lists(line_text, min_size=1, max_size=12).flatmap(
    lambda lines: st.sampled_from(["\n", "\r\n"]).map(lambda end: end.join(lines))
)
client_position = st.builds(
    types.Position, line=st.integers(0, 2**31 - 1), character=st.integers(0, 2**31 - 1)
) | st.builds(types.Position, line=st.integers(0, 15), character=st.integers(0, 40))


def end_of(snapshot: Snapshot, encoding: str) -> types.Position:
    last = len(snapshot.lines) - 1
    return to_client(snapshot, snapshot.clamp(last, len(snapshot.lines[last])), encoding)


@settings(max_examples=300, deadline=None)
@given(
    text=document,
    start=client_position,
    end=client_position,
    replacement=line_text,
    encoding=st.sampled_from(ENCODINGS),
    versioned=st.booleans(),
)
def test_a_fix_edit_stays_in_its_document(
    text: str,
    start: types.Position,
    end: types.Position,
    replacement: str,
    encoding: str,
    versioned: bool,
) -> None:
    snapshot = Snapshot(URI, 3, text, "python")
    span = range_from_client(snapshot, types.Range(start, end), encoding)
    region = fix_region(snapshot, span)
    edit = region_edit(snapshot, region, Rewrite(replacement=replacement, explanation="e"))
    if edit is None:
        return
    result = workspace_edit(snapshot, edit, encoding, versioned)
    if versioned:
        assert result.changes is None and result.document_changes is not None
        (change,) = result.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert (change.text_document.uri, change.text_document.version) == (URI, 3)
        edits = change.edits
    else:
        assert result.changes is not None and list(result.changes) == [URI]
        edits = result.changes[URI]
    (text_edit,) = edits
    assert isinstance(text_edit, types.TextEdit)
    rng, last = text_edit.range, end_of(snapshot, encoding)
    for position in (rng.start, rng.end):
        assert (position.line, position.character) <= (last.line, last.character)
        line = snapshot.lines[position.line]
        assert (
            position.character
            <= to_client(snapshot, snapshot.clamp(position.line, len(line)), encoding).character
        )
    assert (rng.start.line, rng.start.character) <= (rng.end.line, rng.end.character)
    assert "[REDACTED]" not in text_edit.new_text or "[REDACTED]" in snapshot.text
