"""map_sdk_error on openai exceptions built as the SDK builds them from real HTTP answers, and
the pause a retry-after header asks for."""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

import httpx2
import openai
import pytest

from codex_lsp.providers import errors
from codex_lsp.providers.base import (
    AuthenticationError,
    ModelNotFoundError,
    ProviderError,
    RateLimitError,
)
from codex_lsp.providers.errors import map_sdk_error, retry_after_s, stream_failure

BASE = "https://api.openai.com/v1/"
REQUEST = httpx2.Request("POST", BASE + "responses")
KEY = "sk-proj-Q7w3E9r1T5y8U2i4O6p0AsDf"


def status_error(cls: type[openai.APIStatusError], status: int, payload: Any) -> Exception:
    """As openai's `_make_status_error_from_response`: the message is "Error code: N" plus the
    error's own message, and `body` is the payload's "error" object when there is one."""
    response = httpx2.Response(status, json=payload, request=REQUEST)
    inner = payload.get("error", payload) if isinstance(payload, dict) else payload
    message = f"Error code: {status}"
    if isinstance(inner, dict) and isinstance(inner.get("message"), str) and inner["message"]:
        message += f" - {inner['message']}"
    return cls(message, response=response, body=inner)


def openai_error(message: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }


MODEL_NOT_FOUND = openai_error(
    "The model `gpt-x` does not exist or you do not have access to it.", "model_not_found"
)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            status_error(
                openai.NotFoundError,
                404,
                openai_error(
                    "The model `gpt-x` does not exist or you do not have access to it.",
                    "model_not_found",
                ),
            ),
            (
                ModelNotFoundError,
                "Model 'gpt-x' is not available on this backend. Error code: 404 - The model "
                "`gpt-x` does not exist or you do not have access to it.",
                False,
            ),
        ),
        (
            openai.NotFoundError(
                "Error code: 404 - The model `gpt-x` does not exist or you do not have access "
                "to it.",
                response=httpx2.Response(404, json=MODEL_NOT_FOUND, request=REQUEST),
                body=MODEL_NOT_FOUND,
            ),
            (
                ModelNotFoundError,
                "Model 'gpt-x' is not available on this backend. Error code: 404 - The model "
                "`gpt-x` does not exist or you do not have access to it.",
                False,
            ),
        ),
        (
            status_error(openai.NotFoundError, 404, openai_error("Gone.", "model_not_found")),
            (
                ModelNotFoundError,
                "Model 'gpt-x' is not available on this backend. Error code: 404 - Gone.",
                False,
            ),
        ),
        (
            status_error(
                openai.BadRequestError,
                400,
                openai_error("The requested model 'gpt-x' does not exist.", None, "model"),
            ),
            (
                ModelNotFoundError,
                "Model 'gpt-x' is not available on this backend. Error code: 400 - The "
                "requested model 'gpt-x' does not exist.",
                False,
            ),
        ),
        (
            status_error(
                openai.NotFoundError,
                404,
                openai_error('model "gpt-x" not found, try pulling it first', None),
            ),
            (
                ModelNotFoundError,
                "Model 'gpt-x' is not available on this backend. Error code: 404 - model "
                '"gpt-x" not found, try pulling it first',
                False,
            ),
        ),
        (
            status_error(openai.NotFoundError, 404, {"detail": "Not Found"}),
            (ProviderError, f"{BASE} answered 404: Error code: 404", False),
        ),
        (
            status_error(
                openai.BadRequestError,
                400,
                openai_error(
                    "This model's maximum context length is 400000 tokens.",
                    "context_length_exceeded",
                    "input",
                ),
            ),
            (
                ProviderError,
                f"{BASE} answered 400: Error code: 400 - This model's maximum context length "
                "is 400000 tokens.",
                False,
            ),
        ),
        (
            status_error(
                openai.AuthenticationError,
                401,
                openai_error(f"Incorrect API key provided: {KEY}.", "invalid_api_key"),
            ),
            (
                AuthenticationError,
                f"The backend at {BASE} rejected the API key (401). Set a valid OPENAI_API_KEY "
                "in the environment the editor starts codex-lsp from and restart it, or choose "
                "backend 'local'. No model calls until then.",
                False,
            ),
        ),
        (
            status_error(
                openai.PermissionDeniedError,
                403,
                openai_error("Project does not have access to model gpt-x.", "model_not_found"),
            ),
            (AuthenticationError, "The API key may not use model 'gpt-x' (403).", False),
        ),
        (
            status_error(
                openai.RateLimitError, 429, openai_error("Rate limit reached.", "rate_limit")
            ),
            (RateLimitError, f"Rate limited by {BASE} (429).", True),
        ),
        (
            status_error(
                openai.InternalServerError, 500, openai_error("The server had an error.", None)
            ),
            (
                ProviderError,
                f"{BASE} answered 500: Error code: 500 - The server had an error.",
                True,
            ),
        ),
        (
            status_error(openai.InternalServerError, 503, "upstream connect error"),
            (ProviderError, f"{BASE} answered 503: Error code: 503", True),
        ),
        (
            openai.APITimeoutError(REQUEST),
            (ProviderError, f"The model at {BASE} stopped answering (timeout).", True),
        ),
        (
            openai.APIConnectionError(request=REQUEST),
            (ProviderError, f"Lost the connection to {BASE}: Connection error.", True),
        ),
        (
            openai.APIError(
                "Overloaded.", REQUEST, body={"code": "server_error", "message": "Overloaded."}
            ),
            (ProviderError, "The model stream failed: Overloaded.", True),
        ),
        (
            openai.APIError("Slow down.", REQUEST, body={"code": "rate_limit_exceeded"}),
            (RateLimitError, "The model stream failed: Slow down.", True),
        ),
        (
            openai.APIError("Bad prompt.", REQUEST, body={"code": "invalid_prompt"}),
            (ProviderError, "The model stream failed: Bad prompt.", False),
        ),
        (
            json.JSONDecodeError("Expecting value", "{oops", 1),
            (
                ProviderError,
                f"{BASE} sent a broken stream: Expecting value: line 1 column 2 (char 1)",
                True,
            ),
        ),
        (ValueError("boom"), (ProviderError, "Model call failed: boom", False)),
    ],
    ids=[
        "openai-model-not-found",
        "whole-http-body-as-body",
        "model-not-found-by-code-only",
        "model-not-found-400-by-text",
        "ollama-model-not-found",
        "404-wrong-path",
        "context-length-400",
        "bad-key-401",
        "no-access-403",
        "rate-limit-429",
        "server-error-500",
        "non-json-503",
        "timeout",
        "connection",
        "error-chunk-in-a-chat-stream",
        "rate-limit-chunk-in-a-chat-stream",
        "request-fault-chunk-in-a-chat-stream",
        "event-not-json",
        "not-an-sdk-error",
    ],
)
def test_map_sdk_error(error: Exception, expected: tuple[type[ProviderError], str, bool]) -> None:
    mapped = map_sdk_error(error, "gpt-x", BASE)
    assert (type(mapped), str(mapped), mapped.retryable) == expected
    assert KEY not in str(mapped)


def test_model_not_found_names_the_model() -> None:
    error = status_error(openai.NotFoundError, 404, openai_error("Nope.", "model_not_found"))
    mapped = map_sdk_error(error, "codex-mini-latest", BASE)
    assert isinstance(mapped, ModelNotFoundError)
    assert mapped.model == "codex-mini-latest"


def test_unsupported_parameter_is_not_a_missing_model() -> None:
    error = status_error(
        openai.BadRequestError,
        400,
        openai_error(
            "Unsupported parameter: 'reasoning.effort' is not supported with this model.",
            "unsupported_parameter",
            "reasoning.effort",
        ),
    )
    assert type(map_sdk_error(error, "olmo-2-7b", BASE)) is ProviderError


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after-ms": "1500", "retry-after": "2"}, 1.5),
        ({"retry-after": "12"}, 12.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "soon", "retry-after": "3"}, 3.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-5"}, 0.0),
        ({"retry-after": "inf"}, None),
    ],
    ids=["none", "ms-first", "seconds", "fraction", "bad-ms", "not-a-number", "negative", "inf"],
)
def test_retry_after_s(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_s(httpx2.Headers(headers)) == expected


def test_retry_after_as_an_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert retry_after_s(httpx2.Headers({"retry-after": when})) == pytest.approx(30, abs=2)


@pytest.mark.parametrize(
    ("cls", "status", "expected"),
    [
        (openai.RateLimitError, 429, (RateLimitError, True, 0.8)),
        (openai.InternalServerError, 503, (ProviderError, True, 0.8)),
        (openai.BadRequestError, 400, (ProviderError, False, None)),
    ],
    ids=["429", "503", "400-has-no-pause"],
)
def test_the_pause_an_error_asks_for_is_kept(
    cls: type[openai.APIStatusError], status: int, expected: tuple[type[Exception], bool, float]
) -> None:
    response = httpx2.Response(
        status, json=openai_error("Wait.", None), headers={"retry-after-ms": "800"}, request=REQUEST
    )
    mapped = map_sdk_error(cls("Wait.", response=response, body=None), "gpt-x", BASE)
    assert (type(mapped), mapped.retryable, mapped.retry_after_s) == expected


GATEWAY_KEY = "gw-7f3a9c1e5b2d8f4a6c0e"  # a gateway's key: no format the redaction knows


@pytest.mark.parametrize("key", [KEY, GATEWAY_KEY])
@pytest.mark.parametrize(
    ("cls", "status", "words"),
    [
        (openai.BadRequestError, 400, "Invalid header Authorization: Bearer {key}"),
        (openai.InternalServerError, 500, "upstream failed for key {key}"),
        (openai.NotFoundError, 404, "model gpt-x does not exist for key {key}"),
        (openai.UnprocessableEntityError, 422, "key={key}"),
    ],
    ids=["400", "500", "model-not-found", "422"],
)
def test_a_backend_echoing_the_key_does_not_put_it_in_a_message(
    cls: type[openai.APIStatusError], status: int, words: str, key: str
) -> None:
    """A gateway (or OpenAI itself) that quotes the key it was sent in an error body: the
    message is shown to the user (window/showMessage, `check`'s stderr), so the key is cut."""
    error = status_error(cls, status, openai_error(words.format(key=key), None))
    mapped = map_sdk_error(error, "gpt-x", BASE, key=key)
    assert key not in str(mapped)
    assert key[:12] not in str(mapped)


@pytest.mark.parametrize("key", [KEY, GATEWAY_KEY])
def test_a_stream_or_connection_failure_echoing_the_key_does_not_show_it(key: str) -> None:
    assert key not in str(stream_failure("server_error", f"bad key {key} given", key=key))
    lost = openai.APIConnectionError(
        message=f"connection to https://user:{key}@host failed", request=REQUEST
    )
    assert key not in str(map_sdk_error(lost, "gpt-x", BASE, key=key))
    chunk = openai.APIError(f"bad key {key}", request=REQUEST, body={"code": "invalid"})
    assert key not in str(map_sdk_error(chunk, "gpt-x", BASE, key=key))
    assert key not in str(map_sdk_error(RuntimeError(f"boom {key}"), "gpt-x", BASE, key=key))


def test_only_the_start_of_a_long_error_body_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy's 1 MB error page took the redaction a second on the event loop: only the start
    of the text (the part that can be shown) is read, the key cut from all of it first."""
    read: list[int] = []

    def redact(text: str) -> str:
        read.append(len(text))
        return text

    monkeypatch.setattr(errors, "redact", redact)
    page = "<div>Bad gateway</div>\n" * 50_000 + f"key {GATEWAY_KEY}"
    shown = errors.backend_words(page, GATEWAY_KEY)
    assert read and max(read) <= 2_100
    assert GATEWAY_KEY not in shown and shown.startswith("<div>Bad gateway</div>")
