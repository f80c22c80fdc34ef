"""Maps the openai SDK's exceptions to `ProviderError`s with messages a user can act on."""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Mapping

import openai

from codex_lsp.engine.secrets import redact
from codex_lsp.providers.base import (
    AuthenticationError,
    ModelNotFoundError,
    ProviderError,
    RateLimitError,
)
from codex_lsp.trust import display_url, shorten

# Characters of a backend's words redacted: far more than a message shows (`shorten`).
_WORDS_READ = 2_000

# Stream error codes that blame the request, not the backend: asking again cannot help.
_REQUEST_FAULTS = ("context_length_exceeded", "unsupported_parameter", "unsupported_value")


def _is_model_not_found(error: openai.APIStatusError) -> bool:
    code = getattr(error, "code", None)
    if code == "model_not_found":
        return True
    # A named error code or an offending parameter (`reasoning.effort` not supported...) means
    # the model exists; vLLM sends a bare numeric code with its "does not exist".
    named = isinstance(code, str) and not code.isdigit()  # the SDK stringifies numeric codes
    if named or getattr(error, "param", None) not in (None, "model"):
        return False  # e.g. an unsupported parameter: the model itself exists
    text = str(error.message).lower()
    return (
        error.status_code in (400, 404)
        and "model" in text
        and ("does not exist" in text or "not found" in text)
    )


def retry_after_s(headers: Mapping[str, str] | None) -> float | None:
    """The pause an answer asks for, read as the SDK reads it: `retry-after-ms`, else
    `retry-after` in seconds or as an HTTP date. None when absent or unreadable."""
    if headers is None:
        return None
    for header, divisor in (("retry-after-ms", 1000), ("retry-after", 1)):
        try:
            seconds = float(headers.get(header, "nan")) / divisor
        except ValueError:
            continue
        if math.isfinite(seconds):
            return max(0.0, seconds)
    try:
        date = email.utils.parsedate_to_datetime(headers.get("retry-after") or "")
    except (TypeError, ValueError):
        return None
    return max(0.0, date.timestamp() - time.time())


def backend_words(text: str, key: str | None = None) -> str:
    """A backend's own words, fit to show a user: the key it was sent (a gateway may quote it
    back in an error body) and anything else that looks like a secret redacted, then
    shortened."""
    if key:
        text = text.replace(key, "[REDACTED]")
    if len(text) > _WORDS_READ:  # a proxy's error page: redacting all of it blocks the loop
        cut = text.rfind(" ", 0, _WORDS_READ)  # between words, not inside a token
        text = text[: cut if cut > 0 else _WORDS_READ] + " ..."
    return shorten(redact(text))


def stream_failure(code: object, message: str, key: str | None = None) -> ProviderError:
    """An error the backend reported inside a stream (a Responses `error` event or
    `response.failed`, a Chat error chunk): the backend's fault unless its code blames the
    request."""
    text = f"The model stream failed: {backend_words(message, key)}"
    if code == "rate_limit_exceeded":
        return RateLimitError(text)
    blames_request = isinstance(code, str) and (
        code.startswith("invalid") or code in _REQUEST_FAULTS
    )
    return ProviderError(text, retryable=not blames_request)


def map_sdk_error(
    error: Exception, model: str, base_url: str, key: str | None = None
) -> ProviderError:
    """One clear message per failure kind; never includes the API key (`key`, the one sent),
    nor credentials in the base URL, and the backend's own words are redacted and shortened."""
    base_url = display_url(base_url)
    if isinstance(error, openai.AuthenticationError):
        return AuthenticationError(
            f"The backend at {base_url} rejected the API key (401). Set a valid OPENAI_API_KEY "
            "in the environment the editor starts codex-lsp from and restart it, or choose "
            "backend 'local'. No model calls until then."
        )
    if isinstance(error, openai.PermissionDeniedError):
        return AuthenticationError(f"The API key may not use model '{model}' (403).")
    if isinstance(error, openai.APIStatusError) and _is_model_not_found(error):
        return ModelNotFoundError(model, backend_words(str(error.message), key))
    if isinstance(error, openai.APIStatusError):
        return _status_error(error, base_url, key)
    if isinstance(error, openai.APITimeoutError):
        return ProviderError(
            f"The model at {base_url} stopped answering (timeout).", retryable=True
        )
    if isinstance(error, openai.APIConnectionError):
        return ProviderError(
            f"Lost the connection to {base_url}: {backend_words(str(error), key)}", retryable=True
        )
    if isinstance(error, openai.APIError):  # the SDK's form of an error chunk in a Chat stream
        return stream_failure(error.code, str(error.message), key)
    if isinstance(error, json.JSONDecodeError):  # an event that is not JSON: a mangled stream
        return ProviderError(
            f"{base_url} sent a broken stream: {backend_words(str(error), key)}", retryable=True
        )
    return ProviderError(f"Model call failed: {backend_words(str(error), key)}")


def _status_error(error: openai.APIStatusError, base_url: str, key: str | None) -> ProviderError:
    pause = retry_after_s(error.response.headers)
    if isinstance(error, openai.RateLimitError):
        return RateLimitError(f"Rate limited by {base_url} (429).", retry_after_s=pause)
    retryable = error.status_code >= 500 or error.status_code in (408, 409)
    return ProviderError(
        f"{base_url} answered {error.status_code}: {backend_words(str(error.message), key)}",
        retryable=retryable,
        retry_after_s=pause if retryable else None,
    )
