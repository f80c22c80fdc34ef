"""A scripted in-memory Provider for engine tests: no network, no SDK, no sleeps."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from codex_lsp.providers.base import (
    ModelNotFoundError,
    ModelRequest,
    ProviderError,
    StreamEvent,
    TextDelta,
    Usage,
)

Event = TextDelta | Usage | ProviderError


class FakeProvider:
    """Plays a script per model; a model without a script does not exist on this backend.

    `calls` lists the models asked, `requests` what was sent, and `log` interleaves each event
    sent with whatever the test appends, to show what reached the caller when.
    """

    name = "fake"

    def __init__(self, scripts: dict[str, list[Event]], log: list[str] | None = None) -> None:
        self.scripts = scripts
        self.calls: list[str] = []
        self.requests: list[ModelRequest] = []
        self.log = log if log is not None else []

    async def stream(self, request: ModelRequest, model: str) -> AsyncGenerator[StreamEvent, None]:
        self.calls.append(model)
        self.requests.append(request)
        if model not in self.scripts:
            raise ModelNotFoundError(model, "(404 from the fake)")
        for event in self.scripts[model]:
            if isinstance(event, ProviderError):
                raise event
            self.log.append(f"sent {event!r}")
            yield event

    async def check(self, model: str) -> str:
        return "fake"

    async def aclose(self) -> None:
        return None
