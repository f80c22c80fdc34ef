"""Logging: API keys never reach a log line, whatever their shape."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcInvalidParams

from codex_lsp.logs import ClientErrorsInBrief, RedactKeys, configure_logging

SK_KEY = "sk-proj-Q7w3E9r1T5y8U2i4O6p0AsDf"
PROXY_KEY = "litellm-master-7f3a9c2e"  # a gateway key: does not look like an OpenAI key


def formatted(
    env_key: str | None, monkeypatch: pytest.MonkeyPatch
) -> tuple[logging.Logger, io.StringIO]:
    if env_key is None:
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    else:
        monkeypatch.setenv("OPENAI_API_KEY", env_key)
    return filtered_by(RedactKeys())


def filtered_by(log_filter: logging.Filter) -> tuple[logging.Logger, io.StringIO]:
    """A logger whose one handler formats into the returned stream through `log_filter`."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(log_filter)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("codex_lsp.tests.logs")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    pygls = logging.getLogger("pygls")
    handlers, root_level, pygls_level = root.handlers[:], root.level, pygls.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(root_level)
    pygls.setLevel(pygls_level)


@pytest.mark.parametrize(
    ("env_key", "message", "args", "expected"),
    [
        (None, "using key %s", (SK_KEY,), "INFO codex_lsp.tests.logs: using key [REDACTED]"),
        (
            None,
            f"header Bearer {SK_KEY}.",
            (),
            "INFO codex_lsp.tests.logs: header Bearer [REDACTED].",
        ),
        (
            PROXY_KEY,
            "auth failed for %r at %s",
            (PROXY_KEY, "http://gw:4000"),
            "INFO codex_lsp.tests.logs: auth failed for '[REDACTED]' at http://gw:4000",
        ),
        (
            SK_KEY,
            "key=%s other=%s",
            (SK_KEY, "sk-other-abcdefgh12"),
            "INFO codex_lsp.tests.logs: key=[REDACTED] other=[REDACTED]",
        ),
        ("abc", "abc is not a key", (), "INFO codex_lsp.tests.logs: abc is not a key"),
        (
            None,
            "task-runner-1234567890 sk-short",
            (),
            "INFO codex_lsp.tests.logs: task-runner-1234567890 sk-short",
        ),
        (
            PROXY_KEY,
            "settings %(settings)s",
            ({"settings": {"key": PROXY_KEY}},),
            "INFO codex_lsp.tests.logs: settings {'key': '[REDACTED]'}",
        ),
    ],
    ids=[
        "sk-key-in-args",
        "sk-key-in-message",
        "exact-configured-key",
        "configured-and-other-sk-key",
        "short-configured-key-ignored",
        "look-alikes-kept",
        "mapping-args",
    ],
)
def test_redacts_keys_from_the_formatted_record(
    monkeypatch: pytest.MonkeyPatch,
    env_key: str | None,
    message: str,
    args: tuple[Any, ...],
    expected: str,
) -> None:
    logger, stream = formatted(env_key, monkeypatch)
    logger.info(message, *args)
    assert stream.getvalue() == expected + "\n"


def test_redacts_keys_from_a_logged_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    logger, stream = formatted(PROXY_KEY, monkeypatch)
    try:
        raise RuntimeError(f"gateway rejected {PROXY_KEY}")
    except RuntimeError:
        logger.exception("call failed")
    assert PROXY_KEY not in stream.getvalue()


def test_configure_logging_writes_redacted_lines_to_the_log_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_logging: None
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", PROXY_KEY)
    log_file = tmp_path / "codex-lsp.log"
    configure_logging("INFO", str(log_file))
    logging.getLogger("codex_lsp.tests.configure").info("key %s", PROXY_KEY)
    logging.getLogger("pygls.protocol").info("document text")
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == [
        "INFO codex_lsp.tests.configure: key [REDACTED]"
    ]
    assert logging.getLogger("pygls").level == logging.WARNING


def test_a_new_log_file_is_readable_by_its_owner_only(
    tmp_path: Path, restore_logging: None
) -> None:
    """At DEBUG the log holds every document the editor sends (redacted, but the user's code):
    on a shared machine, others must not read it."""
    log_file = tmp_path / "codex-lsp.log"
    configure_logging("DEBUG", str(log_file))
    logging.getLogger("codex_lsp.tests.mode").debug("def secret_algorithm(): ...")
    assert log_file.stat().st_mode & 0o777 == 0o600


def test_secrets_in_a_logged_document_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    # At DEBUG pygls logs each JSON-RPC message, a didOpen's document text included.
    logger, stream = formatted(None, monkeypatch)
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    logger.debug('{"method": "textDocument/didOpen", "text": "GITHUB_TOKEN = \\"%s\\"\\n"}', token)
    assert token not in stream.getvalue()
    assert "didOpen" in stream.getvalue()


def test_a_request_the_client_got_wrong_is_one_warning_line_not_a_traceback() -> None:
    logger, stream = filtered_by(ClientErrorsInBrief())
    for error in (
        JsonRpcInvalidParams.of("Command name 'no.such' is not defined"),
        RuntimeError("a real fault"),
    ):
        try:
            raise error
        except Exception:
            logger.exception('Exception occurred for message "2"')

    client_error, real_fault = stream.getvalue().split("\nERROR ", 1)
    assert client_error.startswith("WARNING ") and "no.such" in client_error
    assert "Traceback" not in client_error
    assert "Traceback" in real_fault and "a real fault" in real_fault
