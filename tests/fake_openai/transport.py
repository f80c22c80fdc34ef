"""One HTTP exchange on a live socket: JSON replies, chunked SSE bodies, and disconnects.

Streams use chunked transfer encoding, as OpenAI does, so that a connection closed in the
middle of a body is an error for the client (an incomplete chunked read) rather than a normal
end of body. While the fake waits (between deltas, during a stall) it watches the socket with
``select``: a client that closes its end makes the socket readable with EOF, so cancellation
is noticed at once, even when nothing is being written.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from .wire import ApiError, dumps, new_id

__all__ = ["HttpExchange"]

log = logging.getLogger(__name__)


class HttpExchange:
    """Replies to one request; every send reports whether the client is still there."""

    def __init__(self, handler: BaseHTTPRequestHandler, wake: socket.socket) -> None:
        self._handler = handler
        self._sock: socket.socket = handler.connection
        # Readable once the server stops, so waits end promptly on shutdown.
        self._wake = wake
        self.client_gone = False
        self.server_gone = False

    # Whole replies ---------------------------------------------------------------------

    def reply_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> bool:
        payload = dumps(body).encode()
        handler = self._handler
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.send_header("x-request-id", new_id("req_"))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:
            return self._lost()
        return True

    def reply_error(self, error: ApiError) -> bool:
        return self.reply_json(error.status, error.body(), error.headers)

    # Streams ---------------------------------------------------------------------------

    def start_stream(self) -> bool:
        handler = self._handler
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream; charset=utf-8")
            handler.send_header("Transfer-Encoding", "chunked")
            handler.send_header("Cache-Control", "no-cache")
            handler.send_header("x-request-id", new_id("req_"))
            handler.end_headers()
        except OSError:
            return self._lost()
        return True

    def send(self, data: bytes) -> bool:
        """Send one chunk of the body; False once the client has gone."""
        if self.client_gone or self._peer_closed():
            return self._lost()
        try:
            self._sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))
        except OSError:
            return self._lost()
        return True

    def end_stream(self) -> None:
        try:
            self._sock.sendall(b"0\r\n\r\n")
        except OSError:
            self._lost()

    def pause(self, seconds: float) -> bool:
        """Wait without sending; False if the client left or the server is stopping."""
        deadline = time.monotonic() + seconds
        watched = [self._sock, self._wake]
        while (remaining := deadline - time.monotonic()) > 0:
            readable = _select(watched, remaining)
            if self._wake in readable:
                self.server_gone = True
                return False
            if self._sock in readable:
                if self._at_eof():
                    return self._lost()
                # Pipelined request bytes: the socket can tell us nothing more until we reply.
                watched = [self._wake]
        return True

    def drop(self) -> None:
        """Cut the connection without finishing the body."""
        self._handler.close_connection = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)

    # Disconnect detection --------------------------------------------------------------

    def _peer_closed(self) -> bool:
        return self._sock in _select([self._sock], 0.0) and self._at_eof()

    def _at_eof(self) -> bool:
        try:
            # The client sends nothing while awaiting a reply, so readable means EOF or reset.
            return self._sock.recv(1, socket.MSG_PEEK) == b""
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True

    def _lost(self) -> bool:
        if not self.client_gone:
            log.info("client closed the connection mid-reply")
        self.client_gone = True
        self._handler.close_connection = True
        return False


def _select(sockets: list[socket.socket], timeout: float) -> list[socket.socket]:
    try:
        readable, _, _ = select.select(sockets, [], [], timeout)
    except (OSError, ValueError):  # a socket was closed under us: treat it as readable
        return sockets
    return readable
