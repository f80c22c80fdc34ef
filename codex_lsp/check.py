"""`codex-lsp check PATH...`: the AI review as a command-line linter, through the same engine.

Findings print as `path:line:col: severity code message` while the model writes them, or as
one JSON array or SARIF log at the end. `--diff REV` reviews the files changed since a git
revision, each whole (the model needs the code around a change), and reports only findings on
the lines added or replaced since. `--fix` asks the model for a fix per finding, shows the
diff and, after confirmation (or with `--yes`), writes each fix where its code is in the file
as it is then. Model calls stop once today's spend, shared with the servers, reaches
`--budget-usd`. On a terminal, a status line on stderr says which file is being reviewed.
The exit status is in EPILOG, which `check --help` shows.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import io
import json
import math
import os
import re
import sys
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from codex_lsp.backend import NoBackend, build_backend
from codex_lsp.diff_lines import DiffError, changed_lines, repo_root
from codex_lsp.engine.assistant import Assistant, fix_region
from codex_lsp.engine.calls import ModelUnavailable
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.review import ReviewFinding
from codex_lsp.engine.secrets import is_excluded
from codex_lsp.engine.usage import Ledger, daily_spend
from codex_lsp.files import LineEdit, apply_line_edits, line_texts, relocate, replace_file
from codex_lsp.progress import Progress
from codex_lsp.sarif import sarif_log
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
_LONE_CR = re.compile(r"\r(?!\n)")

EPILOG = """\
exit status:
  0  no findings (with --diff: none on the lines changed since REV)
  1  findings were reported (also when --fix then fixed them)
  2  a usage error (a bad option, no path, --diff outside a git repository or with
     an unknown revision) or a failure: no backend, the backend rejected the key or
     has none of the models, --budget-usd reached, a file could not be read or its
     fixes written. Findings made before a failure are still reported.

--diff REV compares the working tree with REV, as `git diff REV` does: staged and
unstaged changes to tracked files count. Untracked files are not part of a diff
(`git add -N FILE` makes a new file count). Deleted, binary and renamed-only files
are skipped. The model still reads each changed file whole.

On a terminal, a status line on stderr shows the file being reviewed (and its part, for a
file too long for one prompt) and the time taken; it is cleared at the end, and never shown
when stderr is a pipe or a file.
"""


@dataclass(frozen=True)
class Target:
    """A file to review; `changed` holds its lines (1-based, split at "\\n" as git counts
    them) added or replaced since `--diff`'s revision, the only ones findings are kept on."""

    path: Path
    changed: frozenset[int] | None = None


@dataclass(frozen=True)
class Selection:
    targets: list[Target]
    root: Path | None = None  # the git repository's top folder, with --diff


@dataclass
class FileResult:
    path: Path
    findings: list[ReviewFinding]
    error: str | None = None
    text: str = ""  # the file as reviewed: fixes are computed on it, then found again in the file


class UsageError(Exception):
    """The command line asks for something `check` cannot do; the message says what."""


class BudgetSpent(Exception):
    """Today's budget is spent; the user has been told."""


class FixFailed(Exception):
    """A file's fixes could not be written; the message says which file and why."""


@dataclass(frozen=True)
class Budget:
    """`budgetUsdPerDay` against today's spend, which every codex-lsp process shares."""

    ledger: Ledger
    limit_usd: float | None
    say: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr))

    def check(self) -> None:
        """Raise BudgetSpent, after saying so, once today's spend has reached the limit."""
        if self.limit_usd is None:
            return
        spent = self.ledger.spent_today()
        if spent < self.limit_usd:
            return
        shown = "unknown: the spend file cannot be read" if math.isinf(spent) else _usd(spent)
        self.say(
            f"codex-lsp: today's budget of {_usd(self.limit_usd)} is spent ({shown}); "
            "stopping before the next model call. Raise --budget-usd to go on."
        )
        raise BudgetSpent


def _usd(dollars: float) -> str:
    return f"${dollars:.2f}" if dollars >= 1 else f"${dollars:.4f}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="files or folders to review (folders: their source files); with --diff, the "
        "changed files under these (default: the current folder)",
    )
    parser.add_argument(
        "--diff",
        metavar="REV",
        help="review only files changed since the git revision REV and report only findings "
        "on the lines added or replaced since (untracked files are not part of a diff)",
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="ask the model to fix each finding and show the diff (on stderr unless --format text)",
    )
    parser.add_argument("--yes", action="store_true", help="apply fixes without asking")
    parser.add_argument(
        "--format",
        choices=["text", "json", "sarif"],
        default="text",
        help="text: path:line:col lines as findings arrive (default); json: one array at the "
        "end; sarif: a SARIF 2.1.0 log at the end, for code scanning",
    )
    parser.add_argument(
        "--backend",
        choices=["auto", "openai", "openai-compatible", "local"],
        help="model backend (default: $CODEX_LSP_BACKEND, else auto: OpenAI when "
        "OPENAI_API_KEY or OPENAI_BASE_URL is set, else the embedded local model)",
    )
    parser.add_argument("--model", help="model to ask first (default: $CODEX_LSP_MODEL)")
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
            inside = path.resolve()
            found.extend(
                child
                for child in sorted(path.rglob("*"))
                if child.is_file()
                and _walked(child.relative_to(path))
                # A link out of the folder (a repository's `notes.py -> ~/.bash_history`) is
                # not the folder's file: neither sent to the model nor fixed.
                and child.resolve().is_relative_to(inside)
            )
        else:
            found.append(path)
    return [p for p in found if not is_excluded(p.resolve().as_uri(), exclude)]


def _walked(relative: Path) -> bool:
    """Whether a walk of a folder reviews the file at `relative` in it. Only folders inside
    the one given are skipped: a project may well live in a folder called `build`."""
    return relative.suffix in LANGUAGES and not (SKIP_DIRS & set(relative.parts[:-1]))


def select(args: argparse.Namespace, exclude: list[str]) -> Selection:
    """The files a check reviews. Raises UsageError or DiffError (both say why)."""
    if args.diff is None:
        if not args.paths:
            raise UsageError("name files or folders to review, or give --diff REV")
        return Selection([Target(path) for path in source_files(args.paths, exclude)])
    given = args.paths or [Path(".")]
    changes = changed_lines(args.diff, given)
    folders = [path.resolve() for path in given]
    targets = [
        Target(_relative(path), lines)
        for path, lines in sorted(changes.files.items())
        if _changed_source(path, folders, exclude)
    ]
    return Selection(targets, changes.root)


def _changed_source(path: Path, given: list[Path], exclude: list[str]) -> bool:
    """A changed file is reviewed when given by name, or found by walking a folder given."""
    if not path.is_file() or path.is_symlink() or is_excluded(path.as_uri(), exclude):
        return False  # a symlink's diff is its target's name, not the file it points to
    return any(
        path == folder or (path.is_relative_to(folder) and _walked(path.relative_to(folder)))
        for folder in given
    )


def _relative(path: Path) -> Path:
    """A path as a user in this folder would type it."""
    try:
        return Path(os.path.relpath(path))
    except ValueError:  # another drive
        return path


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
    assistant: Assistant,
    target: Target,
    show: Callable[[Path, ReviewFinding], None] | None = None,
    findings: list[ReviewFinding] | None = None,
    on_part: Callable[[int, int], None] | None = None,
    on_scan: Callable[[int, int], None] | None = None,
) -> FileResult:
    """The file's findings (on its changed lines only, when `target` says which), each added
    to `findings` and passed to `show` as the model writes it, so that those found before a
    failure are known. The model is shown the whole file either way."""
    path = target.path
    findings = [] if findings is None else findings
    try:
        snapshot = await asyncio.to_thread(_snapshot_of, path)
    except (OSError, UnicodeDecodeError) as error:
        return FileResult(path, [], f"{path}: cannot read: {error}")
    kept = None if target.changed is None else snapshot_lines(snapshot.text, target.changed)
    review = assistant.review(snapshot, [], explicit=True, on_part=on_part, on_scan=on_scan)
    async with aclosing(review) as stream:
        async for finding in stream:
            if kept is not None and not _touches(finding, kept):
                continue
            findings.append(finding)
            if show is not None:
                show(path, finding)
    return FileResult(path, findings, text=snapshot.text)


def snapshot_lines(text: str, changed: frozenset[int]) -> frozenset[int]:
    """Git's line numbers (1-based, lines end at "\\n") as the snapshot's (0-based; a lone
    "\\r" ends a line there too, as in LSP)."""
    if not _LONE_CR.search(text):
        return frozenset(line - 1 for line in changed)
    lines: set[int] = set()
    first = 0
    for number, piece in enumerate(text.split("\n"), 1):
        breaks = piece.removesuffix("\r").count("\r")
        if number in changed:
            lines.update(range(first, first + breaks + 1))
        first += breaks + 1
    return frozenset(lines)


def _touches(finding: ReviewFinding, lines: frozenset[int]) -> bool:
    return any(line in lines for line in range(finding.span.start.line, finding.span.end.line + 1))


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
    print(question, end="", file=sys.stderr, flush=True)  # stdout may carry the report
    return input().strip().lower() in {"y", "yes"}


async def run_check(
    args: argparse.Namespace, out: TextIO = sys.stdout, env: Environment | None = None
) -> int:
    progress = Progress(sys.stderr)
    settings = _settings(args)
    try:
        selection = await asyncio.to_thread(select, args, settings.excluded_globs())
    except (UsageError, DiffError) as error:
        print(f"codex-lsp check: {error}", file=sys.stderr)
        return 2
    ledger = Ledger(daily=daily_spend())  # the servers' daily budget sees what check spends
    try:
        backend = build_backend(
            settings,
            env or Environment.from_os(),
            notify=lambda _key, _level, text: progress.say(text),
            ledger=ledger,
            on_notice=progress.say,
        )
    except NoBackend as error:
        print(error, file=sys.stderr)
        return 2
    try:
        return await _check_all(args, settings, backend.assistant, out, selection, progress)
    finally:
        await backend.retire()


async def _check_all(
    args: argparse.Namespace,
    settings: Settings,
    assistant: Assistant,
    out: TextIO,
    selection: Selection,
    progress: Progress | None = None,
) -> int:
    progress = progress or Progress(sys.stderr)
    budget = Budget(assistant.caller.ledger, settings.budget_usd_per_day, progress.say)
    results: list[FileResult] = []
    show = _shower(out, progress) if args.format == "text" else None
    whole = await _review_all(assistant, selection.targets, results, show, budget, progress)
    await _report(args.format, results, out, selection.root, complete=whole)
    if not whole:
        return 2  # the user has been told why
    fix_out = out if args.format == "text" else sys.stderr  # stdout holds the report
    try:
        failed = await _fix_all(assistant, results, fix_out, args.yes, budget) if args.fix else 0
    except (ModelUnavailable, BudgetSpent):
        return 2
    if failed or any(r.error for r in results):
        return 2
    return 1 if any(r.findings for r in results) else 0


def _shower(out: TextIO, progress: Progress) -> Callable[[Path, ReviewFinding], None]:
    def show(path: Path, finding: ReviewFinding) -> None:
        progress.clear()  # stdout and stderr may share the terminal
        print(_format(path, finding), file=out, flush=True)

    return show


async def _review_all(
    assistant: Assistant,
    targets: list[Target],
    results: list[FileResult],
    show: Callable[[Path, ReviewFinding], None] | None,
    budget: Budget,
    progress: Progress,
) -> bool:
    """Review each target into `results`; False when the review stopped early (the user has
    been told why)."""
    try:
        async with progress.shown():
            for index, target in enumerate(targets, 1):
                where = f"reviewing {target.path} ({index}/{len(targets)})"
                progress.status(where)
                budget.check()
                found: list[ReviewFinding] = []

                def part(i: int, n: int, where: str = where) -> None:
                    progress.status(f"{where}, part {i}/{n}")

                def scanning(line: int, lines: int, where: str = where) -> None:
                    progress.status(f"{where}, scanning line {line}/{lines}")

                try:
                    result = await review_file(assistant, target, show, found, part, scanning)
                except ModelUnavailable:
                    results.append(FileResult(target.path, found))  # reported, not fixed
                    raise
                if result.error:
                    progress.say(result.error)
                results.append(result)
    except (ModelUnavailable, BudgetSpent):
        return False
    return True


async def _report(
    kind: str, results: list[FileResult], out: TextIO, root: Path | None, *, complete: bool
) -> None:
    """The findings as one JSON array or SARIF log; text was printed as they came."""
    if kind == "json":
        found = [_as_json(r.path, f) for r in results for f in r.findings]
        out.write(json.dumps(found, indent=2) + "\n")
    elif kind == "sarif":
        base = root if root is not None else await asyncio.to_thread(_sarif_root)
        reviewed = [(_absolute(r.path), r.findings) for r in results]
        errors = [r.error for r in results if r.error]
        log = sarif_log(reviewed, base, complete=complete, errors=errors)
        out.write(json.dumps(log, indent=2) + "\n")


def _sarif_root() -> Path:
    """What SARIF paths are relative to: the git repository here, else this folder."""
    try:
        return repo_root(Path.cwd())
    except DiffError:
        return Path.cwd().resolve()


def _absolute(path: Path) -> Path:
    """The path from the root with its folders' links resolved, the file itself as named."""
    full = path.absolute()
    return full.parent.resolve() / full.name


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
