"""OpenAI's wire format: error bodies, SSE framing, Responses events and Chat chunks.

Everything here is pure data shaping (no I/O), kept byte-compatible with what the openai SDK
parses: one-line JSON per SSE ``data:`` field, ``event:`` lines for the Responses API only,
``sequence_number`` on every Responses event, the same response id in every lifecycle event,
and OpenAI's error body ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SSE_DONE",
    "ApiError",
    "ChatChunks",
    "ResponseContext",
    "ResponseEvents",
    "Usage",
    "chat_completion",
    "chat_usage",
    "dumps",
    "final_output",
    "message_item",
    "model_object",
    "new_id",
    "output_text_part",
    "reasoning_item",
    "response_object",
    "responses_usage",
    "sse_data",
    "sse_event",
]

SSE_DONE = b"data: [DONE]\n\n"


def dumps(data: Any) -> str:
    """Compact one-line JSON, as OpenAI sends it."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex}"


def sse_event(data: dict[str, Any]) -> bytes:
    """A Responses API event: ``event: TYPE`` plus the JSON on one ``data:`` line."""
    return f"event: {data['type']}\ndata: {dumps(data)}\n\n".encode()


def sse_data(data: dict[str, Any]) -> bytes:
    """A Chat Completions chunk: a bare ``data:`` line."""
    return f"data: {dumps(data)}\n\n".encode()


class ApiError(Exception):
    """An error answered with OpenAI's JSON error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }

    @classmethod
    def model_not_found(cls, model: str) -> ApiError:
        message = f"The model `{model}` does not exist or you do not have access to it."
        return cls(404, message, code="model_not_found")

    @classmethod
    def invalid_api_key(cls, key: str | None) -> ApiError:
        if not key:
            message = (
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
            )
        else:
            message = (
                f"Incorrect API key provided: {_mask(key)}. You can find your API key at "
                "https://platform.openai.com/account/api-keys."
            )
        return cls(401, message, code="invalid_api_key")

    @classmethod
    def rate_limited(cls, model: str, retry_after_s: float | None) -> ApiError:
        """A 429; without `retry_after_s`, neither the pause headers nor the pause in words."""
        when = "later" if retry_after_s is None else f"in {retry_after_s:g}s"
        message = (
            f"Rate limit reached for {model} in organization org-fake on tokens per min (TPM): "
            f"Limit 30000, Used 30000, Requested 1000. Please try again {when}. "
            "Visit https://platform.openai.com/account/rate-limits to learn more."
        )
        headers = {"x-ratelimit-remaining-tokens": "0"}
        if retry_after_s is not None:
            headers["retry-after"] = str(max(1, math.ceil(retry_after_s)))
            headers["retry-after-ms"] = str(round(retry_after_s * 1000))
        return cls(429, message, type="tokens", code="rate_limit_exceeded", headers=headers)

    @classmethod
    def server_error(cls, status: int = 500) -> ApiError:
        if status == 503:
            message = "The engine is currently overloaded, please try again later."
        else:
            message = "The server had an error while processing your request. Sorry about that!"
        return cls(status, message, type="server_error")

    @classmethod
    def responses_only(cls) -> ApiError:
        message = "This model is only supported in v1/responses and not in v1/chat/completions."
        return cls(400, message, param="model")

    @classmethod
    def invalid_url(cls, method: str, path: str) -> ApiError:
        return cls(404, f"Invalid URL ({method} {path})")

    @classmethod
    def bad_request(cls, message: str, param: str | None = None) -> ApiError:
        return cls(400, message, param=param, code="invalid_value" if param else None)


def _mask(key: str) -> str:
    # OpenAI shows only the ends of a wrong key.
    if len(key) <= 8:
        return "*" * len(key)
    return f"{key[:3]}{'*' * (len(key) - 7)}{key[-4:]}"


@dataclass(frozen=True)
class Usage:
    """Token accounting for one answer."""

    input_tokens: int
    output_tokens: int
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    write_30m_tokens: int = 0
    write_12h_tokens: int = 0


def responses_usage(usage: Usage) -> dict[str, Any]:
    details: dict[str, Any] = {
        "cached_tokens": usage.cached_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
    }
    if usage.cache_write_tokens:
        details["cache_write_tokens_details"] = {
            "ttl_30m_tokens": usage.write_30m_tokens,
            "ttl_12h_tokens": usage.write_12h_tokens,
        }
    return {
        "input_tokens": usage.input_tokens,
        "input_tokens_details": details,
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.input_tokens + usage.output_tokens,
    }


def chat_usage(usage: Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.input_tokens + usage.output_tokens,
        "prompt_tokens_details": {
            "cached_tokens": usage.cached_tokens,
            "cache_write_tokens": usage.cache_write_tokens,
            "audio_tokens": 0,
        },
        "completion_tokens_details": {
            "reasoning_tokens": usage.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def model_object(model: str) -> dict[str, Any]:
    return {"id": model, "object": "model", "created": 1_700_000_000, "owned_by": "system"}


@dataclass
class ResponseContext:
    """The request-level facts echoed into every response object."""

    model: str
    request: dict[str, Any]
    reasoning: bool
    id: str = field(default_factory=lambda: new_id("resp_"))
    message_id: str = field(default_factory=lambda: new_id("msg_"))
    reasoning_id: str = field(default_factory=lambda: new_id("rs_"))
    created_at: int = field(default_factory=lambda: int(time.time()))

    @property
    def message_index(self) -> int:
        return 1 if self.reasoning else 0


def response_object(
    ctx: ResponseContext,
    status: str,
    output: list[dict[str, Any]],
    usage: Usage | None = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``response`` object as embedded in lifecycle events and non-streamed replies."""
    req = ctx.request
    text_config = req.get("text") or {"format": {"type": "text"}}
    return {
        "id": ctx.id,
        "object": "response",
        "created_at": ctx.created_at,
        "status": status,
        "completed_at": int(time.time()) if status == "completed" else None,
        "error": error,
        "incomplete_details": None,
        "instructions": req.get("instructions"),
        "max_output_tokens": req.get("max_output_tokens"),
        "model": ctx.model,
        "output": output,
        "parallel_tool_calls": req.get("parallel_tool_calls", True),
        "previous_response_id": req.get("previous_response_id"),
        "prompt_cache_key": req.get("prompt_cache_key"),
        "reasoning": _reasoning_config(ctx),
        "store": req.get("store", True),
        "temperature": None if ctx.reasoning else req.get("temperature", 1.0),
        "text": text_config,
        "tool_choice": req.get("tool_choice", "auto"),
        "tools": req.get("tools", []),
        "top_p": None if ctx.reasoning else req.get("top_p", 1.0),
        "truncation": req.get("truncation", "disabled"),
        "usage": responses_usage(usage) if usage else None,
        "user": req.get("user"),
        "metadata": req.get("metadata") or {},
    }


def _reasoning_config(ctx: ResponseContext) -> dict[str, Any]:
    if not ctx.reasoning:
        return {"effort": None, "summary": None}
    requested = ctx.request.get("reasoning") or {}
    return {"effort": requested.get("effort", "medium"), "summary": requested.get("summary")}


def reasoning_item(ctx: ResponseContext) -> dict[str, Any]:
    return {"id": ctx.reasoning_id, "type": "reasoning", "summary": []}


def message_item(ctx: ResponseContext, text: str | None, status: str) -> dict[str, Any]:
    content = [] if text is None else [output_text_part(text)]
    return {
        "id": ctx.message_id,
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": content,
    }


def output_text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def final_output(ctx: ResponseContext, text: str) -> list[dict[str, Any]]:
    items = [reasoning_item(ctx)] if ctx.reasoning else []
    return [*items, message_item(ctx, text, "completed")]


class ResponseEvents:
    """Builds the events of one streamed response, numbering them in order."""

    def __init__(self, ctx: ResponseContext) -> None:
        self.ctx = ctx
        self._sequence = 0
        self._text = ""

    def _event(self, type_: str, **fields: Any) -> bytes:
        data = {"type": type_, "sequence_number": self._sequence, **fields}
        self._sequence += 1
        return sse_event(data)

    def _message_fields(self) -> dict[str, Any]:
        return {"item_id": self.ctx.message_id, "output_index": self.ctx.message_index}

    def opening(self) -> bytes:
        """Everything up to the first text delta."""
        ctx = self.ctx
        created = response_object(ctx, "in_progress", [])
        parts = [
            self._event("response.created", response=created),
            self._event("response.in_progress", response=created),
        ]
        if ctx.reasoning:
            item = reasoning_item(ctx)
            parts.append(self._event("response.output_item.added", output_index=0, item=item))
            parts.append(self._event("response.output_item.done", output_index=0, item=item))
        message = message_item(ctx, None, "in_progress")
        index = ctx.message_index
        parts.append(self._event("response.output_item.added", output_index=index, item=message))
        parts.append(
            self._event(
                "response.content_part.added",
                **self._message_fields(),
                content_index=0,
                part=output_text_part(""),
            )
        )
        return b"".join(parts)

    def delta(self, text: str) -> bytes:
        self._text += text
        return self._event(
            "response.output_text.delta",
            **self._message_fields(),
            content_index=0,
            delta=text,
            logprobs=[],
        )

    def closing(self, usage: Usage) -> bytes:
        """From ``output_text.done`` to ``response.completed``."""
        ctx, text = self.ctx, self._text
        fields = self._message_fields()
        return b"".join(
            [
                self._event(
                    "response.output_text.done", **fields, content_index=0, text=text, logprobs=[]
                ),
                self._event(
                    "response.content_part.done",
                    **fields,
                    content_index=0,
                    part=output_text_part(text),
                ),
                self._event(
                    "response.output_item.done",
                    output_index=ctx.message_index,
                    item=message_item(ctx, text, "completed"),
                ),
                self._event(
                    "response.completed",
                    response=response_object(ctx, "completed", final_output(ctx, text), usage),
                ),
            ]
        )

    def error(self, code: str, message: str) -> bytes:
        return self._event("error", code=code, message=message, param=None)

    def failed(self, code: str, message: str) -> bytes:
        ctx = self.ctx
        output = [message_item(ctx, self._text, "incomplete")]
        if ctx.reasoning:
            output.insert(0, reasoning_item(ctx))
        error = {"code": code, "message": message}
        return self._event(
            "response.failed", response=response_object(ctx, "failed", output, error=error)
        )


class ChatChunks:
    """Builds the chunks of one streamed chat completion."""

    def __init__(self, model: str, include_usage: bool) -> None:
        self.id = new_id("chatcmpl-")
        self.model = model
        self.created = int(time.time())
        self.include_usage = include_usage

    def _chunk(self, choices: list[dict[str, Any]], usage: dict[str, Any] | None) -> bytes:
        chunk: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "service_tier": "default",
            "system_fingerprint": "fp_fake",
            "choices": choices,
        }
        if self.include_usage:
            # OpenAI sends "usage": null on every chunk but the last when usage is requested.
            chunk["usage"] = usage
        return sse_data(chunk)

    def _choice(self, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
        return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}

    def opening(self) -> bytes:
        delta = {"role": "assistant", "content": "", "refusal": None}
        return self._chunk([self._choice(delta, None)], None)

    def delta(self, text: str) -> bytes:
        return self._chunk([self._choice({"content": text}, None)], None)

    def closing(self, usage: Usage) -> bytes:
        parts = [self._chunk([self._choice({}, "stop")], None)]
        if self.include_usage:
            parts.append(self._chunk([], chat_usage(usage)))
        parts.append(SSE_DONE)
        return b"".join(parts)

    def error(self, code: str, message: str) -> bytes:
        # Chat streams report failures as a bare error object; the SDK raises APIError on it.
        error = {"message": message, "type": "server_error", "param": None, "code": code}
        return sse_data({"error": error})

    failed = error


def chat_completion(model: str, text: str, usage: Usage) -> dict[str, Any]:
    """A non-streamed ``chat.completion`` object."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": text,
        "refusal": None,
        "annotations": [],
    }
    return {
        "id": new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": chat_usage(usage),
        "service_tier": "default",
        "system_fingerprint": "fp_fake",
    }
