"""The fill scan against the real 0.5B model: its streamed, early-stopped scores are the scores
of scoring every fill to the end (what benchmarks/review/mutants.py measured), and a planted
bug it found on the benchmark is reported with its fix, its clean copy not."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.fill_scan import candidates, scan
from codex_lsp.engine.verify import fill_gap
from codex_lsp.local.server import LocalModelServer, local_http_client
from codex_lsp.providers.fill_scores import score_against, score_fill_tokens

CODE = '''\
import os


def file_size(stream, fd):
    """The size of the open file `fd` (`stream` is its Python object, unused here)."""
    length = os.fstat(stream).st_size
    return length
'''


class Scorer:
    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url, self.api_key = base_url, api_key
        self.http = local_http_client()

    async def score_against(
        self,
        prefix: str,
        suffix: str,
        written: str,
        fills: list[str],
        margin: float,
        *,
        first: bool = False,
    ) -> tuple[float, list[float | None]]:
        return await score_against(
            self.http, self.base_url, prefix, suffix, written, fills, margin,
            api_key=self.api_key, slot=0, first=first,
        )  # fmt: skip


@pytest.fixture
async def scorer(model_path: Path):  # type: ignore[no-untyped-def]
    server = LocalModelServer(model_path, threads=1)
    endpoint = await server.endpoint()
    made = Scorer(endpoint.base_url, endpoint.api_key)
    try:
        yield made
    finally:
        await made.http.aclose()
        await server.stop()


async def test_early_stopped_scores_are_the_full_scores(scorer: Scorer) -> None:
    snapshot = Snapshot("file:///m.py", 0, CODE, "python")
    row = 5
    prefix, suffix, indent = fill_gap(snapshot, row)
    written = snapshot.lines[row][len(indent) :]
    fills = [fix[len(indent) :] for fix in candidates(CODE)[row]]
    full = [
        sum(t)
        for t in await score_fill_tokens(
            scorer.http, scorer.base_url, prefix, suffix, [written, *fills], api_key=scorer.api_key
        )
    ]
    base, nothing_stopped = await scorer.score_against(prefix, suffix, written, fills, -100.0)
    assert base == pytest.approx(full[0], abs=0.05)
    assert nothing_stopped == [pytest.approx(s, abs=0.05) for s in full[1:]]
    base, stopped = await scorer.score_against(prefix, suffix, written, fills, 10.0)
    for score, reference in zip(stopped, full[1:], strict=True):
        if score is None:
            assert reference - full[0] < 10.0
        else:
            assert score == pytest.approx(reference, abs=0.05)


CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "review" / "corpus_real"


@pytest.mark.parametrize("copy", ["buggy", "clean"])
async def test_the_planted_wrong_variable_is_reported_with_its_fix(
    scorer: Scorer, copy: str
) -> None:
    # httpx2's `os.fstat(fd)` written `os.fstat(stream)` (a held-out file of the benchmark,
    # where the scan found it): only that line is scanned, to keep the test short.
    text = (CORPUS / copy / "21_httpx2_utils.py").read_text(encoding="utf-8")
    snapshot = Snapshot("file:///m.py", 0, text, "python")
    row = 24
    assert snapshot.lines[row].strip().startswith("length = os.fstat(")
    only = [f async for f in scan(snapshot, scorer, covers=lambda f: f.span.start.line == row)]
    if copy == "clean":
        assert only == []
        return
    assert [(f.span.start.line, f.fix) for f in only] == [
        (row, "        length = os.fstat(fd).st_size")
    ]
    assert only[0].message == "`stream` should probably be `fd`."


class SecondOpinionScorer(Scorer):
    """The 0.5B scans and the real 1.5B gives its second opinion, as in `LocalProvider`."""

    def __init__(self, small: Scorer, large_url: str, large_key: str) -> None:
        super().__init__(small.base_url, small.api_key)
        self.http = small.http
        self.large_url, self.large_key = large_url, large_key
        self.second_asked = 0

    def has_second_opinion(self) -> bool:
        return True

    async def second_gains(
        self, prefix: str, suffix: str, written: str, fills: list[str]
    ) -> list[float]:
        self.second_asked += 1
        tokens = await score_fill_tokens(
            self.http, self.large_url, prefix, suffix, [written, *fills], api_key=self.large_key
        )
        base, *scores = (sum(t) for t in tokens)
        return [score - base for score in scores]


@pytest.fixture
async def two_models(scorer: Scorer, model_1_5b: Path):  # type: ignore[no-untyped-def]
    server = LocalModelServer(model_1_5b, threads=1)
    endpoint = await server.endpoint()
    try:
        yield SecondOpinionScorer(scorer, endpoint.base_url, endpoint.api_key)
    finally:
        await server.stop()


@pytest.mark.parametrize("copy", ["buggy", "clean"])
async def test_both_models_agree_on_the_planted_variable_and_not_on_its_clean_copy(
    two_models: SecondOpinionScorer, copy: str
) -> None:
    text = (CORPUS / copy / "21_httpx2_utils.py").read_text(encoding="utf-8")
    snapshot = Snapshot("file:///m.py", 0, text, "python")
    rows = range(20, 27)  # the function around the planted line, to keep the test short
    found = [
        f async for f in scan(snapshot, two_models, covers=lambda f: f.span.start.line in rows)
    ]
    if copy == "clean":
        assert found == []
        return
    assert [(f.span.start.line, f.fix) for f in found] == [
        (24, "        length = os.fstat(fd).st_size")
    ]
    assert two_models.second_asked >= 1
