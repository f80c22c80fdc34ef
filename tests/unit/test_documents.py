"""Incremental changes (`codex_lsp/documents.py`): the same text as pygls' TextDocument for any
change, in time that does not grow with the document (pygls: 0.2 s a keystroke at 5 MB)."""

from __future__ import annotations

import copy
import random
import time

import pytest
from lsprotocol import types
from pygls.workspace import PositionCodec, TextDocument

from codex_lsp.documents import CodexTextDocument

PIECES = ["a", "bc", " ", "\n", "😀", "é", "\n\n", "x = 1\n", "\t", "\r\n", "\u2028", ""]


def _text(rng: random.Random, pieces: list[str], n: int) -> str:
    return "".join(rng.choice(pieces) for _ in range(n))


def _change(rng: random.Random, lines: int) -> types.TextDocumentContentChangePartial:
    def position() -> types.Position:
        return types.Position(rng.randint(0, lines + 2), rng.choice([0, 1, 2, 3, 7, 40, 10**6]))

    plain = [p for p in PIECES if p not in ("\r\n", "\u2028")]
    text = _text(rng, PIECES if rng.random() < 0.05 else plain, rng.randint(0, 4))
    return types.TextDocumentContentChangePartial(
        range=types.Range(position(), position()), text=text
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
@pytest.mark.parametrize("seed", range(40))
def test_any_sequence_of_changes_gives_pygls_text(seed: int, encoding: str) -> None:
    rng = random.Random(seed)
    plain = [p for p in PIECES if p not in ("\r\n", "\u2028")]
    source = _text(rng, plain if seed % 4 else PIECES, rng.randint(0, 60))
    codec = PositionCodec(types.PositionEncodingKind(encoding))
    theirs = TextDocument("file:///a.py", source, position_codec=codec)
    ours = CodexTextDocument("file:///a.py", source, position_codec=codec)
    for _ in range(60):
        if rng.random() < 0.03:
            full = types.TextDocumentContentChangeWholeDocument(text=_text(rng, plain, 20))
            theirs.apply_change(full)
            ours.apply_change(copy.deepcopy(full))
            continue
        change = _change(rng, len(theirs.lines))
        mine = copy.deepcopy(change)
        theirs.apply_change(change)
        ours.apply_change(mine)
        assert ours.source == theirs.source, (seed, change)
        assert mine == change  # pygls' codec adjusts the range in place: the same adjustment


def _typing_seconds(document: TextDocument, row: int, keys: int) -> float:
    started = time.perf_counter()
    for k in range(keys):
        at = types.Position(row, k)
        document.apply_change(
            types.TextDocumentContentChangePartial(range=types.Range(at, at), text="a")
        )
    return time.perf_counter() - started


def test_typing_in_a_5mb_document_costs_about_what_it_costs_in_a_small_one() -> None:
    small = CodexTextDocument("file:///s.py", "x = 1\n" * 100)
    large = CodexTextDocument("file:///l.py", "x = 1\n" * 850_000)
    assert len(large.source) > 5_000_000
    keys = 300
    small_s = min(_typing_seconds(small, 50, keys) for _ in range(3))
    large_s = _typing_seconds(large, 600_000, keys)  # the first walks to the line
    # pygls: ~0.2 s a key in the large one, thousands of times the small one's cost; each key
    # still copies the text once (a few ms at 5 MB).
    assert large_s < keys * 0.05 + 100 * small_s, (large_s, small_s)
    assert large.source.splitlines()[600_000] == "a" * keys + "x = 1"


def test_the_server_keeps_its_documents_as_codex_documents() -> None:
    from pygls.workspace import Workspace

    from codex_lsp.protocol import CodexProtocol

    protocol = CodexProtocol.__new__(CodexProtocol)
    protocol._workspace = Workspace(None)  # what pygls' initialize does
    protocol.workspace.put_text_document(
        types.TextDocumentItem(uri="file:///a.py", language_id="python", version=1, text="x\n")
    )
    assert isinstance(protocol.workspace.get_text_document("file:///a.py"), CodexTextDocument)


@pytest.mark.parametrize("line", ["ab+" * 22_000, "é日+" * 22_000], ids=["ascii", "bmp"])
def test_typing_at_the_end_of_a_64kb_line_costs_about_what_it_costs_on_a_short_one(
    line: str,
) -> None:
    short = CodexTextDocument("file:///s.py", "x = 1\n" * 3)
    long = CodexTextDocument("file:///l.py", "x = 1\n" + line + "\n")
    keys = 300

    def at_the_end(document: TextDocument, row: int) -> float:
        started = time.perf_counter()
        for _ in range(keys):
            end = types.Position(row, len(document.lines[row]) - 1)
            document.apply_change(
                types.TextDocumentContentChangePartial(range=types.Range(end, end), text="a")
            )
        return time.perf_counter() - started

    short_s = min(at_the_end(short, 1) for _ in range(3))
    long_s = at_the_end(long, 1)
    # pygls' per-character conversion: ~25 ms a key at 64 KB; now a few copies of the text.
    assert long_s < keys * 0.005 + 20 * short_s, (long_s, short_s)
    assert long.source.endswith(line[-3:] + "a" * keys + "\n")
