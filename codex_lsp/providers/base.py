"""The one small protocol every model backend implements: stream a structured request.

A provider turns a `ModelRequest` (prompt parts in cache order, a strict JSON schema) into a
stream of text deltas that ends with one `Usage`. Errors are mapped to `ProviderError`
subclasses so the callers never depend on an SDK's exception types.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class PromptPart:
    """One block of the prompt; `breakpoint` marks the end of the stable, cacheable prefix."""

    text: str
    breakpoint: bool = False


@dataclass(frozen=True)
class Infill:
    """A completion as fill-in-the-middle: the code around the cursor, for backends whose
    models complete code directly (no instructions, no JSON), which is faster on small ones."""

    prefix: str  # ends at the cursor
    suffix: str  # starts at the cursor
    max_newlines: int  # line breaks the insertion may hold: 0 fills in the rest of a line
    # Context read before the prefix, as (file name, text) chunks (llama.cpp's `input_extra`):
    # blocks that stay the same while the cursor moves, so they stay in the KV cache.
    extra: tuple[tuple[str, str], ...] = ()
    # The same fill with a shorter window before the cursor (the embedded model reads it at a
    # new place while the wider one is still unread: providers/infill_lane.py). Derived from
    # the rest, so not compared.
    short: Infill | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ModelRequest:
    feature: str
    instructions: str
    parts: tuple[PromptPart, ...]
    schema_name: str
    json_schema: dict[str, Any]
    max_output_tokens: int = 1024
    reasoning_effort: str | None = None
    prompt_cache_key: str | None = None
    infill: Infill | None = None  # completions only; a provider may use it instead of parts

    def prompt_text(self) -> str:
        return "".join(part.text for part in self.parts)


@dataclass
class Usage:
    input_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    model: str = ""


@dataclass(frozen=True)
class TextDelta:
    text: str


StreamEvent = TextDelta | Usage


class ProviderError(Exception):
    """A backend failure, with a message fit to show a user once.

    `retryable`: a fault of the backend (rate limit, 5xx, lost connection, timeout, a stream it
    broke off) that the same request may get past later; these count toward the caller's
    circuit breaker. `retry_after_s`: the pause the backend asked for, when it named one.
    """

    def __init__(
        self, message: str, *, retryable: bool = False, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s


class RateLimitError(ProviderError):
    """The backend refuses more requests for now (429, or a rate-limit error in a stream)."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message, retryable=True, retry_after_s=retry_after_s)


class ModelNotFoundError(ProviderError):
    def __init__(self, model: str, detail: str = "") -> None:
        super().__init__(f"Model '{model}' is not available on this backend. {detail}".strip())
        self.model = model
        self.detail = detail


class AuthenticationError(ProviderError):
    pass


class Provider(Protocol):
    """A model backend. `stream` must close its upstream connection when cancelled."""

    name: str
    # Whether a stream whose reader stopped early (it had all it needed) is read to its end in
    # the background, not closed: a hosted API's connection then stays open for the next call
    # (no new TLS handshake) and bills what it reports. Not for an embedded model: it would
    # spend its one slot writing the rest while the next request waits.
    finish_cut_streams: bool

    def stream(self, request: ModelRequest, model: str) -> AsyncGenerator[StreamEvent, None]: ...

    async def check(self, model: str) -> str:
        """Return a one-line status; raise ProviderError when the backend does not answer."""
        ...

    async def aclose(self) -> None: ...


@runtime_checkable
class Warming(Protocol):
    """A backend that can read a completion's prompt ahead of the request (the embedded
    model only: there it costs idle CPU, at a hosted API it would cost money). Both calls
    return at once and never delay a real request."""

    def warm(self, infill: Infill, owner: str = "") -> None:
        """Read `infill.prefix` into the model's cache: the cursor reached a new place in the
        document `owner`."""
        ...

    def forget(self, owner: str) -> None:
        """The document `owner` closed: drop any reading ahead still planned for it."""
        ...

    def prefetch(self, infill: Infill, max_tokens: int) -> None:
        """Compute the completion of `infill` now, to answer a request for exactly it."""
        ...


@dataclass
class ProviderConfig:
    api_key: str | None = None
    base_url: str | None = None
    timeout_s: float = 60.0
    # No retries inside the SDK: it waits out a retry-after of up to 120 s (an editor request
    # would hang that long) and its retries are invisible to ModelCaller's circuit breaker, so
    # a struggling backend got three requests per request. ModelCaller retries instead, once
    # and only for a short pause (engine/calls.py).
    max_retries: int = 0
    extra_headers: dict[str, str] = field(default_factory=dict)
