"""What the fake answers: scripted answers, injected faults and the default responder.

Tests queue :class:`Answer` objects; each request takes the oldest one whose ``match`` fits its
JSON-schema name. A :class:`Fault` on an answer turns it into a failure: an HTTP error before
anything is streamed (rate limit, 5xx, 401, 404), silence before the first byte, or a failure
in the middle of a stream (dropped connection, stall, ``error`` event, ``response.failed``).
Answers and faults convert to and from plain dicts so the HTTP control API can script them from
another process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from .schemas import minimal_instance

if TYPE_CHECKING:
    from .records import RequestRecord

__all__ = [
    "NO_JSON",
    "Answer",
    "Fault",
    "FaultKind",
    "Responder",
    "ScriptQueue",
    "default_responder",
]


class _NoJson:
    """Marks an Answer without a JSON payload (``None`` is a valid JSON payload)."""

    def __repr__(self) -> str:
        return "NO_JSON"


NO_JSON: Final = _NoJson()


class FaultKind(StrEnum):
    """Every failure the fake can inject."""

    RATE_LIMIT = "rate_limit"
    SERVER_ERROR = "server_error"
    INVALID_API_KEY = "invalid_api_key"
    MODEL_NOT_FOUND = "model_not_found"
    DROP = "drop"
    STALL = "stall"
    SILENCE = "silence"
    ERROR_EVENT = "error_event"
    RESPONSE_FAILED = "response_failed"


# Faults answered with an HTTP error status instead of a response body.
_HTTP_FAULTS = {
    FaultKind.RATE_LIMIT,
    FaultKind.SERVER_ERROR,
    FaultKind.INVALID_API_KEY,
    FaultKind.MODEL_NOT_FOUND,
}


@dataclass(frozen=True)
class Fault:
    """A failure to inject. Build one with the named constructors below."""

    kind: FaultKind
    status: int = 0
    after_deltas: int = 0
    seconds: float | None = 0.0  # a stall's or silence's length; a rate limit's pause, or None
    code: str | None = None
    message: str | None = None

    @classmethod
    def rate_limit(cls, retry_after_s: float | None = 1.0) -> Fault:
        """429 ``rate_limit_exceeded`` with ``retry-after`` and ``retry-after-ms`` headers
        (``None``: without them, so the client has to guess the pause)."""
        return cls(FaultKind.RATE_LIMIT, status=429, seconds=retry_after_s)

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        """A 5xx error (500, 502, 503 ...) with OpenAI's ``server_error`` body."""
        if not 500 <= status <= 599:
            raise ValueError(f"server_error needs a 5xx status, got {status}")
        return cls(FaultKind.SERVER_ERROR, status=status)

    @classmethod
    def invalid_api_key(cls) -> Fault:
        """401 ``invalid_api_key``, as if the key had been revoked."""
        return cls(FaultKind.INVALID_API_KEY, status=401)

    @classmethod
    def model_not_found(cls) -> Fault:
        """404 ``model_not_found`` for whatever model the request names."""
        return cls(FaultKind.MODEL_NOT_FOUND, status=404)

    @classmethod
    def drop(cls, after_deltas: int = 0) -> Fault:
        """Close the TCP connection after ``after_deltas`` text deltas (mid chunked body)."""
        return cls(FaultKind.DROP, after_deltas=after_deltas)

    @classmethod
    def stall(cls, after_deltas: int = 0, seconds: float = 30.0) -> Fault:
        """Send nothing for ``seconds`` after ``after_deltas`` deltas, then carry on."""
        return cls(FaultKind.STALL, after_deltas=after_deltas, seconds=seconds)

    @classmethod
    def silence(cls, seconds: float = 30.0) -> Fault:
        """Send nothing at all, not even the status line, for ``seconds``, then answer."""
        return cls(FaultKind.SILENCE, seconds=seconds)

    @classmethod
    def error_event(
        cls, after_deltas: int = 0, code: str = "server_error", message: str | None = None
    ) -> Fault:
        """An ``error`` event (Chat: a ``data: {"error": ...}`` chunk), then end of stream."""
        return cls(FaultKind.ERROR_EVENT, after_deltas=after_deltas, code=code, message=message)

    @classmethod
    def response_failed(
        cls, after_deltas: int = 0, code: str = "server_error", message: str | None = None
    ) -> Fault:
        """A ``response.failed`` event carrying ``response.error``, then end of stream."""
        return cls(FaultKind.RESPONSE_FAILED, after_deltas=after_deltas, code=code, message=message)

    @property
    def is_http_error(self) -> bool:
        """True when the fault replaces the whole response with an HTTP error."""
        return self.kind in _HTTP_FAULTS

    @property
    def in_stream(self) -> bool:
        """True when the fault strikes inside a streamed body (after its opening)."""
        return not self.is_http_error and self.kind is not FaultKind.SILENCE

    @property
    def pause_s(self) -> float:
        """How long a stall or silence sends nothing."""
        return self.seconds or 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "kind": str(self.kind)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown Fault fields: {sorted(unknown)}")
        return cls(**{**data, "kind": FaultKind(data["kind"])})


@dataclass(frozen=True)
class Answer:
    """One scripted reply.

    ``text`` is sent verbatim (use it for invalid or schema-violating JSON); ``json`` is
    serialized compactly. With neither, the body comes from the minimal instance of the
    request's schema, which is handy for fault-only answers.
    """

    text: str | None = None
    json: Any = NO_JSON
    match: str | None = None  # the task it answers (RequestRecord.task); None: any
    chunk_chars: int = 8
    delay_s: float = 0.0
    fault: Fault | None = None
    reasoning_tokens: int = 0
    times: int = 1

    def __post_init__(self) -> None:
        if self.text is not None and self.json is not NO_JSON:
            raise ValueError("give an Answer either text or json, not both")
        if self.chunk_chars < 1:
            raise ValueError("chunk_chars must be >= 1")
        if self.times == 0 or self.times < -1:
            raise ValueError("times must be >= 1, or -1 for forever")

    def body_text(self) -> str | None:
        """The output text, or None when the default body should be generated."""
        if self.text is not None:
            return self.text
        if self.json is not NO_JSON:
            return json.dumps(self.json, separators=(",", ":"), ensure_ascii=False)
        return None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.json is NO_JSON:
            del data["json"]
        data["fault"] = self.fault.to_dict() if self.fault else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown Answer fields: {sorted(unknown)}")
        fault = data.get("fault")
        return cls(**{**data, "fault": Fault.from_dict(fault) if fault else None})


Responder = Callable[["RequestRecord"], Answer]
"""Answers a request nothing was scripted for."""


def default_responder(record: RequestRecord) -> Answer:
    """Answer with the minimal valid instance of the request's schema, or plain text."""
    if record.schema is not None:
        return Answer(json=minimal_instance(record.schema))
    return Answer(text="ok")


@dataclass
class _Entry:
    answer: Answer
    remaining: int


class ScriptQueue:
    """FIFO of scripted answers; not locked itself (the server holds its lock around it)."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []

    def push(self, answer: Answer) -> None:
        self._entries.append(_Entry(answer, answer.times))

    def take(self, task: str | None) -> Answer | None:
        """Consume one use of the oldest answer whose ``match`` fits ``task``."""
        for index, entry in enumerate(self._entries):
            if entry.answer.match is not None and entry.answer.match != task:
                continue
            if entry.remaining > 0:
                entry.remaining -= 1
                if entry.remaining == 0:
                    del self._entries[index]
            return entry.answer
        return None

    def pending(self) -> list[Answer]:
        return [entry.answer for entry in self._entries]

    def clear(self) -> None:
        self._entries.clear()
