"""The benchmark's report: markdown tables, the issue's targets, and the README section."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from benchmarks.metrics import Figures

README = Path(__file__).parent / "README.md"
SECTION = "## Latest figures"

CACHED_TARGET = 0.85
COST_TARGET = 0.35
CALLS_PER_PAUSE_TARGET = 1.0


@dataclass(frozen=True)
class Context:
    session: str
    transitions: str
    timing: str
    wall_seconds: float
    quick: bool
    load_before: float  # 1-minute load average when the run started


def server_version(repo: Path = README.parent.parent) -> str:
    """The commit of codex_lsp/ that was measured, marked when it had local changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--", "codex_lsp"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} + local changes" if dirty else head


def machine_note(load_before: float) -> str:
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores "
        f"(load average {load_before:.1f} at the start), Python {platform.python_version()}"
    )


def _pct(value: float) -> str:
    return f"{value:.3f}"


def _avoided(figs: Figures) -> str:
    if not figs.avoided:
        return "0"
    return ", ".join(f"{name} {count}" for name, count in sorted(figs.avoided.items()))


def cost_ratio(figs: Figures, naive: Figures | None) -> float | None:
    if naive is None or not naive.usd_per_lsp_request:
        return None
    return figs.usd_per_lsp_request / naive.usd_per_lsp_request


def main_table(runs: list[tuple[Figures, Figures | None]]) -> str:
    """One row per (layout, regime); `naive` is the same regime's naive run."""
    lines = [
        "| Layout / regime (model) | Completion cached ratio (typing) | Overall cached ratio "
        "| $ per 100 completions | $ per LSP request | Cost vs naive (per LSP request) "
        "| Model calls per 100 keystrokes | Completion calls per pause (max) "
        "| Calls avoided (by cache) "
        "| Peak calls/min for one prefix and key (any key) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for figs, naive in runs:
        ratio = cost_ratio(figs, naive)
        lines.append(
            f"| {figs.label} | {_pct(figs.completion.cached_ratio)} "
            f"| {_pct(figs.overall.cached_ratio)} | {figs.usd_per_100_completions:.4f} "
            f"| {figs.usd_per_lsp_request:.6f} | {'' if ratio is None else f'{ratio:.3f}x'} "
            f"| {figs.calls_per_100_keystrokes:.2f} "
            f"| {figs.calls_per_pause:.2f} ({figs.max_calls_per_pause}) "
            f"| {_avoided(figs)} | {figs.peak_prefix_rpm} ({figs.peak_prefix_any_key_rpm}) |"
        )
    return "\n".join(lines)


def detail_table(all_figs: list[Figures]) -> str:
    lines = [
        "| Run | Keystrokes | Pauses | LSP requests | Model calls (completion / review / "
        "rewrite) | Completion streams cut short | Input tokens | Cached | Cache writes | Output "
        "| Total $ | Keystroke gap p99 / max (ms) | Seconds |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for figs in all_figs:
        per = "/".join(
            str(figs.by_schema[name].calls if name in figs.by_schema else 0)
            for name in ("completion", "review", "rewrite")
        )
        total = figs.overall
        lines.append(
            f"| {figs.label} | {figs.keystrokes} | {figs.pauses} | {figs.lsp_requests} | {per} "
            f"| {figs.cut_streams} | {total.input_tokens} | {total.cached_tokens} "
            f"| {total.write_tokens} | {total.output_tokens} | {total.cost_usd:.4f} "
            f"| {figs.key_gap_ms[0]:.0f} / {figs.key_gap_ms[1]:.0f} | {figs.seconds:.0f} |"
        )
    return "\n".join(lines)


def misses_table(all_figs: list[Figures]) -> str:
    lines = [
        "| Run | Uncached because the prompt changed | Lost to per-prefix overflow "
        "| First differing part between consecutive completion prompts |",
        "| --- | ---: | ---: | --- |",
    ]
    for figs in all_figs:
        ranked = sorted(figs.first_change.items(), key=lambda item: -item[1])[:4]
        parts = "; ".join(f"{label.replace('|', '/')}: {count}" for label, count in ranked)
        routing = _pct(figs.lost_to_routing) if "implicit" in figs.label else "n/a"
        lines.append(f"| {figs.label} | {_pct(figs.lost_to_changes)} | {routing} | {parts} |")
    return "\n".join(lines)


def targets(runs: list[tuple[Figures, Figures | None]]) -> list[tuple[str, bool, str]]:
    """(target, passed, measured) for the project's layout in each regime."""
    checks: list[tuple[str, bool, str]] = []
    for figs, naive in runs:
        if not figs.label.startswith("cache-aware"):
            continue
        regime = figs.label.split(" / ", 1)[1]
        ratio = cost_ratio(figs, naive)
        checks += [
            (
                f"completion cached ratio >= {CACHED_TARGET} while typing [{regime}]",
                figs.completion.cached_ratio >= CACHED_TARGET,
                _pct(figs.completion.cached_ratio),
            ),
            (
                f"cost <= {COST_TARGET}x naive per LSP request [{regime}]",
                ratio is not None and ratio <= COST_TARGET,
                "n/a" if ratio is None else f"{ratio:.3f}x",
            ),
            (
                f"<= {CALLS_PER_PAUSE_TARGET:g} model call per typing pause [{regime}]",
                figs.max_calls_per_pause <= CALLS_PER_PAUSE_TARGET,
                f"{figs.completion.calls} calls / {figs.pauses} pauses, at most "
                f"{figs.max_calls_per_pause} in one pause, {figs.calls_while_typing} while typing",
            ),
            (
                f"identical repeated request costs no call [{regime}]",
                figs.repeat_calls == 0,
                f"{figs.repeat_calls} call(s) for the repeat"
                + ("" if figs.repeat_same_answer else ", a different answer"),
            ),
        ]
    return checks


def targets_table(checks: list[tuple[str, bool, str]]) -> str:
    lines = ["| Target | Result | Measured |", "| --- | --- | --- |"]
    lines += [f"| {name} | {'PASS' if ok else 'FAIL'} | {got} |" for name, ok, got in checks]
    return "\n".join(lines)


def render(runs: list[tuple[Figures, Figures | None]], context: Context, notes: list[str]) -> str:
    all_figs = [figs for figs, _ in runs]
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    header = (
        f"{SECTION}\n\n"
        f"Run {when}, codex_lsp at `{server_version()}`, on {machine_note(context.load_before)}; "
        f"session `{context.session}`, {context.transitions}; "
        f"{context.timing}; wall time {context.wall_seconds:.0f} s"
        f"{' (--quick: partial, not comparable with full runs)' if context.quick else ''}.\n"
    )
    body = [
        header,
        main_table(runs),
        "\nTargets (issue 4, item 6), for the project's layout:\n",
        targets_table(targets(runs)),
        "\nPer run:\n",
        detail_table(all_figs),
        "\nWhere completion cache misses come from:\n",
        misses_table(all_figs),
    ]
    if notes:
        body += ["\nNotes:\n", "\n".join(f"- {note}" for note in notes)]
    return "\n".join(body) + "\n"


def write_readme(section: str, readme: Path = README) -> None:
    """Replace the README's "Latest figures" section (up to the next `## ` heading)."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    readme.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
