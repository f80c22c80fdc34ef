"""What both OpenAI-wire providers share: the SDK client and reading usage objects."""

from __future__ import annotations

from typing import Any

import openai

from codex_lsp.providers.base import ProviderConfig, Usage


def make_client(
    config: ProviderConfig, placeholder_key: str, http_client: Any = None
) -> openai.AsyncOpenAI:
    """The SDK needs some key even for servers that ignore it; a placeholder never leaks one."""
    extra = {} if http_client is None else {"http_client": http_client}
    return openai.AsyncOpenAI(
        api_key=config.api_key or placeholder_key,
        base_url=config.base_url,
        timeout=config.timeout_s,
        max_retries=config.max_retries,
        **extra,
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
