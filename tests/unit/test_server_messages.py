"""What the server shows the user: never the API key, whatever text a message was made from."""

from __future__ import annotations

import json

from codex_lsp.server import CodexServer
from codex_lsp.settings import Environment

GATEWAY_KEY = "gw-7f3a9c1e5b2d8f4a6c0e"  # no format the redaction knows


class Written:
    def __init__(self) -> None:
        self.messages: list[dict[str, object]] = []

    def write(self, data: bytes) -> None:
        self.messages.append(json.loads(data.split(b"\r\n\r\n", 1)[-1]))

    def close(self) -> None:
        pass


def test_a_message_never_shows_the_environments_key() -> None:
    """The last funnel: a message made from any text (a backend's words, an exception) has the
    key cut before it reaches window/showMessage (and the log, which its filter redacts)."""
    server = CodexServer(Environment(api_key=GATEWAY_KEY, base_url="https://gw.example/v1"))
    written = Written()
    server.protocol.set_writer(written)
    server.notices.notify("test", "error", f"codex-lsp: the gateway said: bad key {GATEWAY_KEY}")
    [message] = written.messages
    assert message["method"] == "window/showMessage"
    assert GATEWAY_KEY not in json.dumps(message)
    assert "[REDACTED]" in json.dumps(message)
