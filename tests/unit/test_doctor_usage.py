"""`codex-lsp doctor --usage`: today's spend by feature and the cached share, read from the spend
file every codex-lsp process shares; a missing, empty or broken file gets a sentence, not a
traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codex_lsp.doctor import run_usage

DAY = "2025-06-01"


def usage(path: Path, day: str = DAY) -> tuple[int, str]:
    out = io.StringIO()
    status = run_usage(out, path, day)
    return status, out.getvalue()


def spend(path: Path, record: object) -> Path:
    path.write_text(json.dumps(record))
    return path


def test_a_day_by_feature_with_the_cached_share_of_input_tokens(tmp_path: Path) -> None:
    path = spend(
        tmp_path / "spend.json",
        {
            "day": DAY,
            "cost_usd": 0.4213,
            "features": {
                "diagnostics": {
                    "calls": 8,
                    "input_tokens": 40_000,
                    "cached_tokens": 34_000,
                    "cost_usd": 0.09,
                },
                "completion": {
                    "calls": 1_200,
                    "input_tokens": 9_000_000,
                    "cached_tokens": 8_200_000,
                    "cost_usd": 0.31,
                },
                "code_action": {
                    "calls": 2,
                    "input_tokens": 5_000,
                    "cached_tokens": 3_500,
                    "cost_usd": 0.0213,
                },
            },
        },
    )
    assert usage(path) == (
        0,
        f"today's spend ({DAY}), from {path}:\n"
        "  feature        calls    input tokens  cached  dollars\n"
        "  code_action        2           5,000     70%  $0.0213\n"
        "  completion     1,200       9,000,000     91%  $0.3100\n"
        "  diagnostics        8          40,000     85%  $0.0900\n"
        # 8_237_500 / 9_045_000 of the input tokens, whatever each feature's share
        "  total          1,210       9,045,000     91%  $0.4213\n"
        "cached: the share of input tokens billed at the cached price\n",
    )


def test_spend_from_before_the_breakdown_shows_as_not_by_feature(tmp_path: Path) -> None:
    path = spend(
        tmp_path / "spend.json",
        {
            "day": DAY,
            "cost_usd": 1.25,
            "features": {
                "completion": {
                    "calls": 4,
                    "input_tokens": 1_000,
                    "cached_tokens": 0,
                    "cost_usd": 0.25,
                }
            },
        },
    )
    assert usage(path) == (
        0,
        f"today's spend ({DAY}), from {path}:\n"
        "  feature           calls    input tokens  cached  dollars\n"
        "  completion            4           1,000      0%  $0.2500\n"
        "  not by feature                                   $1.0000\n"
        "  total                 4           1,000      0%  $1.2500\n"
        "calls, tokens and the cached share count only the spend broken down by feature\n"
        "cached: the share of input tokens billed at the cached price\n",
    )


def test_a_file_with_only_a_total_says_so(tmp_path: Path) -> None:
    path = spend(tmp_path / "spend.json", {"day": DAY, "cost_usd": 0.5, "features": [1]})
    assert usage(path) == (
        0,
        f"today's spend ({DAY}), from {path}:\n"
        "  feature           calls    input tokens  cached  dollars\n"
        "  not by feature                                   $0.5000\n"
        "  total                                            $0.5000\n"
        "the per-feature figures are unreadable (features is not an object)\n"
        "calls, tokens and the cached share count only the spend broken down by feature\n"
        "cached: the share of input tokens billed at the cached price\n",
    )


@pytest.mark.parametrize(
    "record",
    [None, {"day": "2025-05-31", "cost_usd": 9.0}, {"day": DAY, "cost_usd": 0}],
    ids=["no-file", "yesterdays-file", "nothing-yet-today"],
)
def test_nothing_spent_today(tmp_path: Path, record: object) -> None:
    path = tmp_path / "spend.json"
    if record is not None:
        spend(path, record)
    assert usage(path) == (0, f"nothing spent today ({DAY}) ({path})\n")


def test_a_cache_folder_that_is_a_file_reads_as_no_spend(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    assert usage(blocker / "spend.json")[0] == 0


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        '{"day": "',
        "[1, 2]",
        '{"day": "TODAY", "cost_usd": "sk-proj-0123456789abcdefghijklmn"}',
        b"\xff\xfe",
    ],
    ids=["empty", "not-json", "cut-short", "not-an-object", "total-not-dollars", "not-utf8"],
)
def test_a_corrupt_file_is_said_to_be_unreadable(tmp_path: Path, content: str | bytes) -> None:
    path = tmp_path / "spend.json"
    today = time.strftime("%Y-%m-%d")  # a broken file written today is today's problem
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content.replace("TODAY", today))
    status, text = usage(path, day=today)
    assert status == 1
    assert text.startswith("today's spend (") and f"is unknown: {path} is unreadable (" in text
    fix = "fix or remove the file; until then a daily budget counts today's spend as unknown"
    assert text.endswith(fix + " (spent)\n")
    assert "sk-proj" not in text


def test_a_folder_in_place_of_the_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "spend.json"
    path.mkdir()
    status, text = usage(path, day=time.strftime("%Y-%m-%d"))
    assert status == 1 and "is unreadable" in text


def test_a_corrupt_file_from_before_today_is_no_spend_today(tmp_path: Path) -> None:
    path = tmp_path / "spend.json"
    path.write_text("not json")
    long_ago = time.time() - 3 * 86_400
    os.utime(path, (long_ago, long_ago))
    status, text = usage(path, day=time.strftime("%Y-%m-%d"))
    assert status == 0
    assert text.startswith("nothing spent today (") and "the next model call replaces it" in text


def test_the_command_reads_the_shared_file_and_never_shows_the_key(tmp_path: Path) -> None:
    today = time.strftime("%Y-%m-%d")
    features = {"completion": {"calls": 3, "input_tokens": 10, "cached_tokens": 5, "cost_usd": 1}}
    spend(tmp_path / "spend.json", {"day": today, "cost_usd": 1.0, "features": features})
    env = {
        **os.environ,
        "CODEX_LSP_CACHE_DIR": str(tmp_path),
        "OPENAI_API_KEY": "sk-test-doctor-usage-0123456789",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",  # nothing listens: no call is made
    }
    done = subprocess.run(
        [sys.executable, "-m", "codex_lsp", "doctor", "--usage"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "  completion        3              10     50%  $1.0000\n" in done.stdout
    assert "sk-test" not in done.stdout + done.stderr


def test_the_command_rejects_an_unknown_option_with_a_usage_message() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "codex_lsp", "doctor", "--usage", "--today"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unrecognized arguments: --today" in done.stderr
