"""Redaction of secret-looking text and the files that are never sent to a model."""

from __future__ import annotations

import pytest

from codex_lsp.engine.secrets import is_excluded, redact, uri_path
from codex_lsp.settings import Settings

# Fake credentials in the shapes providers issue; none of them is real.
OPENAI_KEY = "sk-proj-Q7w3E9r1T5y8U2i4O6p0AsDf"
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key = {OPENAI_KEY}", "key = [REDACTED]"),
        (
            f'client = OpenAI(api_key="{OPENAI_KEY}")',
            'client = OpenAI(api_key="[REDACTED]")',
        ),
        ("aws_id = AKIAIOSFODNN7EXAMPLE", "aws_id = [REDACTED]"),
        (f"gh {GITHUB_TOKEN} done", "gh [REDACTED] done"),
        ("SLACK = xoxb-1234567890-abcdefghij", "SLACK = [REDACTED]"),
        ("maps AIza" + "B" * 35 + " end", "maps [REDACTED] end"),
        (
            "auth: eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4f",
            "auth: [REDACTED]",
        ),
        (
            "pem = '''\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAKC\n"
            "-----END RSA PRIVATE KEY-----\n'''",
            "pem = '''\n[REDACTED]\n\n\n\n'''",
        ),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1r\nAAAAB",
            "[REDACTED]\n\n",
        ),
        ('password = "hunter22"', 'password = "[REDACTED]"'),
        ("db_password: 's3cr3t-value'", "db_password: '[REDACTED]'"),
        ('"clientSecret": "9f8e7d6c5b4a"', '"clientSecret": "[REDACTED]"'),
        (
            "postgres://app:hunter2@db.internal:5432/prod",
            "postgres://app:[REDACTED]@db.internal:5432/prod",
        ),
        ('password = "changeme"', 'password = "changeme"'),
        ('api_key = "${OPENAI_API_KEY}"', 'api_key = "${OPENAI_API_KEY}"'),
        ('token = "<your token here>"', 'token = "<your token here>"'),
        ('password = "abc"', 'password = "abc"'),
        ("https://user:pw@example.com", "https://user:pw@example.com"),
        ("total = sum(values)  # tokens: 12", "total = sum(values)  # tokens: 12"),
        ("task-runner-1234567890abcdef", "task-runner-1234567890abcdef"),
    ],
    ids=[
        "openai-key",
        "openai-key-in-api-key-argument",
        "aws-access-key-id",
        "github-token",
        "slack-token",
        "google-api-key",
        "jwt",
        "private-key-block-keeps-lines",
        "unterminated-private-key-to-the-end",
        "password-assignment",
        "yaml-password",
        "json-secret",
        "url-password",
        "placeholder-kept",
        "env-reference-kept",
        "angle-placeholder-kept",
        "short-value-kept",
        "short-url-password-kept",
        "plain-code-unchanged",
        "sk-inside-a-word-kept",
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact(text).count("\n") == text.count("\n")


@pytest.mark.parametrize(
    "text",
    ['__author__ = "Guido van Rossum"', 'AUTHORITY = "login.example.com"'],
    ids=["author", "authority"],
)
def test_names_that_merely_contain_auth_are_not_secrets(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("uri", "extra_globs", "expected"),
    [
        ("file:///p/.env", [], True),
        ("file:///p/.env.local", [], True),
        ("file:///p/certs/server.pem", [], True),
        ("file:///p/tls.key", [], True),
        ("file:///home/u/.ssh/id_rsa", [], True),
        ("file:///home/u/.ssh/id_rsa.pub", [], True),
        ("file:///p/config/secrets.yaml", [], True),
        ("file:///p/my%20dir/.env", [], True),
        ("file:///p/src/main.py", [], False),
        ("file:///p/src/environment.py", [], False),
        ("file:///p/src/keys.py", [], False),
        ("file:///p/.envrc.d/readme.md", [], False),
        ("untitled:Untitled-1", [], False),
        ("file:///p/data/app.sqlite", ["*.sqlite"], True),
        ("file:///p/config/app.json", ["config/*.json"], True),
        ("file:///p/other/app.json", ["config/*.json"], False),
        ("file:///p/config/app.json", ["/config/*.json"], True),
    ],
    ids=[
        "dotenv",
        "dotenv-variant",
        "pem",
        "key",
        "ssh-private-key",
        "ssh-public-key",
        "secrets-file",
        "percent-encoded-path",
        "source-file",
        "name-starting-with-env",
        "name-containing-key",
        "directory-named-like-dotenv",
        "untitled-buffer",
        "user-glob-on-name",
        "user-glob-with-directory",
        "user-glob-other-directory",
        "user-glob-rooted",
    ],
)
def test_is_excluded(uri: str, extra_globs: list[str], expected: bool) -> None:
    globs = Settings(exclude=extra_globs).excluded_globs()
    assert is_excluded(uri, globs) is expected


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("file:///home/a%20b/x.py", "/home/a b/x.py"),
        ("untitled:Untitled-1", "Untitled-1"),
        ("src/x.py", "src/x.py"),
    ],
    ids=["file-uri-decoded", "other-scheme", "plain-path"],
)
def test_uri_path(uri: str, expected: str) -> None:
    assert uri_path(uri) == expected
