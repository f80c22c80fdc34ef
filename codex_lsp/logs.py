"""Logging setup for the command line: stderr or a file, with API keys and other secrets
redacted (at DEBUG, pygls logs every message, document text included)."""

from __future__ import annotations

import logging
import os
import re

from codex_lsp.engine.secrets import redact as redact_secrets

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


def configure_logging(level: str, log_file: str | None) -> None:
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler()
    )
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
