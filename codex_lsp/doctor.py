"""`codex-lsp doctor`: what the server would use, and whether its backend answers.
`codex-lsp doctor --usage`: today's spend by feature and the cached share, from the spend file
every codex-lsp process on this machine shares (no model call, no network).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TextIO

from codex_lsp import __version__
from codex_lsp.backend import NoBackend, build_backend
from codex_lsp.engine.usage import (
    DaySpend,
    FeatureSpend,
    UnreadableSpend,
    read_spend,
    spend_file,
    written_before,
)
from codex_lsp.providers.base import ModelNotFoundError, ProviderError
from codex_lsp.providers.select import local_model_lines, retired_model_notes
from codex_lsp.settings import Environment, Settings, apply_layer, env_layer
from codex_lsp.trust import TrustStore, describe, display_url


async def run_doctor(out: TextIO, env: Environment | None = None) -> int:
    env = env or Environment.from_os()
    settings, problems = apply_layer(Settings(), env_layer())
    out.write(f"codex-lsp {__version__}\n")
    out.write(f"OPENAI_API_KEY: {'present' if env.api_key else 'missing'}\n")
    out.write(f"OPENAI_BASE_URL: {display_url(env.base_url) if env.base_url else '(not set)'}\n")
    trusted = TrustStore()
    allowed = ", ".join(describe(e.setting, e.value) for e in trusted.entries()) or "none"
    out.write(f"allowed from settings (codex-lsp trust): {allowed} ({trusted.path})\n")
    for problem in problems:
        out.write(problem.describe() + "\n")
    out.write("settings: " + json.dumps(settings.model_dump(by_alias=True), indent=2) + "\n")
    try:
        backend = build_backend(settings, env, notify=lambda _key, _level, text: None)
    except NoBackend as error:
        out.write(f"backend: none\n{error}\n")
        return 1
    choice, provider = backend.choice, backend.provider
    out.write(f"backend: {choice.kind} ({choice.reason})\n")
    out.write(f"models: {', '.join(choice.models)}\n")
    out.writelines(f"{note}\n" for note in retired_model_notes(choice.models))
    if choice.kind == "local":
        out.write(_local_models(settings))
    try:
        for model in choice.models:
            try:
                status = await provider.check(model)
            except ModelNotFoundError as error:
                out.write(f"check {model}: not available ({error})\n")
                continue
            except ProviderError as error:
                out.write(f"check {model}: FAILED: {error}\n")
                return 1
            out.write(f"check {model}: ok: {status}\nmodel in use: {model}\n")
            return 0
        out.write("no configured model is available: set codexLsp.model or fallbackModels\n")
        return 1
    finally:
        await backend.retire()


def _local_models(settings: Settings) -> str:
    """Which embedded model completes and which reviews, and what is missing or weak."""
    return "".join(f"{line}\n" for line in local_model_lines(settings))


def run_usage(out: TextIO, path: Path | None = None, day: str | None = None) -> int:
    """Print `day`'s (today's) spend from the spend file: 0, or 1 when it cannot be read."""
    path = path or spend_file()
    day = day or dt.date.today().isoformat()
    try:
        record = read_spend(path, day)
    except UnreadableSpend as error:
        if written_before(path, day):
            out.write(
                f"nothing spent today ({day}): {path} is unreadable ({error}), but it was last "
                "written before today; the next model call replaces it\n"
            )
            return 0
        out.write(
            f"today's spend ({day}) is unknown: {path} is unreadable ({error})\n"
            "fix or remove the file; until then a daily budget counts today's spend as "
            "unknown (spent)\n"
        )
        return 1
    if not record.cost_usd and not record.features:
        out.write(f"nothing spent today ({day}) ({path})\n")
        return 0
    out.write(f"today's spend ({day}), from {path}:\n{_usage_table(record)}")
    if record.problem is not None:
        out.write(f"the per-feature figures are unreadable ({record.problem})\n")
    if record.not_by_feature:
        out.write(
            "calls, tokens and the cached share count only the spend broken down by feature\n"
        )
    out.write("cached: the share of input tokens billed at the cached price\n")
    return 0


_NOT_BY_FEATURE = "not by feature"


def _usage_table(record: DaySpend) -> str:
    rows: list[tuple[str, FeatureSpend | None, float]] = [
        (name, spend, spend.cost_usd) for name, spend in sorted(record.features.items())
    ]
    if record.not_by_feature:
        rows.append((_NOT_BY_FEATURE, None, record.not_by_feature))
    rows.append(("total", record.by_feature() if record.features else None, record.cost_usd))
    width = max(len(name) for name, _, _ in [*rows, ("feature", None, 0.0)])
    lines = [f"  {'feature':<{width}}  {'calls':>7}  {'input tokens':>14}  {'cached':>6}  dollars"]
    for name, spend, dollars in rows:
        if spend is None:
            figures = f"{'':>7}  {'':>14}  {'':>6}"
        else:
            share = f"{round(spend.cached_ratio * 100)}%"
            figures = f"{spend.calls:>7,}  {spend.input_tokens:>14,}  {share:>6}"
        lines.append(f"  {name:<{width}}  {figures}  ${dollars:.4f}")
    return "\n".join(lines) + "\n"
