"""What both OpenAI-wire providers share: the SDK client, streaming events as plain JSON, and
reading usage."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import httpx2
import openai

from codex_lsp.providers.base import ProviderConfig, Usage

# Idle connections are kept this long (httpx's default is 5 s; reqwest's, which the Codex CLI
# uses, 90 s): a suggestion asked after a pause to read or think must not pay a new TCP and
# TLS handshake (two round trips) on top of the model. A connection the server closed
# meanwhile is seen as readable and replaced before a request is sent on it (httpcore).
KEEPALIVE_S = 90.0

# The SDK imports these on its first request (about 0.15 s, on the event loop, in the middle of
# the user's first completion); importing them with this module moves that to start-up.
_FIRST_REQUEST_MODULES = (
    "anyio._backends._asyncio",
    "h11",
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
    client = http_client or openai.DefaultAsyncHttpxClient(
        timeout=config.timeout_s,
        # A redirect is an error, not followed (the SDK's client follows them): httpx strips
        # only `Authorization` when one leaves the host, so the account headers that belong
        # with the key, and the user's code, would go to a host nobody chose.
        follow_redirects=False,
        limits=httpx2.Limits(
            max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_S
        ),
    )
    return openai.AsyncOpenAI(
        api_key=config.api_key or placeholder_key,
        base_url=config.base_url,
        timeout=config.timeout_s,
        max_retries=config.max_retries,
        default_headers=dict(config.extra_headers),
        http_client=client,
    )


Events = openai.AsyncStream[object]


async def post_events(client: openai.AsyncOpenAI, path: str, body: dict[str, Any]) -> Events:
    """POST `body` to `path` and stream the answer's server-sent events as plain JSON values.

    The SDK's typed `create` transforms the body against its TypedDicts and builds a pydantic
    model for every event; at a 2,000-line document that was 44% of the server's own time per
    request (benchmarks/README.md, "Hot paths"). The SDK still sends the request (key, headers,
    timeout) and raises its own errors: for a status other than 2xx, for a lost connection, and
    for an event that is an `{"error": ...}` object.
    """
    return await client.post(
        path, cast_to=object, body=body, stream=True, stream_cls=openai.AsyncStream[object]
    )


def field(value: object, name: str) -> Any:
    """`value[name]` when `value` is a JSON object that has it, else None: compatible servers
    leave out or null what OpenAI always sends."""
    return value.get(name) if isinstance(value, Mapping) else None


def read_usage(usage: object, model: str, *, chat: bool) -> Usage:
    """Responses and Chat name the same counts differently; both report cached tokens."""
    prefix_in, prefix_out = ("prompt", "completion") if chat else ("input", "output")
    details = field(usage, f"{prefix_in}_tokens_details")
    out_details = field(usage, f"{prefix_out}_tokens_details")
    return Usage(
        input_tokens=_count(field(usage, f"{prefix_in}_tokens")),
        cached_tokens=_count(field(details, "cached_tokens")),
        cache_write_tokens=_count(field(details, "cache_write_tokens")),
        output_tokens=_count(field(usage, f"{prefix_out}_tokens")),
        reasoning_tokens=_count(field(out_details, "reasoning_tokens")),
        model=model,
    )


def _count(value: object) -> int:
    """A token count as sent, or 0 for anything that is not one (a server's null, a string)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
