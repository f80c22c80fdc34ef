"""`codex-lsp check --format sarif`: a SARIF 2.1.0 log that code scanning takes in.

No schema is downloaded: `sarif_problems` checks what the SARIF 2.1.0 schema requires of the
parts codex-lsp writes (required properties, types, enums, minimums, references)."""

from __future__ import annotations

import argparse
import asyncio
import email.message
import importlib.metadata
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from codex_lsp import __version__, check, sarif
from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.calls import ModelCaller
from codex_lsp.engine.context import Position, Span
from codex_lsp.engine.review import ReviewFinding
from codex_lsp.providers.base import AuthenticationError, TextDelta, Usage
from codex_lsp.settings import Settings
from tests.unit.fakes import FakeProvider

URL = "https://example.invalid/codex-lsp"
information_uri_from_metadata = sarif.information_uri  # the real one; tests stub it below


def finding(line: int, start: int, end: int, severity: str, code: str) -> ReviewFinding:
    span = Span(Position(line, start), Position(line, end))
    return ReviewFinding(span, severity, code, f"{code} on line {line + 1}")  # type: ignore[arg-type]


def sarif_problems(log: Any) -> list[str]:
    """Where `log` breaks the SARIF 2.1.0 schema, for the properties codex-lsp uses."""
    problems: list[str] = []

    def need(ok: bool, where: str) -> None:
        if not ok:
            problems.append(where)

    def region_ok(region: Any) -> bool:
        keys = ("startLine", "startColumn", "endLine", "endColumn")
        return isinstance(region, dict) and all(
            isinstance(region.get(k), int) and region[k] >= 1 for k in keys
        )

    need(isinstance(log, dict) and log.get("version") == "2.1.0", "sarifLog.version")
    runs = log.get("runs") if isinstance(log, dict) else None
    need(isinstance(runs, list), "sarifLog.runs")
    for run in runs if isinstance(runs, list) else []:
        driver = run.get("tool", {}).get("driver")
        need(isinstance(driver, dict) and isinstance(driver.get("name"), str), "tool.driver.name")
        driver = driver if isinstance(driver, dict) else {}
        uri = driver.get("informationUri", "https://x")
        need(isinstance(uri, str) and "://" in uri, "driver.informationUri")
        rules = driver.get("rules", [])
        need(all(isinstance(r.get("id"), str) for r in rules), "reportingDescriptor.id")
        for rule in rules:
            level = rule.get("defaultConfiguration", {}).get("level", "warning")
            need(level in {"none", "note", "warning", "error"}, "defaultConfiguration.level")
        for base in run.get("originalUriBaseIds", {}).values():
            need(str(base.get("uri", "")).endswith("/"), "originalUriBaseIds uri ends in /")
        need(
            run.get("columnKind", "unicodeCodePoints") in {"utf16CodeUnits", "unicodeCodePoints"},
            "run.columnKind",
        )
        for invocation in run.get("invocations", []):
            need(isinstance(invocation.get("executionSuccessful"), bool), "executionSuccessful")
        for result in run.get("results", []):
            message = result.get("message")
            need(isinstance(message, dict) and isinstance(message.get("text"), str), "message")
            need(result.get("level") in {"none", "note", "warning", "error"}, "result.level")
            index = result.get("ruleIndex", -1)
            need(
                index == -1 or (0 <= index < len(rules) and rules[index]["id"] == result["ruleId"]),
                "result.ruleIndex points at its rule",
            )
            for location in result.get("locations", []):
                physical = location.get("physicalLocation", {})
                artifact = physical.get("artifactLocation")
                need(isinstance(artifact, dict) and "uri" in artifact, "artifactLocation.uri")
                base = (artifact or {}).get("uriBaseId")
                need(base is None or base in run.get("originalUriBaseIds", {}), "uriBaseId")
                need(region_ok(physical.get("region")), "physicalLocation.region")
    return problems


@pytest.fixture(autouse=True)
def information_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "information_uri", lambda: URL)


def test_a_log_with_findings_in_two_files(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    reviewed = [
        (
            root / "src" / "stock.py",
            [finding(1, 11, 21, "warning", "inverted-condition"), finding(5, 4, 9, "hint", "name")],
        ),
        (root / "a b.py", [finding(0, 0, 3, "error", "inverted-condition")]),
        (root / "clean.py", []),
    ]

    log = sarif.sarif_log(reviewed, root)

    def result(index: int, level: str, uri: str, line: int, start: int, end: int) -> Any:
        region = {"startLine": line, "startColumn": start, "endLine": line, "endColumn": end}
        location = {"uri": uri, "uriBaseId": "%SRCROOT%"}
        return {
            "ruleId": ["inverted-condition", "name"][index],
            "ruleIndex": index,
            "level": level,
            "message": {"text": f"{['inverted-condition', 'name'][index]} on line {line}"},
            "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
        }

    assert log == {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "codex-lsp",
                        "version": __version__,
                        "informationUri": URL,
                        "rules": [
                            {
                                "id": "inverted-condition",
                                "shortDescription": {"text": "AI review: inverted condition"},
                                "defaultConfiguration": {"level": "error"},  # its worst result
                                "properties": {"tags": ["ai-review"]},
                            },
                            {
                                "id": "name",
                                "shortDescription": {"text": "AI review: name"},
                                "defaultConfiguration": {"level": "note"},
                                "properties": {"tags": ["ai-review"]},
                            },
                        ],
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": [
                    result(0, "warning", "src/stock.py", 2, 12, 22),
                    result(1, "note", "src/stock.py", 6, 5, 10),
                    result(0, "error", "a%20b.py", 1, 1, 4),
                ],
            }
        ],
    }
    assert sarif_problems(log) == []


@pytest.mark.parametrize(
    ("severity", "level"),
    [("error", "error"), ("warning", "warning"), ("information", "note"), ("hint", "note")],
)
def test_levels_from_severities(tmp_path: Path, severity: str, level: str) -> None:
    log = sarif.sarif_log([(tmp_path / "a.py", [finding(0, 0, 1, severity, "c")])], tmp_path)
    assert log["runs"][0]["results"][0]["level"] == level
    assert sarif_problems(log) == []


def test_a_file_outside_the_root_is_named_by_its_absolute_uri(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "x.py"
    log = sarif.sarif_log([(elsewhere, [finding(0, 0, 1, "error", "c")])], tmp_path / "repo")
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": elsewhere.as_uri()}
    assert sarif_problems(log) == []


def test_a_check_that_stopped_early_or_could_not_read_a_file_says_so(tmp_path: Path) -> None:
    stopped = sarif.sarif_log([], tmp_path, complete=False)
    unreadable = sarif.sarif_log([], tmp_path, errors=["x.py: cannot read: denied"])

    assert stopped["runs"][0]["invocations"] == [{"executionSuccessful": False}]
    assert unreadable["runs"][0]["invocations"] == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": "x.py: cannot read: denied"}}
            ],
        }
    ]
    assert sarif_problems(stopped) == sarif_problems(unreadable) == []


def test_no_information_uri_when_the_package_names_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sarif, "information_uri", lambda: None)
    log = sarif.sarif_log([], tmp_path)
    assert "informationUri" not in log["runs"][0]["tool"]["driver"]
    assert sarif_problems(log) == []


@pytest.mark.parametrize(
    ("headers", "uri"),
    [
        (
            [
                ("Project-URL", "Documentation, https://d.invalid"),
                ("Project-URL", f"Homepage, {URL}"),
            ],
            URL,
        ),
        ([("Home-page", URL)], URL),
        ([("Project-URL", "Documentation, https://d.invalid")], None),
    ],
    ids=["project-url", "home-page", "none"],
)
def test_the_information_uri_comes_from_the_package_metadata(
    monkeypatch: pytest.MonkeyPatch, headers: list[tuple[str, str]], uri: str | None
) -> None:
    message = email.message.Message()
    for name, value in headers:
        message[name] = value
    monkeypatch.setattr(importlib.metadata, "metadata", lambda _name: message)
    assert information_uri_from_metadata() == uri


@pytest.mark.parametrize(
    "broken",
    [
        lambda log: log.pop("version"),
        lambda log: log["runs"][0]["tool"]["driver"].pop("name"),
        lambda log: log["runs"][0]["results"][0].update(level="fatal"),
        lambda log: log["runs"][0]["results"][0].update(ruleIndex=5),
        lambda log: log["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
            "region"
        ].update(startLine=0),
        lambda log: log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"].update(uri="file:///x"),
    ],
    ids=["no-version", "no-driver-name", "bad-level", "bad-rule-index", "line-0", "base-no-slash"],
)
def test_the_checker_catches_what_the_schema_refuses(tmp_path: Path, broken: Any) -> None:
    log = sarif.sarif_log([(tmp_path / "a.py", [finding(0, 0, 1, "error", "c")])], tmp_path)
    broken(log)
    assert sarif_problems(log) != []


def test_a_check_stopped_by_the_backend_still_reports_what_it_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CODEX_LSP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    for name in ("a.py", "b.py"):
        Path(name).write_text("def is_even(n):\n    return n % 2 == 1\n")
    answer = {
        "findings": [
            {
                "line": 2,
                "snippet": "n % 2 == 1",
                "severity": "error",
                "code": "inverted-condition",
                "message": "Odd.",
            }
        ]
    }
    provider = FakeProvider({})
    provider.queue(
        "gpt-5.4-mini",
        [TextDelta(json.dumps(answer)), Usage(10, 0, 0, 10)],
        [AuthenticationError("The backend rejected the API key (401).")],
    )
    settings = Settings(model="gpt-5.4-mini")
    caller = ModelCaller(
        provider, ["gpt-5.4-mini"], notify=lambda _k, _l, text: print(text, file=sys.stderr)
    )
    args = argparse.Namespace(
        paths=[Path("a.py"), Path("b.py")], diff=None, fix=False, yes=False, format="sarif"
    )
    out = io.StringIO()

    run = check._check_all(args, settings, Assistant(caller, settings), out, check.select(args, []))

    assert asyncio.run(run) == 2
    log = json.loads(out.getvalue())
    assert sarif_problems(log) == []
    [sarif_run] = log["runs"]
    assert sarif_run["invocations"] == [{"executionSuccessful": False}]
    assert [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif_run["results"]
    ] == ["a.py"]
    assert capsys.readouterr().err == "codex-lsp: The backend rejected the API key (401).\n"
