"""`codex-lsp check PATH...`: the AI review as a command-line linter, through the same engine.

Findings print as `path:line:col: severity code message` while the model writes them. `--fix`
asks the model for a fix per finding, shows the diff and applies it after confirmation (or
with `--yes`). Exit status: 0 clean, 1 findings, 2 errors (no backend, unreadable file, ...).
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import sys
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from codex_lsp.engine.assistant import Assistant, fix_region
from codex_lsp.engine.calls import ModelCaller, ModelUnavailable
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.review import ReviewFinding
from codex_lsp.engine.secrets import is_excluded
from codex_lsp.providers.base import Provider
from codex_lsp.providers.select import NoBackend, build_provider, choose_backend
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
    chosen = {"backend": args.backend, "model": args.model, "localModel": args.local_model}
    overrides = {k: v for k, v in chosen.items() if v}
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
    text = path.read_text(encoding="utf-8")
    return Snapshot(path.resolve().as_uri(), 0, text, LANGUAGES.get(path.suffix, ""))


async def review_file(
    assistant: Assistant, path: Path, out: TextIO, stream_text: bool
) -> FileResult:
    try:
        snapshot = await asyncio.to_thread(_snapshot_of, path)
    except (OSError, UnicodeDecodeError) as error:
        return FileResult(path, [], f"{path}: cannot read: {error}")
    findings: list[ReviewFinding] = []
    async with aclosing(assistant.review(snapshot, [])) as stream:
        async for finding in stream:
            findings.append(finding)
            if stream_text:
                print(_format(path, finding), file=out, flush=True)
    return FileResult(path, findings)


async def fix_file(assistant: Assistant, result: FileResult, out: TextIO, assume_yes: bool) -> bool:
    """Fix findings bottom-up so earlier line numbers stay valid; True when applied."""
    first = await asyncio.to_thread(_snapshot_of, result.path)
    original = first.text
    text, fixed_from = original, None
    for finding in sorted(result.findings, key=lambda f: f.span.start.line, reverse=True):
        snapshot = Snapshot(first.uri, 0, text, first.language_id)
        region = fix_region(snapshot, finding.span)
        if fixed_from is not None and region.end.line >= fixed_from:
            continue  # overlaps a region already rewritten
        edit = await assistant.rewrite(snapshot, region, f"Fix this problem: {finding.message}")
        if edit is None:
            continue
        normalized = snapshot.normalized_text()
        text = (
            normalized[: snapshot.offset(edit.span.start)]
            + edit.new_text
            + normalized[snapshot.offset(edit.span.end) :]
        )
        fixed_from = region.start.line
    if text == original.replace("\r\n", "\n"):
        print(f"{result.path}: no fix proposed", file=out)
        return False
    diff = difflib.unified_diff(
        original.splitlines(keepends=True),
        text.splitlines(keepends=True),
        f"a/{result.path}",
        f"b/{result.path}",
    )
    out.write("".join(diff))
    if not assume_yes and not _confirm(f"Apply these changes to {result.path}? [y/N] "):
        return False
    await asyncio.to_thread(result.path.write_text, text, encoding="utf-8")
    return True


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        print("not applied: no terminal to confirm on (use --yes)", file=sys.stderr)
        return False
    return input(question).strip().lower() in {"y", "yes"}


async def run_check(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    settings = _settings(args)
    env = Environment.from_os()
    try:
        choice = choose_backend(settings, env)
    except NoBackend as error:
        print(error, file=sys.stderr)
        return 2
    provider = build_provider(
        choice, settings, env, on_notice=lambda text: print(text, file=sys.stderr)
    )
    try:
        return await _check_all(args, settings, choice.models, provider, out)
    finally:
        await provider.aclose()


async def _check_all(
    args: argparse.Namespace,
    settings: Settings,
    models: list[str],
    provider: Provider,
    out: TextIO,
) -> int:
    caller = ModelCaller(
        provider,
        models,
        prices=settings.prices,
        notify=lambda _key, _level, text: print(text, file=sys.stderr),
    )
    assistant = Assistant(caller, settings)
    results: list[FileResult] = []
    errors = 0
    for path in source_files(args.paths, settings.excluded_globs()):
        try:
            result = await review_file(assistant, path, out, args.format == "text")
        except ModelUnavailable:
            return 2
        if result.error:
            print(result.error, file=sys.stderr)
            errors += 1
        results.append(result)
    if args.format == "json":
        found = [_as_json(r.path, f) for r in results for f in r.findings]
        out.write(json.dumps(found, indent=2) + "\n")
    if args.fix:
        for result in results:
            if result.findings:
                await fix_file(assistant, result, out, args.yes)
    if errors:
        return 2
    return 1 if any(r.findings for r in results) else 0
