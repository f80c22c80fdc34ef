"""A hosted API's connection outlives a pause: the next call after half a minute of reading
reuses it instead of paying a new TCP and TLS handshake. Real sockets, the fake OpenAI."""

from __future__ import annotations

import time
import types

import pytest

from codex_lsp.providers import responses
from codex_lsp.providers.base import ModelRequest, PromptPart, ProviderConfig
from tests.fake_openai import FakeOpenAI

REQUEST = ModelRequest(
    feature="completion",
    instructions="Complete the code.",
    parts=(PromptPart("x = "),),
    schema_name="completion",
    json_schema={"type": "object"},
)


def pooled(provider: responses.ResponsesProvider) -> list[object]:
    """The connections in the provider's pool (httpx2 -> httpcore2)."""
    return list(provider._client._client._transport._pool.connections)  # type: ignore[attr-defined]


@pytest.mark.parametrize("pause_s", [30.0, 80.0])
async def test_a_connection_is_reused_after_a_pause(
    monkeypatch: pytest.MonkeyPatch, pause_s: float
) -> None:
    later = types.SimpleNamespace(offset=0.0)
    monkeypatch.setattr(  # the pool's clock only: it decides when an idle connection expires
        "httpcore2._async.http11.time",
        types.SimpleNamespace(monotonic=lambda: time.monotonic() + later.offset),
    )
    with FakeOpenAI(per_prefix_rpm=None) as fake:
        provider = responses.ResponsesProvider(
            ProviderConfig(api_key="sk-test", base_url=fake.base_url)
        )
        try:
            [event async for event in provider.stream(REQUEST, "gpt-5.6-luna")]
            first = pooled(provider)
            later.offset = pause_s
            [event async for event in provider.stream(REQUEST, "gpt-5.6-luna")]
            assert len(first) == 1 and pooled(provider) == first
        finally:
            await provider.aclose()
