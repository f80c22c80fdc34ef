"""`codex-lsp doctor`: what the server would use, and whether its backend answers."""

from __future__ import annotations

import json
from typing import TextIO

from codex_lsp import __version__
from codex_lsp.backend import NoBackend, build_backend
from codex_lsp.providers.base import ModelNotFoundError, ProviderError
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
    from codex_lsp.providers.local import review_model  # the local extra may be missing

    if settings.local_model_path:
        return f"local model: {settings.local_model_path} (completions, reviews and fixes)\n"
    return (
        f"local models: {settings.local_model} (completions), "
        f"{review_model(settings)} (reviews and fixes)\n"
    )
