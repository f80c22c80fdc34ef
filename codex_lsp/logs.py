"""Logging setup for the command line: stderr or a file, with API keys and other secrets
redacted (at DEBUG, pygls logs every message, document text included)."""

from __future__ import annotations

import contextlib
import logging
import os
import re

from codex_lsp.engine.secrets import redact as redact_secrets

# JSON-RPC's invalid request, method not found, invalid params. Matched by code and module,
# not by importing pygls here: `serve` starts the tokenizer before pygls is imported.
_CLIENT_ERRORS = {-32600, -32601, -32602}

_KEY = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,})")


class RedactKeys(logging.Filter):
    """Replaces the configured key itself, anything that looks like an OpenAI key, and every
    secret the prompt redaction knows."""

    def __init__(self) -> None:
        super().__init__()
        self._exact = os.environ.get("OPENAI_API_KEY") or ""

    def redact(self, text: str) -> str:
        if self._exact and len(self._exact) >= 8:
            text = text.replace(self._exact, "[REDACTED]")
        return redact_secrets(_KEY.sub("[REDACTED]", text))

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info:
            # Tracebacks are formatted later from exc_info: format (and redact) them now.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class ClientErrorsInBrief(logging.Filter):
    """pygls logs, with a traceback at ERROR, every request it answers with a JSON-RPC error,
    an unknown command too: the client's mistake, already told to the client. One line at
    WARNING says it without looking like a crash of the server."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if _client_error(error):
            record.msg, record.args = f"{record.getMessage()}: {error}", None
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _client_error(error: BaseException | None) -> bool:
    return (
        error is not None
        and type(error).__module__ == "pygls.exceptions"
        and getattr(error, "code", None) in _CLIENT_ERRORS
    )


def configure_logging(level: str, log_file: str | None) -> None:
    if log_file:
        _create_private(log_file)
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler()
    )
    handler.addFilter(ClientErrorsInBrief())
    handler.addFilter(RedactKeys())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if level != "DEBUG":
        # pygls logs every JSON-RPC message at INFO: document text, too noisy and too revealing.
        logging.getLogger("pygls").setLevel(logging.WARNING)
        # A cancel that arrives after its request finished is normal editor behaviour.
        logging.getLogger("pygls.protocol.json_rpc").setLevel(logging.ERROR)


def _create_private(path: str) -> None:
    """A new log file is made readable by its owner only: at DEBUG it holds every document the
    editor sends (redacted, but the user's code). An existing file keeps the mode it has."""
    with contextlib.suppress(OSError):  # FileHandler then says why it cannot open the file
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
