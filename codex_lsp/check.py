"""`codex-lsp check PATH...`: the AI review as a command-line linter, through the same engine.

Findings print as `path:line:col: severity code message` while the model writes them. `--fix`
asks the model for a fix per finding, shows the diff and, after confirmation (or with `--yes`),
writes each fix where its code is in the file as it is then. Model calls stop once today's
spend, shared with the servers, reaches `--budget-usd`. Exit status: 0 clean, 1 findings,
2 errors (no backend, unreadable or unwritable file, rejected key, budget spent, ...).
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import io
import json
import math
import sys
from contextlib import aclosing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from codex_lsp.backend import NoBackend, build_backend
from codex_lsp.engine.assistant import Assistant, fix_region
from codex_lsp.engine.calls import ModelUnavailable
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.review import ReviewFinding
from codex_lsp.engine.secrets import is_excluded
from codex_lsp.engine.usage import Ledger, daily_spend
from codex_lsp.files import LineEdit, apply_line_edits, line_texts, relocate, replace_file
from codex_lsp.settings import Environment, Settings, apply_layer, env_layer

LANGUAGES = {
    ".py": "python",
    ".js": "javascript",
    ".ts": "typescript",
    ".tsx": "typescriptreact",
    ".jsx": "javascriptreact",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".cc": "cpp",
    ".hpp": "cpp",
    ".rb": "ruby",
    ".php": "php",
    ".cs": "csharp",
    ".kt": "kotlin",
    ".swift": "swift",
    ".sh": "shellscript",
    ".lua": "lua",
    ".el": "emacs-lisp",
    ".sql": "sql",
    ".scala": "scala",
}
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache", "build"}


@dataclass
class FileResult:
    path: Path
    findings: list[ReviewFinding]
    error: str | None = None
    text: str = ""  # the file as reviewed: fixes are computed on it, then found again in the file


class BudgetSpent(Exception):
    """Today's budget is spent; the user has been told."""


class FixFailed(Exception):
    """A file's fixes could not be written; the message says which file and why."""


@dataclass(frozen=True)
class Budget:
    """`budgetUsdPerDay` against today's spend, which every codex-lsp process shares."""

    ledger: Ledger
    limit_usd: float | None

    def check(self) -> None:
        """Raise BudgetSpent, after saying so, once today's spend has reached the limit."""
        if self.limit_usd is None:
            return
        spent = self.ledger.spent_today()
        if spent < self.limit_usd:
            return
        shown = "unknown: the spend file cannot be read" if math.isinf(spent) else _usd(spent)
        print(
            f"codex-lsp: today's budget of {_usd(self.limit_usd)} is spent ({shown}); "
            "stopping before the next model call. Raise --budget-usd to go on.",
            file=sys.stderr,
        )
        raise BudgetSpent


def _usd(dollars: float) -> str:
    return f"${dollars:.2f}" if dollars >= 1 else f"${dollars:.4f}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, help="files or folders to review")
    parser.add_argument("--fix", action="store_true", help="ask the model to fix each finding")
    parser.add_argument("--yes", action="store_true", help="apply fixes without asking")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--backend", choices=["auto", "openai", "openai-compatible", "local"])
    parser.add_argument("--model", help="model to ask first")
    parser.add_argument(
        "--local-model",
        choices=["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"],
        help="embedded model for the local backend (default: the 1.5b when installed, "
        "it reviews markedly better; else the 0.5b)",
    )
    parser.add_argument(
        "--budget-usd",
        type=_dollars,
        metavar="DOLLARS",
        help="stop before the next model call once today's spend reaches this (the spend is "
        "shared with the editors' codex-lsp servers, as for codexLsp.budgetUsdPerDay)",
    )


def _dollars(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan  # refused below, with the same message
    if not 0 <= value < math.inf:
        raise argparse.ArgumentTypeError(f"expected an amount in dollars, got {text!r}")
    return value


def source_files(paths: list[Path], exclude: list[str]) -> list[Path]:
    """Files to review: given files as they are, folders walked for known source suffixes."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix in LANGUAGES
                    and not (SKIP_DIRS & set(child.parts))
                ):
                    found.append(child)
        else:
            found.append(path)
    return [p for p in found if not is_excluded(p.resolve().as_uri(), exclude)]


def _settings(args: argparse.Namespace) -> Settings:
    chosen = {
        "backend": args.backend,
        "model": args.model,
        "localModel": args.local_model,
        "budgetUsdPerDay": args.budget_usd,
    }
    overrides = {k: v for k, v in chosen.items() if v is not None}
    layer = {**env_layer(), **overrides}
    # Reviewing is all `check` does: a local model the user names is the one that reviews.
    # Otherwise `localReviewModel` (auto: the 1.5b when installed) does, as in the server.
    if "localModel" in layer and "localReviewModel" not in layer:
        layer["localReviewModel"] = layer["localModel"]
    settings, problems = apply_layer(Settings(), layer)
    for problem in problems:
        print(problem.describe(), file=sys.stderr)
    return settings


def _format(path: Path, finding: ReviewFinding) -> str:
    start = finding.span.start
    return (
        f"{path}:{start.line + 1}:{start.character + 1}: {finding.severity} "
        f"{finding.code} {finding.message}"
    )


def _as_json(path: Path, finding: ReviewFinding) -> dict[str, Any]:
    span = finding.span
    return {
        "path": str(path),
        "line": span.start.line + 1,
        "column": span.start.character + 1,
        "end_line": span.end.line + 1,
        "end_column": span.end.character + 1,
        "severity": finding.severity,
        "code": finding.code,
        "message": finding.message,
    }


def _snapshot_of(path: Path) -> Snapshot:
    text = path.read_bytes().decode("utf-8")  # line breaks as they are, to write them back
    return Snapshot(path.resolve().as_uri(), 0, text, LANGUAGES.get(path.suffix, ""))


async def review_file(
    assistant: Assistant, path: Path, out: TextIO, stream_text: bool
) -> FileResult:
    try:
        snapshot = await asyncio.to_thread(_snapshot_of, path)
    except (OSError, UnicodeDecodeError) as error:
        return FileResult(path, [], f"{path}: cannot read: {error}")
    findings: list[ReviewFinding] = []
    async with aclosing(assistant.review(snapshot, [], explicit=True)) as stream:
        async for finding in stream:
            findings.append(finding)
            if stream_text:
                print(_format(path, finding), file=out, flush=True)
    return FileResult(path, findings, text=snapshot.text)


async def fix_file(
    assistant: Assistant, result: FileResult, out: TextIO, assume_yes: bool, budget: Budget
) -> bool:
    """Ask for a fix per finding, show the diff, and write it after confirmation; True when
    written. Raises FixFailed when the file cannot be written."""
    edits = await propose_fixes(assistant, result, budget)
    fixed = apply_line_edits(result.text, edits)
    if fixed == result.text:
        print(f"{result.path}: no fix proposed", file=out)
        return False
    out.write(_diff(result.path, result.text, fixed))
    if not assume_yes and not _confirm(f"Apply these changes to {result.path}? [y/N] "):
        return False
    try:
        return await asyncio.to_thread(write_fixes, result, edits)
    except (OSError, UnicodeDecodeError) as error:
        raise FixFailed(f"{result.path}: fixes not written: {error}") from error


async def propose_fixes(assistant: Assistant, result: FileResult, budget: Budget) -> list[LineEdit]:
    """The model's fix per finding, bottom-up, each asked about the text with the fixes below
    it applied; in the reviewed file's line numbers, which a fix below a line leaves valid."""
    uri, language = result.path.resolve().as_uri(), LANGUAGES.get(result.path.suffix, "")
    snapshot = Snapshot(uri, 0, result.text, language)
    edits: list[LineEdit] = []
    for finding in sorted(result.findings, key=lambda f: f.span.start.line, reverse=True):
        region = fix_region(snapshot, finding.span)
        if edits and region.end.line >= edits[-1].first:
            continue  # overlaps a region already rewritten
        budget.check()
        edit = await assistant.rewrite(snapshot, region, f"Fix this problem: {finding.message}")
        if edit is None:
            continue
        old_lines = snapshot.lines[region.start.line : region.end.line + 1]
        edits.append(LineEdit(region.start.line, old_lines, edit.new_text))
        fixed = apply_line_edits(snapshot.normalized_text(), edits[-1:])
        snapshot = replace(snapshot, text=fixed)
    return edits


def write_fixes(result: FileResult, edits: list[LineEdit], attempts: int = 3) -> bool:
    """Write the fixes into the file as it is now; True when written. In a file changed since
    the review, each fix goes where its lines now are, once, or is skipped (said on stderr):
    nothing the user wrote meanwhile is lost."""
    for _ in range(attempts):
        current = result.path.read_bytes()
        text = current.decode("utf-8")
        placed = edits if text == result.text else _placed(result.path, edits, text)
        if not placed:
            return False
        fixed = apply_line_edits(text, placed).encode("utf-8")
        if replace_file(result.path, fixed, expected=current):
            return True
    raise FixFailed(f"{result.path}: fixes not written: the file kept changing")


def _placed(path: Path, edits: list[LineEdit], text: str) -> list[LineEdit]:
    placed, skipped = relocate(edits, line_texts(text))
    for edit, reason in skipped:
        print(
            f"{path}: changed since the review; the fix of {edit.describe()} is skipped: {reason}",
            file=sys.stderr,
        )
    return placed


def _diff(path: Path, before: str, after: str) -> str:
    old, new = (io.StringIO(text, newline=None).readlines() for text in (before, after))
    return "".join(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        print("not applied: no terminal to confirm on (use --yes)", file=sys.stderr)
        return False
    return input(question).strip().lower() in {"y", "yes"}


async def run_check(
    args: argparse.Namespace, out: TextIO = sys.stdout, env: Environment | None = None
) -> int:
    settings = _settings(args)
    ledger = Ledger(daily=daily_spend())  # the servers' daily budget sees what check spends
    try:
        backend = build_backend(
            settings,
            env or Environment.from_os(),
            notify=lambda _key, _level, text: print(text, file=sys.stderr),
            ledger=ledger,
            on_notice=lambda text: print(text, file=sys.stderr),
        )
    except NoBackend as error:
        print(error, file=sys.stderr)
        return 2
    try:
        return await _check_all(args, settings, backend.assistant, out)
    finally:
        await backend.retire()


async def _check_all(
    args: argparse.Namespace, settings: Settings, assistant: Assistant, out: TextIO
) -> int:
    ledger = assistant.caller.ledger
    budget = Budget(ledger, settings.budget_usd_per_day)
    try:
        results = await _review_all(
            assistant, source_files(args.paths, settings.excluded_globs()), args, out, budget
        )
        failed = await _fix_all(assistant, results, out, args.yes, budget) if args.fix else 0
    except (ModelUnavailable, BudgetSpent):
        return 2  # the user has been told why
    if failed or any(r.error for r in results):
        return 2
    return 1 if any(r.findings for r in results) else 0


async def _review_all(
    assistant: Assistant, paths: list[Path], args: argparse.Namespace, out: TextIO, budget: Budget
) -> list[FileResult]:
    results: list[FileResult] = []
    for path in paths:
        budget.check()
        result = await review_file(assistant, path, out, args.format == "text")
        if result.error:
            print(result.error, file=sys.stderr)
        results.append(result)
    if args.format == "json":
        found = [_as_json(r.path, f) for r in results for f in r.findings]
        out.write(json.dumps(found, indent=2) + "\n")
    return results


async def _fix_all(
    assistant: Assistant, results: list[FileResult], out: TextIO, assume_yes: bool, budget: Budget
) -> int:
    """Fix each file with findings; the number whose fixes could not be written."""
    failed = 0
    for result in results:
        if not result.findings:
            continue
        try:
            await fix_file(assistant, result, out, assume_yes, budget)
        except FixFailed as error:
            print(error, file=sys.stderr)
            failed += 1
    return failed
