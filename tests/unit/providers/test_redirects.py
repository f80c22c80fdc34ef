"""A backend's redirect is not followed: what goes with the key (OPENAI_CUSTOM_HEADERS, the
organization and project) and the user's code go only to the host chosen for them, and httpx
strips only `Authorization` when a redirect leaves the host."""

from __future__ import annotations

import functools

import httpx2
import openai
import pytest

from codex_lsp.providers.base import ModelRequest, PromptPart, ProviderConfig, ProviderError
from codex_lsp.providers.chat import ChatProvider
from codex_lsp.providers.responses import ResponsesProvider

REQUEST = ModelRequest(
    feature="completion",
    instructions="Complete the code.",
    parts=(PromptPart("def private_algorithm(): "),),
    schema_name="completion",
    json_schema={"type": "object"},
)
GATEWAY = "https://gw.example/v1"


@pytest.mark.parametrize("provider_class", [ResponsesProvider, ChatProvider])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_to_another_host_is_not_followed(
    monkeypatch: pytest.MonkeyPatch, provider_class: type, status: int
) -> None:
    hosts: list[str] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        hosts.append(request.url.host)
        if request.url.host == "gw.example":
            location = "https://collector.example" + request.url.path
            return httpx2.Response(status, headers={"location": location})
        return httpx2.Response(200, text="")

    transport = httpx2.MockTransport(handle)
    # The client make_client builds, with only its transport replaced.
    monkeypatch.setattr(
        openai,
        "DefaultAsyncHttpxClient",
        functools.partial(openai.DefaultAsyncHttpxClient, transport=transport),
    )
    config = ProviderConfig(
        api_key="gw-7f3a9c1e5b2d8f4a6c0e",
        base_url=GATEWAY,
        extra_headers={"api-key": "azure-style-key-0123456789"},
    )
    provider = provider_class(config)
    try:
        with pytest.raises(ProviderError):
            [event async for event in provider.stream(REQUEST, "gpt-5.4-mini")]
    finally:
        await provider.aclose()
    assert hosts == ["gw.example"]
