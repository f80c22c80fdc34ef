"""A verified review finding's fix travels in its diagnostic's data and comes back as a ready
quick fix (no model call), only while its line reads as when the fix was verified."""

from __future__ import annotations

from lsprotocol import types

from codex_lsp.engine.context import Position, Snapshot, Span
from codex_lsp.engine.review import ReviewFinding
from codex_lsp.features.code_actions import list_actions
from codex_lsp.features.diagnostics import to_diagnostic

URI = "file:///w/even.py"
TEXT = "def is_even(n):\n    return n % 2 == 1\n"
FINDING = ReviewFinding(
    Span(Position(1, 11), Position(1, 21)),
    "error",
    "inverted-parity",
    "n % 2 == 1 is true for odd numbers.",
    fix="    return n % 2 == 0",
)


def actions_for(
    diagnostic: types.Diagnostic, text: str, version: int = 2
) -> list[types.CodeAction]:
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        range=types.Range(diagnostic.range.start, diagnostic.range.start),  # a cursor
        context=types.CodeActionContext(diagnostics=[diagnostic]),
    )
    return list_actions(params, Snapshot(URI, version, text), "utf-16", versioned=True)


def test_the_diagnostic_carries_the_fix_and_the_line_it_corrects() -> None:
    diagnostic = to_diagnostic(Snapshot(URI, 1, TEXT), FINDING, "utf-16")
    assert diagnostic.data == {"fix": "    return n % 2 == 0", "line": "    return n % 2 == 1"}


def test_a_finding_without_a_fix_carries_no_data() -> None:
    plain = ReviewFinding(FINDING.span, "error", "bug", "wrong")
    assert to_diagnostic(Snapshot(URI, 1, TEXT), plain, "utf-16").data is None


def test_the_fix_is_the_first_quick_fix_with_its_edit_ready() -> None:
    diagnostic = to_diagnostic(Snapshot(URI, 1, TEXT), FINDING, "utf-16")
    first, model_fix = actions_for(diagnostic, TEXT)
    assert first.title == "AI: change to 'return n % 2 == 0'"
    assert first.kind == types.CodeActionKind.QuickFix and first.is_preferred
    assert first.edit == types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=URI, version=2),
                edits=[
                    types.TextEdit(
                        range=types.Range(types.Position(1, 0), types.Position(1, 21)),
                        new_text="    return n % 2 == 0",
                    )
                ],
            )
        ]
    )
    assert model_fix.edit is None and model_fix.data is not None  # the model's fix, as before


def test_no_ready_fix_once_its_line_changed() -> None:
    diagnostic = to_diagnostic(Snapshot(URI, 1, TEXT), FINDING, "utf-16")
    edited = TEXT.replace("== 1", "!= 0")
    (model_fix,) = actions_for(diagnostic, edited)
    assert model_fix.edit is None
