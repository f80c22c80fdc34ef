"""OpenAI Responses API provider: strict json_schema output, streamed, with cache hints.

codex-mini-latest and the gpt-5.6 family are Responses-only. Prompt parts become `input_text`
content blocks in cache order; on explicit-regime models the block that ends the stable prefix
carries a `prompt_cache_breakpoint`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator
from typing import Any

import openai

from codex_lsp.providers.base import (
    ModelRequest,
    ProviderConfig,
    ProviderError,
    StreamEvent,
    TextDelta,
    Usage,
)
from codex_lsp.providers.cards import card_for
from codex_lsp.providers.errors import map_sdk_error, stream_failure
from codex_lsp.providers.openai_client import field, make_client, post_events, read_usage
from codex_lsp.trust import display_url

log = logging.getLogger(__name__)


def build_params(request: ModelRequest, model: str) -> dict[str, Any]:
    """The request body, separated from I/O so tests can check the layout exactly."""
    card = card_for(model)
    explicit = card.cache_regime == "explicit"
    content: list[dict[str, Any]] = []
    for part in request.parts:
        block: dict[str, Any] = {"type": "input_text", "text": part.text}
        if explicit and part.breakpoint:
            block["prompt_cache_breakpoint"] = {"mode": "explicit", "ttl": "30m"}
        content.append(block)
    params: dict[str, Any] = {
        "model": model,
        "instructions": request.instructions,
        "input": [{"role": "user", "content": content}],
        "text": {
            "format": {
                "type": "json_schema",
                "name": request.schema_name,
                "schema": request.json_schema,
                "strict": True,
            }
        },
        "max_output_tokens": request.max_output_tokens,
        "stream": True,
        "store": False,
    }
    if request.prompt_cache_key:
        params["prompt_cache_key"] = request.prompt_cache_key
    if card.reasoning and request.reasoning_effort:
        params["reasoning"] = {"effort": request.reasoning_effort}
    if explicit:
        # Only our breakpoints: the implicit one would sit after the ever-changing task and
        # bill a cache write (above the input price) for a prefix no request will reuse.
        params["prompt_cache_options"] = {"mode": "explicit", "ttl": "30m"}
    return params


def usage_from_response(response: object, model: str) -> Usage:
    """The usage of a `response.completed` event's response, under the model that answered."""
    return read_usage(field(response, "usage"), field(response, "model") or model, chat=False)


class ResponsesProvider:
    name = "openai"
    finish_cut_streams = True

    def __init__(self, config: ProviderConfig) -> None:
        self._client = make_client(config, placeholder_key="missing-key")
        self.base_url = str(self._client.base_url)
        self._key = config.api_key  # cut from a backend's words that quote it back

    async def stream(self, request: ModelRequest, model: str) -> AsyncGenerator[StreamEvent, None]:
        try:
            stream = await post_events(self._client, "/responses", build_params(request, model))
            async with stream:
                async for event in stream:
                    kind = field(event, "type")
                    if kind == "response.output_text.delta":
                        if text := _text(field(event, "delta")):
                            yield TextDelta(text)
                    elif kind == "response.completed":
                        yield usage_from_response(field(event, "response"), model)
                    elif kind in ("response.failed", "error", "response.incomplete"):
                        raise _failure(event, self._key)
        except (openai.OpenAIError, json.JSONDecodeError) as error:
            raise map_sdk_error(error, model, self.base_url, self._key) from error

    async def check(self, model: str) -> str:
        try:
            found = await self._client.models.retrieve(model)
        except openai.OpenAIError as error:
            raise map_sdk_error(error, model, self.base_url, self._key) from error
        return f"{display_url(self.base_url)} serves {found.id}"

    async def aclose(self) -> None:
        await self._client.close()


def _text(delta: object) -> str:
    """A delta's text; a server that sends something else has sent no text."""
    return delta if isinstance(delta, str) else ""


def _failure(event: object, key: str | None = None) -> ProviderError:
    """An `error` event or `response.failed` is the backend's fault unless its code says
    otherwise; `response.incomplete` (out of output tokens, filtered) is the answer's."""
    if field(event, "type") == "error":
        message = field(event, "message") or "unknown error"
        return stream_failure(field(event, "code"), str(message), key)
    response = field(event, "response")
    error = field(response, "error")
    if error is not None:
        return stream_failure(field(error, "code"), str(field(error, "message") or error), key)
    reason = field(field(response, "incomplete_details"), "reason") or "incomplete"
    return ProviderError(f"The model stopped early: {reason}")
