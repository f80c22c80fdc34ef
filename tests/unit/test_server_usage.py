"""The usage notification of a model call goes out after the answer of the request that made
the call, not before it (it would add a write to the answer's time)."""

from __future__ import annotations

import asyncio
import json

from codex_lsp.engine.usage import CallRecord, Ledger
from codex_lsp.server import USAGE_DELAY_S, USAGE_NOTIFICATION, CodexServer


class Written:
    def __init__(self) -> None:
        self.methods: list[str] = []

    def write(self, data: bytes) -> None:
        body = data.split(b"\r\n\r\n", 1)[-1]
        message = json.loads(body)
        self.methods.append(message.get("method") or f"response {message['id']}")

    def close(self) -> None:
        pass


def test_the_bill_of_a_call_is_sent_after_the_answer() -> None:
    server = CodexServer()
    written = Written()
    server.protocol.set_writer(written)
    ledger = Ledger()
    record = CallRecord("completion", "codex-mini-latest", 9_000, 8_000, 0, 30, 0, 0.004)

    async def a_request_whose_call_ends() -> None:
        server._send_usage(record, ledger)  # as the engine does when the model's stream ends
        server.protocol._send_response(7, {"items": []})  # the request's answer
        await asyncio.sleep(USAGE_DELAY_S + 0.1)

    asyncio.run(a_request_whose_call_ends())

    assert written.methods == ["response 7", USAGE_NOTIFICATION]
