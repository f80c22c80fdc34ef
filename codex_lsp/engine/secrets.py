"""Keeps secrets out of prompts: excluded files are never sent, secret-looking text is redacted.

Redaction keeps line structure (a value is replaced on its own line) so line numbers the model
reports still match the document.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import PurePosixPath
from urllib.parse import unquote, urlparse

REDACTED = "[REDACTED]"

_PATTERNS = [
    re.compile(
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)"
    ),
    re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}"),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}\b"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b"),
]
# `password = "hunter2"`, `API_KEY: 'abc...'`: the value of a secret-named assignment.
_ASSIGNMENT = re.compile(
    r"""(?P<name>\b[\w.-]*(?:passw(?:or)?d|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|"""
    r"""(?<![a-z])auth(?:_?token|_?key|orization)?(?![a-z])|credential)[\w.-]*["']?\s*[:=]\s*)(?P<quote>["'])(?P<value>[^"'\n]{6,})(?P=quote)""",
    re.IGNORECASE,
)
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/\s@]+:)(?P<pw>[^@/\s]{3,})(?=@)")


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(_keep_newlines, text)
    text = _ASSIGNMENT.sub(
        lambda m: (
            f"{m['name']}{m['quote']}{REDACTED}{m['quote']}"
            if not _looks_like_placeholder(m["value"])
            else m.group(0)
        ),
        text,
    )
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}{REDACTED}", text)


def _keep_newlines(match: re.Match[str]) -> str:
    return REDACTED + "\n" * match.group(0).count("\n")


def _looks_like_placeholder(value: str) -> bool:
    lowered = value.lower()
    return lowered.startswith(("<", "${", "{{", "os.environ", "env")) or lowered in {
        "changeme",
        "password",
        "xxxxxx",
        "example",
        "secret",
        "redacted",
    }


def uri_path(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme else uri


def is_excluded(uri: str, globs: list[str]) -> bool:
    """True when the file's name or path matches any glob (`*.pem`, `config/secrets.*`)."""
    path = PurePosixPath(uri_path(uri))
    for glob in globs:
        if fnmatch.fnmatch(path.name, glob) or fnmatch.fnmatch(str(path), glob):
            return True
        if "/" in glob and fnmatch.fnmatch(str(path), f"*/{glob.lstrip('/')}"):
            return True
    return False
