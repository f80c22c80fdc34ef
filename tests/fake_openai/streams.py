"""Playing one answer out as a stream, with mid-stream faults injected at the right delta.

The same driver serves both APIs: a ``Player`` (``wire.ResponseEvents`` or
``wire.ChatChunks``) knows the bytes, the driver knows the order, the pacing and where a fault
strikes.
"""

from __future__ import annotations

import time
from enum import Enum
from typing import Protocol

from .script import Answer, Fault, FaultKind
from .transport import HttpExchange
from .wire import Usage

__all__ = ["Outcome", "Player", "chunk_text", "play_stream"]

_FAULT_MESSAGE = "The server had an error while processing your request. Sorry about that!"


class Outcome(Enum):
    COMPLETED = "completed"
    DISCONNECTED = "disconnected"  # the client went away
    FAULTED = "faulted"  # an injected error event or response.failed ended the stream
    DROPPED = "dropped"  # an injected fault cut the connection
    STOPPED = "stopped"  # the fake server is shutting down


class Player(Protocol):
    def opening(self) -> bytes: ...
    def delta(self, text: str) -> bytes: ...
    def closing(self, usage: Usage) -> bytes: ...
    def error(self, code: str, message: str) -> bytes: ...
    def failed(self, code: str, message: str) -> bytes: ...


def chunk_text(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


def play_stream(
    exchange: HttpExchange,
    player: Player,
    answer: Answer,
    text: str,
    usage: Usage,
    sent_at: list[float] | None = None,
) -> Outcome:
    """Send the whole stream; the caller ends or abandons the chunked body afterwards.
    `sent_at` gets the time each text delta went out."""
    fault = answer.fault if answer.fault and answer.fault.in_stream else None
    if not exchange.send(player.opening()):
        return _why_stopped(exchange)
    deltas = chunk_text(text, answer.chunk_chars)
    for index, delta in enumerate(deltas):
        if index and answer.delay_s and not exchange.pause(answer.delay_s):
            return _why_stopped(exchange)
        if fault and index == fault.after_deltas:
            outcome = _inject(exchange, player, fault)
            if outcome is not None:
                return outcome
        if not exchange.send(player.delta(delta)):
            return _why_stopped(exchange)
        if sent_at is not None:
            sent_at.append(time.time())
    if fault and fault.after_deltas >= len(deltas):
        outcome = _inject(exchange, player, fault)
        if outcome is not None:
            return outcome
    if not exchange.send(player.closing(usage)):
        return _why_stopped(exchange)
    return Outcome.COMPLETED


def _inject(exchange: HttpExchange, player: Player, fault: Fault) -> Outcome | None:
    """Apply a mid-stream fault; None means the stream carries on (a stall that ended)."""
    code = fault.code or "server_error"
    message = fault.message or _FAULT_MESSAGE
    if fault.kind is FaultKind.DROP:
        exchange.drop()
        return Outcome.DROPPED
    if fault.kind is FaultKind.STALL:
        return None if exchange.pause(fault.pause_s) else _why_stopped(exchange)
    if fault.kind is FaultKind.ERROR_EVENT:
        sent = exchange.send(player.error(code, message))
    else:
        sent = exchange.send(player.failed(code, message))
    return Outcome.FAULTED if sent else _why_stopped(exchange)


def _why_stopped(exchange: HttpExchange) -> Outcome:
    return Outcome.DISCONNECTED if exchange.client_gone else Outcome.STOPPED
