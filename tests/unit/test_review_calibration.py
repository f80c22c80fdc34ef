"""The calibration benchmark's pieces (`benchmarks/review/calibrate.py`, `mutants.py`): the small
contexts a change is scored in, and which lines the contrast flags; the corpus builder's pair
numbers."""

from __future__ import annotations

import ast

from benchmarks.review.build_real import pair_number
from benchmarks.review.calibrate import function_spans, small_gap
from benchmarks.review.mutants import flagged, row_gain

CODE = """import os


@decorator
def first(a):
    total = 0
    for k in range(1, a):
        total += k
    return total


x = 1
y = 2
"""


def test_the_function_context_is_the_innermost_function_with_its_decorators() -> None:
    lines = CODE.split("\n")
    spans = function_spans(ast.parse(CODE))
    prefix, suffix, indent = small_gap(lines, spans, 6, "function")
    assert indent == "    "
    assert prefix == "@decorator\ndef first(a):\n    total = 0\n    "
    assert suffix == "\n        total += k\n    return total"


def test_outside_a_function_and_in_the_window_three_lines_each_side() -> None:
    lines = CODE.split("\n")
    spans = function_spans(ast.parse(CODE))
    prefix, suffix, _ = small_gap(lines, spans, 12, "function")
    assert prefix == "\n\nx = 1\n" and suffix == "\n"
    assert small_gap(lines, spans, 12, "window3") == (prefix, suffix, "")
    assert small_gap(lines, spans, 7, "line") == ("", "", "        ")


def row(line: int, full: list[float], small: list[float | None] | None) -> dict[str, object]:
    return {"line": line, "scores": full, "small": {} if small is None else {"line": small}}


def test_the_contrast_flags_what_the_file_asks_for_not_what_the_model_likes_anywhere() -> None:
    common = row(3, [-10.0, -2.0], [-10.0, -3.0])  # +8 with the file, +7 alone: taste
    asked = row(7, [-10.0, -4.0], [-10.0, -12.0])  # +6 with the file, -2 alone: context
    weak = row(9, [-10.0, -9.0], None)  # +1: never scored alone, never flagged
    rows = [common, asked, weak]
    assert flagged(rows, 4.0) == [3, 7]
    assert flagged(rows, 4.0, "line") == [7]
    assert row_gain(asked, "line") == 8.0 and row_gain(weak, "line") == float("-inf")
    assert flagged([row(5, [-10.0, -9.5], [-10.0, -20.0])], 0.0, "line") == []  # below the floor


def test_pairs_are_numbered_and_ordered_past_99() -> None:
    pairs = [{"file": "100_a.py"}, {"file": "99_b.py"}, {"file": "07_c.py"}]
    assert [pair_number(p) for p in pairs] == [100, 99, 7]
    assert [p["file"] for p in sorted(pairs, key=pair_number)] == ["07_c.py", "99_b.py", "100_a.py"]
