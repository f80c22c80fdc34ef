"""Logging setup for the command line: stderr or a file, with API keys redacted."""

from __future__ import annotations

import logging
import os
import re

_KEY = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,})")


class RedactKeys(logging.Filter):
    """Replaces anything that looks like an OpenAI key, and the configured key itself."""

    def __init__(self) -> None:
        super().__init__()
        self._exact = os.environ.get("OPENAI_API_KEY") or ""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._exact and len(self._exact) >= 8:
            message = message.replace(self._exact, "[REDACTED]")
        message = _KEY.sub("[REDACTED]", message)
        record.msg, record.args = message, None
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
