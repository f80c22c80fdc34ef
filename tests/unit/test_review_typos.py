"""benchmarks/review/typos.py: the typos it plants are one edit away, parse, and name nothing
the file binds; no excerpt of a split built after the kind is read."""

from __future__ import annotations

import ast
import random

from benchmarks.review import typos
from codex_lsp.engine import fill_scan

TEXT = "def mean(values, count):\n    total = sum(values)\n    return total / count\n"


def test_a_misspelling_is_one_letter_dropped_doubled_or_swapped() -> None:
    rng = random.Random(3)
    for _ in range(200):
        wrong = typos.misspell("values", rng)
        assert wrong != "values" and wrong[0] == "v"
        assert abs(len(wrong) - len("values")) <= 1
        assert sorted(wrong) == sorted("values") or len(wrong) != len("values")


def test_a_planted_typo_parses_and_is_bound_nowhere() -> None:
    for seed in range(20):
        planted = typos.plant(TEXT, random.Random(seed))
        assert planted is not None
        text, row, name, wrong = planted
        tree = ast.parse(text)
        assert fill_scan.undefined(tree, wrong)
        assert text.split("\n")[row].count(wrong) == 1 and row in (1, 2)
        assert name in ("values", "total", "count")


def test_no_excerpt_of_a_later_held_out_split_is_read() -> None:
    numbers = [int(path.name.split("_")[0]) for path in typos.excerpts()]
    assert numbers and max(numbers) < typos.FIRST_UNREAD_PAIR
