"""SARIF 2.1.0 for `codex-lsp check --format sarif`: the review's findings as static-analysis
results that code-scanning services (GitHub's among them) take in.

One run; one rule per finding code the model used (codes are the model's own short kebab-case
names, so the rules are the codes seen in this run); each result's level comes from the
finding's severity. Files under `root` (the git repository, or the current folder) are named
relative to it through the `%SRCROOT%` base, others by their absolute `file:` URI. Columns are
code points, as in the engine. Findings carry no `fixes`: a fix is a further model call
(`--fix`), not part of a finding.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from codex_lsp import __version__
from codex_lsp.engine.review import ReviewFinding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_ID = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
_RANK = {"note": 0, "warning": 1, "error": 2}

Reviewed = tuple[Path, Sequence[ReviewFinding]]  # an absolute file path and its findings


def sarif_log(
    reviewed: Sequence[Reviewed],
    root: Path,
    *,
    complete: bool = True,
    errors: Sequence[str] = (),
) -> dict[str, Any]:
    """The SARIF log of one check. `complete` is False when the check stopped early (the
    results are those found until then); `errors` are problems with single files."""
    indexes: dict[str, int] = {}  # rule index per code, in order of first use
    levels: dict[str, str] = {}  # a rule's default level: its most severe result's
    results = []
    for path, findings in reviewed:
        location = _artifact(path, root)
        for finding in findings:
            code, level = finding.code, LEVELS[finding.severity]
            index = indexes.setdefault(code, len(indexes))
            levels[code] = max(levels.get(code, level), level, key=_RANK.__getitem__)
            results.append(_result(finding, index, level, location))
    driver: dict[str, Any] = {"name": "codex-lsp", "version": __version__}
    if (uri := information_uri()) is not None:
        driver["informationUri"] = uri
    driver["rules"] = [_rule(code, levels[code]) for code in indexes]
    invocation: dict[str, Any] = {"executionSuccessful": complete and not errors}
    if errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": error}} for error in errors
        ]
    run = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "originalUriBaseIds": {ROOT_ID: {"uri": _folder_uri(root)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def information_uri() -> str | None:
    """The project's home page from the installed package's metadata, when it names one."""
    try:
        metadata = importlib.metadata.metadata("codex-lsp")
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in metadata.get_all("Project-URL") or []:
        label, _, url = str(entry).partition(",")
        if label.strip().lower() in {"homepage", "home", "source", "repository"} and url.strip():
            return url.strip()
    homes = [str(home) for home in metadata.get_all("Home-page") or [] if home]
    return homes[0] if homes else None


def _rule(code: str, level: str) -> dict[str, Any]:
    return {
        "id": code,
        "shortDescription": {"text": f"AI review: {code.replace('-', ' ')}"},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["ai-review"]},
    }


def _result(
    finding: ReviewFinding, rule_index: int, level: str, location: dict[str, str]
) -> dict[str, Any]:
    span = finding.span
    region = {
        "startLine": span.start.line + 1,
        "startColumn": span.start.character + 1,
        "endLine": span.end.line + 1,
        "endColumn": span.end.character + 1,
    }
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
    }


def _artifact(path: Path, root: Path) -> dict[str, str]:
    if path.is_relative_to(root):
        return {"uri": quote(path.relative_to(root).as_posix()), "uriBaseId": ROOT_ID}
    return {"uri": path.as_uri()}


def _folder_uri(folder: Path) -> str:
    uri = folder.as_uri()
    return uri if uri.endswith("/") else uri + "/"
