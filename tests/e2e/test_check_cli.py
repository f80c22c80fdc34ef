"""`codex-lsp check` as a user runs it: a subprocess against the fake OpenAI server."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codex_lsp.engine.usage import cost_usd
from codex_lsp.providers.base import Usage
from codex_lsp.providers.cards import card_for
from tests.fake_openai import Answer, FakeOpenAI, Fault, approx_tokenize
from tests.unit.test_check_sarif import sarif_problems

BUGGY = """def is_even(n):
    return n % 2 == 1


def restock(stock, amount):
    return stock - amount
"""
FINDING = {
    "line": 2,
    "snippet": "n % 2 == 1",
    "severity": "error",
    "code": "inverted-condition",
    "message": "is_even returns True for odd numbers.",
}
FIX = {
    "rewrites": [{"replacement": "def is_even(n):\n    return n % 2 == 0\n\n", "explanation": ""}]
}


def _run(
    fake: FakeOpenAI, tmp_path: Path, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "OPENAI_API_KEY": "sk-test-check-0123456789",
        "OPENAI_BASE_URL": fake.base_url,
        "CODEX_LSP_CACHE_DIR": str(tmp_path / "cache"),
        # This checkout's codex_lsp, from any working folder.
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH")])
        ),
    }
    return subprocess.run(
        [sys.executable, "-m", "codex_lsp", "check", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )


@pytest.fixture
def buggy(tmp_path: Path) -> Path:
    path = tmp_path / "stock.py"
    path.write_text(BUGGY)
    return path


def test_findings_print_as_lint_lines_and_exit_1(
    fake: FakeOpenAI, tmp_path: Path, buggy: Path
) -> None:
    fake.script(Answer(json={"findings": [FINDING]}, match="review"))

    run = _run(fake, tmp_path, str(buggy))

    assert run.returncode == 1, run.stderr
    assert run.stdout == f"{buggy}:2:12: error inverted-condition {FINDING['message']}\n"


def test_clean_files_exit_0_and_json_format(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.script(Answer(json={"findings": []}, match="review", times=-1))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ok.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "src" / ".env").write_text("SECRET=1\n")  # excluded, never sent

    run = _run(fake, tmp_path, str(tmp_path / "src"), "--format", "json")

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []
    assert len(fake.requests) == 1


def test_fix_with_yes_applies_the_models_fix(fake: FakeOpenAI, tmp_path: Path, buggy: Path) -> None:
    fake.script(Answer(json={"findings": [FINDING]}, match="review"))
    fake.script(Answer(json=FIX, match="rewrite"))

    run = _run(fake, tmp_path, str(buggy), "--fix", "--yes")

    assert run.returncode == 1
    assert "-    return n % 2 == 1\n+    return n % 2 == 0" in run.stdout
    assert buggy.read_text() == BUGGY.replace("== 1", "== 0")


def test_fix_keeps_a_crlf_file_crlf(fake: FakeOpenAI, tmp_path: Path, buggy: Path) -> None:
    buggy.write_bytes(BUGGY.replace("\n", "\r\n").encode())
    fake.script(Answer(json={"findings": [FINDING]}, match="review"))
    fake.script(Answer(json=FIX, match="rewrite"))

    run = _run(fake, tmp_path, str(buggy), "--fix", "--yes")

    assert run.returncode == 1, run.stderr
    assert buggy.read_bytes() == BUGGY.replace("== 1", "== 0").replace("\n", "\r\n").encode()


def test_an_auth_failure_during_fixes_is_one_line_and_exit_2(
    fake: FakeOpenAI, tmp_path: Path, buggy: Path
) -> None:
    fake.script(Answer(json={"findings": [FINDING]}, match="review"))
    fake.script(Answer(fault=Fault.invalid_api_key(), match="rewrite"))

    run = _run(fake, tmp_path, str(buggy), "--fix", "--yes")

    assert run.returncode == 2
    assert run.stderr == (
        f"codex-lsp: The backend at {fake.base_url}/ rejected the API key (401). Set a valid "
        "OPENAI_API_KEY in the environment the editor starts codex-lsp from and restart it, or "
        "choose backend 'local'. No model calls until then.\n"
    )
    assert buggy.read_text() == BUGGY


def test_fix_without_a_terminal_or_yes_changes_nothing(
    fake: FakeOpenAI, tmp_path: Path, buggy: Path
) -> None:
    fake.script(Answer(json={"findings": [FINDING]}, match="review"))
    fake.script(Answer(json=FIX, match="rewrite"))

    run = _run(fake, tmp_path, str(buggy), "--fix")

    assert "--yes" in run.stderr
    assert buggy.read_text() == BUGGY


def test_errors_exit_2(fake: FakeOpenAI, tmp_path: Path) -> None:
    missing = _run(fake, tmp_path, str(tmp_path / "missing.py"))
    fake.unknown_models.update({"codex-mini-latest", "gpt-5.4-mini", "gpt-5.5"})
    (tmp_path / "a.py").write_text("x = 1\n")
    no_model = _run(fake, tmp_path, str(tmp_path / "a.py"))

    assert missing.returncode == 2 and "missing.py" in missing.stderr
    assert no_model.returncode == 2 and "none of the configured models" in no_model.stderr


def test_version_and_doctor_report_the_backend_without_the_key(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.unknown_models.add("codex-mini-latest")
    env = {
        **os.environ,
        "OPENAI_API_KEY": "sk-test-doctor-0123456789",
        "OPENAI_BASE_URL": fake.base_url,
        "CODEX_LSP_CACHE_DIR": str(tmp_path),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "codex_lsp", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    version = run("--version")
    doctor = run("doctor")

    assert version.returncode == 0 and version.stdout.startswith("codex-lsp ")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "OPENAI_API_KEY: present" in doctor.stdout
    assert "backend: openai (auto: OPENAI_API_KEY is set)" in doctor.stdout
    assert "check codex-mini-latest: not available" in doctor.stdout
    assert "model in use: gpt-5.4-mini" in doctor.stdout
    assert "sk-test-doctor" not in doctor.stdout + doctor.stderr


TODAY = dt.date.today().isoformat()


def _spent(tmp_path: Path, dollars: float) -> Path:
    """The daily spend file every codex-lsp process shares, holding `dollars` for today."""
    path = tmp_path / "cache" / "spend.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"day": TODAY, "cost_usd": dollars}))
    return path


def test_check_adds_what_it_spends_to_the_daily_file(
    fake: FakeOpenAI, tmp_path: Path, buggy: Path
) -> None:
    spend = _spent(tmp_path, 1.0)  # spent by an editor's server earlier today
    fake.script(Answer(json={"findings": [FINDING]}, match="review"))

    run = _run(fake, tmp_path, str(buggy))

    assert run.returncode == 1, run.stderr
    calls = [
        cost_usd(
            Usage(
                r.input_tokens,
                r.cached_tokens,
                r.cache_write_tokens,
                len(approx_tokenize(r.output_text)),
            ),
            card_for(r.model or ""),
        )
        for r in fake.requests
    ]
    assert len(calls) == 1 and calls[0] > 0
    request = fake.requests[0]
    assert json.loads(spend.read_text()) == {
        "day": TODAY,
        "cost_usd": pytest.approx(1.0 + calls[0]),
        "features": {  # the editor's earlier dollar is not broken down: only check's call is
            "diagnostics": {
                "calls": 1,
                "input_tokens": request.input_tokens,
                "cached_tokens": request.cached_tokens,
                "cost_usd": pytest.approx(calls[0]),
            }
        },
    }


def test_a_spent_budget_stops_check_before_any_model_call(
    fake: FakeOpenAI, tmp_path: Path, buggy: Path
) -> None:
    _spent(tmp_path, 5.0)

    run = _run(fake, tmp_path, str(buggy), "--budget-usd", "5")

    assert run.returncode == 2
    assert run.stderr == (
        "codex-lsp: today's budget of $5.00 is spent ($5.00); stopping before the next model "
        "call. Raise --budget-usd to go on.\n"
    )
    assert fake.requests == []


GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}
SIGN = {
    "line": 6,
    "snippet": "stock + amount * 2",
    "severity": "warning",
    "code": "double-count",
    "message": "Restocking adds the amount twice.",
}


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def test_diff_sarif_reports_only_findings_on_changed_lines(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "stock.py").write_text(BUGGY)
    (repo / "src" / "other.py").write_text("def add(a, b):\n    return a + b\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    changed = BUGGY.replace("stock - amount", "stock + amount * 2")
    (repo / "src" / "stock.py").write_text(changed)  # line 6 replaced, line 2 as committed
    (repo / "src" / "new.py").write_text("x = 1\n")  # untracked: not part of the diff
    fake.script(Answer(json={"findings": [FINDING, SIGN]}, match="review"))

    run = _run(fake, tmp_path, "--diff", "HEAD", "--format", "sarif", cwd=repo)

    assert run.returncode == 1, run.stderr
    assert run.stderr == ""  # not a terminal: no progress line
    log = json.loads(run.stdout)
    assert sarif_problems(log) == []
    [sarif_run] = log["runs"]
    assert sarif_run["results"] == [
        {
            "ruleId": "double-count",
            "ruleIndex": 0,
            "level": "warning",
            "message": {"text": SIGN["message"]},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "src/stock.py", "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": 6,
                            "startColumn": 12,
                            "endLine": 6,
                            "endColumn": 30,
                        },
                    }
                }
            ],
        }
    ]
    assert [rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]] == ["double-count"]
    assert sarif_run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
    [request] = fake.requests  # stock.py only: other.py is unchanged, new.py untracked
    assert "n % 2 == 1" in request.prompt_text  # the model read the whole file


def test_diff_text_from_a_subfolder_names_files_from_there(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "stock.py").write_text(BUGGY)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    (repo / "src" / "stock.py").write_text(BUGGY.replace("stock - amount", "stock + amount * 2"))
    fake.script(Answer(json={"findings": [FINDING, SIGN]}, match="review"))

    run = _run(fake, tmp_path, "--diff", "HEAD", cwd=repo / "src")

    assert run.returncode == 1, run.stderr
    assert run.stdout == f"stock.py:6:12: warning double-count {SIGN['message']}\n"


def test_diff_usage_errors_exit_2_before_any_model_call(fake: FakeOpenAI, tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "first")

    no_repo = _run(fake, tmp_path, "--diff", "HEAD", cwd=alone)
    no_rev = _run(fake, tmp_path, "--diff", "no-such-rev", cwd=repo)
    no_path = _run(fake, tmp_path, cwd=repo)
    bad_format = _run(fake, tmp_path, "--format", "xml", "a.py", cwd=repo)

    assert no_repo.returncode == 2
    assert no_repo.stderr.startswith("codex-lsp check: --diff needs a git repository: ")
    assert no_rev.returncode == 2
    assert no_rev.stderr == "codex-lsp check: --diff no-such-rev: bad revision 'no-such-rev'\n"
    assert no_path.returncode == 2
    assert no_path.stderr == (
        "codex-lsp check: name files or folders to review, or give --diff REV\n"
    )
    assert bad_format.returncode == 2 and "invalid choice: 'xml'" in bad_format.stderr
    assert fake.requests == []


def test_help_lists_every_option_and_the_exit_codes(fake: FakeOpenAI, tmp_path: Path) -> None:
    run = _run(fake, tmp_path, "--help")

    assert run.returncode == 0
    assert "--format {text,json,sarif}" in run.stdout
    assert "exit status:\n  0  no findings" in run.stdout
    assert "\n  1  findings were reported" in run.stdout
    assert "\n  2  a usage error" in run.stdout
    assert "Untracked files are not part of a diff" in run.stdout
    options = [line.split()[0] for line in run.stdout.splitlines() if line.startswith("  --")]
    assert len(options) == 8
    for option in options:  # each option's line, or the next, carries help text
        block = run.stdout.split(f"  {option}", 1)[1].split("\n  -", 1)[0]
        assert len(block.split()) > 3, option
