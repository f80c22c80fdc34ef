"""Maps the openai SDK's exceptions to `ProviderError`s with messages a user can act on."""

from __future__ import annotations

import openai

from codex_lsp.providers.base import AuthenticationError, ModelNotFoundError, ProviderError
from codex_lsp.trust import display_url, shorten


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


def map_sdk_error(error: Exception, model: str, base_url: str) -> ProviderError:
    """One clear message per failure kind; never includes the API key, nor credentials in the
    base URL, and the backend's own words are shortened."""
    base_url = display_url(base_url)
    if isinstance(error, openai.AuthenticationError):
        return AuthenticationError(
            f"The backend at {base_url} rejected the API key (401). Set a valid OPENAI_API_KEY "
            "in the environment the editor starts codex-lsp from, or choose backend 'local'."
        )
    if isinstance(error, openai.PermissionDeniedError):
        return AuthenticationError(f"The API key may not use model '{model}' (403).")
    if isinstance(error, openai.APIStatusError) and _is_model_not_found(error):
        return ModelNotFoundError(model, shorten(str(error.message)))
    if isinstance(error, openai.RateLimitError):
        return ProviderError(
            f"Rate limited by {base_url} (429); try again shortly.", retryable=True
        )
    if isinstance(error, openai.APITimeoutError):
        return ProviderError(
            f"The model at {base_url} stopped answering (timeout).", retryable=True
        )
    if isinstance(error, openai.APIConnectionError):
        return ProviderError(
            f"Lost the connection to {base_url}: {shorten(str(error))}", retryable=True
        )
    if isinstance(error, openai.APIStatusError):
        retry = error.status_code >= 500
        return ProviderError(
            f"{base_url} answered {error.status_code}: {shorten(str(error.message))}",
            retryable=retry,
        )
    return ProviderError(f"Model call failed: {shorten(str(error))}")
