"""The review corpus and its scoring: planted bugs, clean files, recall and false findings.

`corpus/manifest.json` maps each file of `corpus/buggy/` to the 1-based line of its one planted
bug and the bug's kind, and lists the files of `corpus/clean/`. A planted bug counts as found
when any finding lies within `TOLERANCE` lines of it; every other finding is a false finding
(on a clean file) or an extra finding (on a buggy file). Findings are counted once per line.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
CORPUS_REAL = HERE / "corpus_real"
RESULTS = HERE / "results"
TOLERANCE = 1


@dataclass(frozen=True)
class PlantedBug:
    line: int
    kind: str
    snippet: str
    description: str


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    bug: PlantedBug | None  # None: a clean file

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"


def load_corpus(
    limit: int | None = None, names: list[str] | None = None, start: int = 0
) -> list[CorpusFile]:
    """Buggy and clean files from index `start`, `limit` of each (interleaved), or the named
    ones. Prompts were tuned on the first 10 of each: `start=10` gives held-out files."""
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    buggy = [
        CorpusFile(CORPUS / "buggy" / name, PlantedBug(**entry))
        for name, entry in sorted(manifest["buggy"].items())
    ]
    clean = [CorpusFile(CORPUS / "clean" / name, None) for name in sorted(manifest["clean"])]
    buggy, clean = buggy[start:], clean[start:]
    if limit is not None:
        buggy, clean = buggy[:limit], clean[:limit]
    files = [f for pair in zip(buggy, clean, strict=False) for f in pair]
    files += buggy[len(clean) :] + clean[len(buggy) :]
    if names:
        files = [f for f in files if any(n in f.name for n in names)]
    return files


def load_real(
    split: str | None = None, limit: int | None = None, names: list[str] | None = None
) -> list[CorpusFile]:
    """Pairs of `corpus_real/` (clean excerpt of a real module, and its copy with one planted
    bug) of one split (`tune` or `heldout`; None: both), buggy and clean interleaved."""
    manifest = json.loads((CORPUS_REAL / "manifest.json").read_text(encoding="utf-8"))
    files: list[CorpusFile] = []
    pairs = [p for p in manifest["pairs"] if split is None or p["split"] == split]
    for pair in pairs[:limit]:
        bug = pair["bug"]
        planted = PlantedBug(bug["line"], bug["kind"], bug["snippet"], bug["description"])
        files.append(CorpusFile(CORPUS_REAL / "buggy" / pair["file"], planted))
        files.append(CorpusFile(CORPUS_REAL / "clean" / pair["file"], None))
    if names:
        files = [f for f in files if any(n in f.name for n in names)]
    return files


@dataclass
class FileScore:
    """What one reviewer said about one file, and how that compares with the manifest."""

    name: str
    buggy: bool
    seconds: float
    lines: list[int]  # distinct 1-based lines with findings
    messages: list[str] = field(default_factory=list)
    found: bool = False  # the planted bug was found (buggy files only)
    extra: int = 0  # findings that are not the planted bug
    error: str | None = None
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    answers: list[str] = field(default_factory=list)  # raw model answers, for re-scoring


def score_file(
    item: CorpusFile,
    lines: list[int],
    seconds: float,
    messages: list[str] | None = None,
    error: str | None = None,
    usage: tuple[int, int, int] = (0, 0, 0),
    answers: list[str] | None = None,
) -> FileScore:
    distinct = sorted(set(lines))
    bug = item.bug
    near = [n for n in distinct if bug is not None and abs(n - bug.line) <= TOLERANCE]
    return FileScore(
        name=item.name,
        buggy=bug is not None,
        seconds=round(seconds, 2),
        lines=distinct,
        messages=messages or [],
        found=bool(near),
        extra=len(distinct) - len(near),
        error=error,
        input_tokens=usage[0],
        cached_tokens=usage[1],
        output_tokens=usage[2],
        answers=answers or [],
    )


@dataclass(frozen=True)
class Summary:
    label: str
    buggy_files: int
    clean_files: int
    found: int
    recall: float
    false_per_clean: float
    clean_flagged: float  # share of clean files with at least one finding
    extra_per_buggy: float
    seconds_per_file: float
    errors: int

    def row(self) -> str:
        return (
            f"| {self.label} | {self.found}/{self.buggy_files} ({self.recall:.0%}) "
            f"| {self.false_per_clean:.2f} | {self.clean_flagged:.0%} "
            f"| {self.extra_per_buggy:.2f} | {self.seconds_per_file:.1f} | {self.errors} |"
        )


TABLE_HEADER = (
    "| reviewer | recall (bug at line +-1) | false findings / clean file "
    "| clean files flagged | other findings / buggy file | s / file | errors |\n"
    "|---|---|---|---|---|---|---|"
)


def summarize(label: str, scores: list[FileScore]) -> Summary:
    buggy = [s for s in scores if s.buggy]
    clean = [s for s in scores if not s.buggy]
    found = sum(s.found for s in buggy)
    return Summary(
        label=label,
        buggy_files=len(buggy),
        clean_files=len(clean),
        found=found,
        recall=found / len(buggy) if buggy else 0.0,
        false_per_clean=sum(len(s.lines) for s in clean) / len(clean) if clean else 0.0,
        clean_flagged=sum(bool(s.lines) for s in clean) / len(clean) if clean else 0.0,
        extra_per_buggy=sum(s.extra for s in buggy) / len(buggy) if buggy else 0.0,
        seconds_per_file=statistics.fmean(s.seconds for s in scores) if scores else 0.0,
        errors=sum(s.error is not None for s in scores),
    )


def write_results(
    label: str, scores: list[FileScore], meta: dict[str, Any], path: Path | None = None
) -> Path:
    """Save the summary and every file's score as JSON under `results/`."""
    target = path or RESULTS / f"{label}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "label": label,
        "meta": meta,
        "summary": asdict(summarize(label, scores)),
        "files": [asdict(s) for s in scores],
    }
    target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return target


def load_summary(path: Path) -> Summary:
    return Summary(**json.loads(path.read_text(encoding="utf-8"))["summary"])
