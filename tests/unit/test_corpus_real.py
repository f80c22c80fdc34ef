"""`benchmarks/review/corpus_real/` as built: every split has its pairs, numbered in order, and
each buggy copy differs from its clean copy in the one line the manifest names."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from benchmarks.review.build_real import EXTRA_SPLITS, PROJECTS, SPLITS, TARGET, pair_number


def test_the_manifest_covers_every_split_in_order_with_one_changed_line_a_pair() -> None:
    manifest = json.loads((TARGET / "manifest.json").read_text(encoding="utf-8"))
    pairs = manifest["pairs"]
    numbers = [pair_number(p) for p in pairs]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert {p["split"] for p in pairs} == set(SPLITS)
    projects = {**PROJECTS, **{k: v for split in EXTRA_SPLITS.values() for k, v in split.items()}}
    for split in EXTRA_SPLITS:
        assert f"{split}_seed" in manifest
    for pair in pairs:
        split, licence, modules = projects[pair["project"].lower()]
        assert (pair["split"], pair["licence"]) == (split, licence)
        assert pair["source"] in modules
        clean = (TARGET / "clean" / pair["file"]).read_text(encoding="utf-8")
        buggy = (TARGET / "buggy" / pair["file"]).read_text(encoding="utf-8")
        ast.parse(clean), ast.parse(buggy)
        changed = [
            i
            for i, (a, b) in enumerate(zip(clean.split("\n"), buggy.split("\n"), strict=True), 1)
            if a != b
        ]
        assert changed == [pair["bug"]["line"]], pair["file"]
    assert not {p.name for p in Path(TARGET, "clean").glob("*.py")} ^ {p["file"] for p in pairs}
