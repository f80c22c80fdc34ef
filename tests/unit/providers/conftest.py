"""A fake HTTP backend for the real openai SDK: `httpx2.MockTransport`, no sockets, no sleeps."""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import openai
import pytest


def sse(events: list[dict[str, Any]], *, named: bool = True, done: bool = False) -> str:
    """Server-sent events as OpenAI writes them (Responses names each event; Chat does not)."""
    text = "".join(
        (f"event: {event['type']}\n" if named else "") + f"data: {json.dumps(event)}\n\n"
        for event in events
    )
    return text + ("data: [DONE]\n\n" if done else "")


@dataclass
class Backend:
    """What the fake server answers, and the JSON bodies it was sent."""

    status: int = 200
    body: str = ""
    content_type: str = "text/event-stream"
    headers: dict[str, str] = field(default_factory=dict)
    cut: Exception | None = None  # raised after the body, as the transport does mid-stream
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def answer_json(self, status: int, payload: dict[str, Any]) -> None:
        self.status, self.body = status, json.dumps(payload)
        self.content_type = "application/json"

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        sent = json.loads(request.content) if request.content else {}
        self.requests.append((f"{request.method} {request.url.path}", sent))
        headers = {"content-type": self.content_type, **self.headers}
        if self.cut is None:
            return httpx2.Response(self.status, headers=headers, text=self.body)
        return httpx2.Response(self.status, headers=headers, content=self._cut_body(self.cut))

    async def _cut_body(self, cut: Exception) -> AsyncIterator[bytes]:
        yield self.body.encode()
        raise cut


@pytest.fixture
async def backend(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Backend]:
    """Every `openai.AsyncOpenAI` built during the test talks to this in-memory backend."""
    fake = Backend()
    http_client = httpx2.AsyncClient(transport=httpx2.MockTransport(fake.handle))
    monkeypatch.setattr(
        openai, "AsyncOpenAI", functools.partial(openai.AsyncOpenAI, http_client=http_client)
    )
    # make_client builds its HTTP client up front (the TLS context is slow to load).
    monkeypatch.setattr(openai, "DefaultAsyncHttpxClient", lambda **_: http_client)
    yield fake
    await http_client.aclose()
