"""Chat Completions provider for OpenAI-compatible servers (vLLM, llama.cpp, Ollama, LiteLLM).

Structured output through `response_format` json_schema; usage arrives in a final chunk because
`stream_options.include_usage` is set. The prompt parts are joined into one user message in
cache order, so llama.cpp's slot cache and vLLM's prefix cache reuse the stable part.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

import openai

from codex_lsp.providers.base import ModelRequest, ProviderConfig, StreamEvent, TextDelta, Usage
from codex_lsp.providers.errors import map_sdk_error
from codex_lsp.providers.openai_client import field, make_client, post_events, read_usage
from codex_lsp.trust import display_url


def build_params(request: ModelRequest, model: str) -> dict[str, Any]:
    return {
        "model": model,
        "messages": [
            {"role": "system", "content": request.instructions},
            {"role": "user", "content": request.prompt_text()},
        ],
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": request.schema_name,
                "schema": request.json_schema,
                "strict": True,
            },
        },
        "max_tokens": request.max_output_tokens,
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0,
    }


def usage_from_chunk(chunk: object, model: str) -> Usage:
    """The usage of the final chunk, under the model that answered."""
    return read_usage(field(chunk, "usage"), field(chunk, "model") or model, chat=True)


def chunk_text(chunk: object) -> str:
    """The text a chunk adds, over its choices (servers send one; some send none)."""
    choices = field(chunk, "choices")
    if not isinstance(choices, list):
        return ""
    texts = (field(field(choice, "delta"), "content") for choice in choices)
    return "".join(text for text in texts if isinstance(text, str))


class ChatProvider:
    name = "openai-compatible"
    finish_cut_streams = True

    def __init__(self, config: ProviderConfig, http_client: Any = None) -> None:
        self._client = make_client(config, placeholder_key="not-needed", http_client=http_client)
        self.base_url = str(self._client.base_url)
        self._key = config.api_key  # cut from a backend's words that quote it back

    async def stream(self, request: ModelRequest, model: str) -> AsyncGenerator[StreamEvent, None]:
        try:
            body = build_params(request, model)
            stream = await post_events(self._client, "/chat/completions", body)
            async with stream:
                async for chunk in stream:
                    if text := chunk_text(chunk):
                        yield TextDelta(text)
                    if field(chunk, "usage") is not None:
                        yield usage_from_chunk(chunk, model)
        except (openai.OpenAIError, json.JSONDecodeError) as error:
            raise map_sdk_error(error, model, self.base_url, self._key) from error

    async def check(self, model: str) -> str:
        try:
            models = await self._client.models.list()
        except openai.OpenAIError as error:
            raise map_sdk_error(error, model, self.base_url, self._key) from error
        names = [m.id for m in models.data][:5]
        return f"{display_url(self.base_url)} answers; models: {', '.join(names) or 'none listed'}"

    async def aclose(self) -> None:
        await self._client.close()
