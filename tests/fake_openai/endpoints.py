"""The ``/v1`` API: validation, answer selection, cache accounting and the reply itself.

Order of checks follows OpenAI's: authentication, body, model existence, endpoint support,
request validity (breakpoints); only then is a scripted answer consumed, so a rejected
request never eats an answer meant for the next one.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from .caching import CacheOutcome, PromptCache
from .prompt import Prompt, chat_prompt, responses_prompt
from .records import Recorder, RequestRecord
from .script import Answer, Fault, FaultKind, Responder, ScriptQueue, default_responder
from .streams import Outcome, Player, chunk_text, play_stream
from .tokens import Tokenizer, approx_tokenize
from .transport import HttpExchange
from .wire import (
    ApiError,
    ChatChunks,
    ResponseContext,
    ResponseEvents,
    Usage,
    chat_completion,
    final_output,
    message_item,
    model_object,
    response_object,
)

__all__ = ["DEFAULT_MODELS", "FakeState", "Incoming", "handle_v1", "is_reasoning_model"]

log = logging.getLogger(__name__)

DEFAULT_MODELS = ("gpt-5.6", "gpt-5-mini", "gpt-5.1-codex-mini", "gpt-4.1-mini", "o4-mini")
_REASONING_PREFIXES = ("o", "gpt-5", "gpt-6", "codex")
_EXPLICIT_CACHE_PREFIXES = ("gpt-5.6", "gpt-6")


def is_reasoning_model(model: str) -> bool:
    return model.startswith(_REASONING_PREFIXES)


@dataclass
class FakeState:
    """Everything a request handler reads or changes; shared by all handler threads."""

    recorder: Recorder
    cache: PromptCache
    queue: ScriptQueue = field(default_factory=ScriptQueue)
    responder: Responder = default_responder
    tokenizer: Tokenizer = approx_tokenize
    unknown_models: set[str] = field(default_factory=set)
    responses_only_models: set[str] = field(default_factory=lambda: {"codex-mini-latest"})
    explicit_cache_models: set[str] = field(default_factory=set)
    models: list[str] = field(default_factory=lambda: list(DEFAULT_MODELS))
    api_key: str | None = None

    def explicit_cache(self, model: str) -> bool:
        return model in self.explicit_cache_models or model.startswith(_EXPLICIT_CACHE_PREFIXES)

    def take_answer(self, record: RequestRecord) -> Answer:
        with self.recorder.lock:
            scripted = self.queue.take(record.task)
        return scripted if scripted is not None else self.responder(record)


@dataclass(frozen=True)
class Incoming:
    """A parsed HTTP request."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def handle_v1(state: FakeState, request: Incoming, exchange: HttpExchange) -> None:
    """Serve one ``/v1/...`` request and record it."""
    record = RequestRecord(request.method, request.path, request.headers, _parse_body(request.body))
    state.recorder.add(record)
    try:
        _authenticate(state, request.headers)
        _route(state, request, record, exchange)
    except ApiError as error:
        exchange.reply_error(error)
        state.recorder.update(
            record, status=error.status, disconnected=exchange.client_gone, ended_at=time.time()
        )
        log.info("%s %s -> %d %s", request.method, request.path, error.status, error.code)


def _parse_body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _authenticate(state: FakeState, headers: dict[str, str]) -> None:
    if state.api_key is None:
        return
    auth = headers.get("authorization", "")
    key = auth[len("Bearer ") :] if auth.startswith("Bearer ") else None
    if key != state.api_key:
        raise ApiError.invalid_api_key(key)


def _route(state: FakeState, request: Incoming, record: RequestRecord, ex: HttpExchange) -> None:
    method, path = request.method, request.path.rstrip("/")
    if method == "POST" and path == "/v1/responses":
        _serve_model_call(state, record, ex, chat=False)
    elif method == "POST" and path == "/v1/chat/completions":
        _serve_model_call(state, record, ex, chat=True)
    elif method == "GET" and path == "/v1/models":
        data = [model_object(m) for m in state.models if m not in state.unknown_models]
        _reply_done(state, record, ex, {"object": "list", "data": data})
    elif method == "GET" and path.startswith("/v1/models/"):
        model = path[len("/v1/models/") :]
        if model in state.unknown_models:
            raise ApiError.model_not_found(model)
        _reply_done(state, record, ex, model_object(model))
    else:
        raise ApiError.invalid_url(method, request.path)


def _reply_done(state: FakeState, record: RequestRecord, ex: HttpExchange, body: Any) -> None:
    sent = ex.reply_json(200, body)
    state.recorder.update(
        record, status=200, completed=sent, disconnected=not sent, ended_at=time.time()
    )


def _serve_model_call(
    state: FakeState, record: RequestRecord, ex: HttpExchange, *, chat: bool
) -> None:
    body = record.body
    if not isinstance(body, dict):
        raise ApiError.bad_request(
            "We could not parse the JSON body of your request. (HINT: This likely means you "
            "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)"
        )
    prompt = (chat_prompt if chat else responses_prompt)(body, state.tokenizer)
    state.recorder.update(
        record,
        model=prompt.model,
        stream=body.get("stream") is True,
        schema_name=prompt.schema_name,
        task=prompt.task,
        schema=prompt.schema,
        prompt_text=prompt.text,
        input_tokens=len(prompt.tokens),
    )
    if prompt.model in state.unknown_models:
        raise ApiError.model_not_found(prompt.model)
    if chat and prompt.model in state.responses_only_models:
        raise ApiError.responses_only()
    answer = state.take_answer(record)
    if answer.fault and answer.fault.is_http_error:
        state.recorder.update(record, fault=str(answer.fault.kind))
        raise _http_fault(answer.fault, prompt.model)
    _answer(state, record, ex, prompt, answer, chat=chat)


def _http_fault(fault: Fault, model: str) -> ApiError:
    if fault.kind is FaultKind.RATE_LIMIT:
        return ApiError.rate_limited(model, fault.seconds)
    if fault.kind is FaultKind.INVALID_API_KEY:
        return ApiError.invalid_api_key("sk-revoked-key")
    if fault.kind is FaultKind.MODEL_NOT_FOUND:
        return ApiError.model_not_found(model)
    return ApiError.server_error(fault.status)


def _answer(
    state: FakeState,
    record: RequestRecord,
    ex: HttpExchange,
    prompt: Prompt,
    answer: Answer,
    *,
    chat: bool,
) -> None:
    cache = state.cache.lookup(prompt, explicit=state.explicit_cache(prompt.model))
    text = _answer_text(state, record, answer)
    usage = _usage(state, prompt, text, answer, cache)
    state.recorder.update(
        record,
        status=200,
        cached_tokens=cache.cached_tokens,
        cache_write_tokens=cache.cache_write_tokens,
        output_text=text,
        fault=str(answer.fault.kind) if answer.fault else None,
    )
    if not _wait_out_silence(ex, answer):
        outcome = Outcome.DISCONNECTED if ex.client_gone else Outcome.STOPPED
    elif record.stream:
        player = _player(prompt, record, chat)
        outcome = _stream(ex, player, answer, text, usage, record.delta_sent_at)
    else:
        outcome = _whole(ex, prompt, record, answer, text, usage, chat=chat)
    state.recorder.update(
        record,
        completed=outcome is Outcome.COMPLETED,
        disconnected=outcome is Outcome.DISCONNECTED,
        ended_at=time.time(),
    )
    log.info(
        "%s %s model=%s stream=%s input=%d cached=%d written=%d -> %s",
        record.method,
        record.path,
        prompt.model,
        record.stream,
        usage.input_tokens,
        usage.cached_tokens,
        usage.cache_write_tokens,
        outcome.value,
    )


def _wait_out_silence(ex: HttpExchange, answer: Answer) -> bool:
    """A `silence` fault: nothing at all before the reply; False if the client or server left."""
    fault = answer.fault
    return fault is None or fault.kind is not FaultKind.SILENCE or ex.pause(fault.pause_s)


def _answer_text(state: FakeState, record: RequestRecord, answer: Answer) -> str:
    for candidate in (answer, state.responder(record), default_responder(record)):
        text = candidate.body_text()
        if text is not None:
            return text
    raise AssertionError("the built-in default responder always produces text")


def _usage(
    state: FakeState, prompt: Prompt, text: str, answer: Answer, cache: CacheOutcome
) -> Usage:
    output_tokens = len(state.tokenizer(text)) + answer.reasoning_tokens
    return Usage(
        input_tokens=len(prompt.tokens),
        output_tokens=output_tokens,
        reasoning_tokens=answer.reasoning_tokens,
        cached_tokens=cache.cached_tokens,
        cache_write_tokens=cache.cache_write_tokens,
        write_30m_tokens=cache.write_30m_tokens,
        write_12h_tokens=cache.write_12h_tokens,
    )


def _player(prompt: Prompt, record: RequestRecord, chat: bool) -> Player:
    body: dict[str, Any] = record.body
    if chat:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return ChatChunks(prompt.model, include_usage)
    return ResponseEvents(_context(prompt, body))


def _context(prompt: Prompt, body: dict[str, Any]) -> ResponseContext:
    return ResponseContext(prompt.model, body, reasoning=is_reasoning_model(prompt.model))


def _stream(
    ex: HttpExchange,
    player: Player,
    answer: Answer,
    text: str,
    usage: Usage,
    sent_at: list[float],
) -> Outcome:
    if not ex.start_stream():
        return Outcome.DISCONNECTED
    outcome = play_stream(ex, player, answer, text, usage, sent_at)
    if outcome in (Outcome.COMPLETED, Outcome.FAULTED):
        ex.end_stream()
    elif outcome is not Outcome.DROPPED:
        # The client or the server is gone: nothing more can be said on this connection.
        ex.drop()
    return outcome


def _whole(
    ex: HttpExchange,
    prompt: Prompt,
    record: RequestRecord,
    answer: Answer,
    text: str,
    usage: Usage,
    *,
    chat: bool,
) -> Outcome:
    """A non-streamed reply; delays and faults apply as if the stream ran unseen."""
    kind = answer.fault.kind if answer.fault else None
    waited = answer.delay_s * max(0, len(chunk_text(text, answer.chunk_chars)) - 1)
    if answer.fault and kind is FaultKind.STALL:
        waited += answer.fault.pause_s
    if waited and not ex.pause(waited):
        return Outcome.DISCONNECTED if ex.client_gone else Outcome.STOPPED
    if kind is FaultKind.DROP:
        ex.drop()
        return Outcome.DROPPED
    if kind is FaultKind.ERROR_EVENT or (chat and kind is FaultKind.RESPONSE_FAILED):
        # Without a stream to carry an error event, the failure becomes a 500.
        ex.reply_error(ApiError.server_error(500))
        return Outcome.FAULTED
    body = _whole_body(prompt, record, text, usage, answer.fault, chat=chat)
    if not ex.reply_json(200, body):
        return Outcome.DISCONNECTED
    return Outcome.FAULTED if kind is FaultKind.RESPONSE_FAILED else Outcome.COMPLETED


def _whole_body(
    prompt: Prompt,
    record: RequestRecord,
    text: str,
    usage: Usage,
    fault: Fault | None,
    *,
    chat: bool,
) -> dict[str, Any]:
    if chat:
        return chat_completion(prompt.model, text, usage)
    ctx = _context(prompt, record.body)
    if fault and fault.kind is FaultKind.RESPONSE_FAILED:
        error = {"code": fault.code or "server_error", "message": fault.message or "failed"}
        output = [message_item(ctx, text, "incomplete")]
        return response_object(ctx, "failed", output, error=error)
    return response_object(ctx, "completed", final_output(ctx, text), usage)
