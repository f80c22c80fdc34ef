"""What both OpenAI-wire providers share: the SDK client and reading usage objects."""

from __future__ import annotations

import importlib
from typing import Any

import openai

from codex_lsp.providers.base import ProviderConfig, Usage

# The SDK imports these on its first request (about 0.15 s, on the event loop, in the middle of
# the user's first completion); importing them with this module moves that to start-up.
_FIRST_REQUEST_MODULES = (
    "anyio._backends._asyncio",
    "h11",
    "openai.resources.responses",
    "openai.lib.streaming.responses",
    "openai.resources.chat",
    "openai.lib.streaming.chat",
    "openai.pagination",
)
for _module in _FIRST_REQUEST_MODULES:
    importlib.import_module(_module)


def make_client(
    config: ProviderConfig, placeholder_key: str, http_client: Any = None
) -> openai.AsyncOpenAI:
    """The SDK needs some key even for servers that ignore it; a placeholder never leaks one.
    The HTTP client is made here, when the backend is built, not lazily at the first request:
    loading the TLS context takes tens of milliseconds."""
    client = http_client or openai.DefaultAsyncHttpxClient(timeout=config.timeout_s)
    return openai.AsyncOpenAI(
        api_key=config.api_key or placeholder_key,
        base_url=config.base_url,
        timeout=config.timeout_s,
        max_retries=config.max_retries,
        default_headers=dict(config.extra_headers),
        http_client=client,
    )


def read_usage(usage: Any, model: str, *, chat: bool) -> Usage:
    """Responses and Chat name the same counts differently; both report cached tokens."""
    prefix_in, prefix_out = ("prompt", "completion") if chat else ("input", "output")
    details = getattr(usage, f"{prefix_in}_tokens_details", None)
    out_details = getattr(usage, f"{prefix_out}_tokens_details", None)
    return Usage(
        input_tokens=getattr(usage, f"{prefix_in}_tokens", 0) or 0,
        cached_tokens=getattr(details, "cached_tokens", 0) or 0,
        cache_write_tokens=getattr(details, "cache_write_tokens", 0) or 0,
        output_tokens=getattr(usage, f"{prefix_out}_tokens", 0) or 0,
        reasoning_tokens=getattr(out_details, "reasoning_tokens", 0) or 0,
        model=model,
    )
