"""The fake OpenAI server: a real HTTP server on 127.0.0.1 in a background thread.

``FakeOpenAI`` is the in-process API tests use: start and stop the server, script answers,
read request records and wait on them. Each connection gets its own handler thread
(``ThreadingHTTPServer``), so a stalled stream never blocks other requests. Besides ``/v1``,
the server answers a small control API under ``/_fake`` for scripting from another process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from .caching import PromptCache
from .endpoints import DEFAULT_MODELS, FakeState, Incoming, handle_v1
from .records import Recorder, RequestRecord
from .script import Answer, Responder, default_responder
from .tokens import Tokenizer, approx_tokenize
from .transport import HttpExchange
from .wire import ApiError

__all__ = ["FakeOpenAI"]

log = logging.getLogger(__name__)


class FakeOpenAI:
    """A fake of OpenAI's HTTP API for tests and benchmarks; thread-safe.

    Options may be changed while the server runs (e.g. ``fake.unknown_models.add(...)``);
    they apply from the next request on.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        unknown_models: Iterable[str] = (),
        api_key: str | None = None,
        explicit_cache_models: Iterable[str] = (),
        responses_only_models: Iterable[str] = ("codex-mini-latest",),
        models: Iterable[str] = DEFAULT_MODELS,
        cache_ttl_s: float = 600.0,
        per_prefix_rpm: int | None = 15,
        tokenizer: Tokenizer = approx_tokenize,
        clock: Callable[[], float] = time.monotonic,
        default_responder: Responder = default_responder,
    ) -> None:
        self._host, self._requested_port = host, port
        self._recorder = Recorder()
        self.cache = PromptCache(ttl_s=cache_ttl_s, per_prefix_rpm=per_prefix_rpm, clock=clock)
        self._state = FakeState(
            recorder=self._recorder,
            cache=self.cache,
            responder=default_responder,
            tokenizer=tokenizer,
            unknown_models=set(unknown_models),
            responses_only_models=set(responses_only_models),
            explicit_cache_models=set(explicit_cache_models),
            models=list(models),
            api_key=api_key,
        )
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("FakeOpenAI is already running")
        server = _Server((self._host, self._requested_port), self._state)
        self._thread = threading.Thread(
            target=server.serve_forever,
            # The stdlib loop notices shutdown() only between polls; 0.5 s made every stop slow.
            kwargs={"poll_interval": 0.05},
            name=f"fake-openai:{server.port}",
            daemon=True,
        )
        self._server = server
        self._thread.start()
        log.info("fake OpenAI listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.shutdown()  # stop accepting
        server.close_all()  # end streams, stalls and idle keep-alive connections
        thread.join()
        log.info("fake OpenAI stopped")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not running; call start() first")
        return self._server.port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the server root (the control API lives under it)."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``: what to pass as the SDK's ``base_url``."""
        return f"{self.url}/v1"

    # Options ---------------------------------------------------------------------------

    @property
    def unknown_models(self) -> set[str]:
        return self._state.unknown_models

    @property
    def explicit_cache_models(self) -> set[str]:
        return self._state.explicit_cache_models

    @property
    def responses_only_models(self) -> set[str]:
        return self._state.responses_only_models

    @property
    def api_key(self) -> str | None:
        return self._state.api_key

    @api_key.setter
    def api_key(self, value: str | None) -> None:
        self._state.api_key = value

    @property
    def default_responder(self) -> Responder:
        return self._state.responder

    @default_responder.setter
    def default_responder(self, responder: Responder) -> None:
        self._state.responder = responder

    # Scripting and records -------------------------------------------------------------

    def script(self, *answers: Answer) -> None:
        """Queue answers; each request takes the oldest one whose ``match`` fits."""
        with self._recorder.lock:
            for answer in answers:
                self._state.queue.push(answer)

    def pending(self) -> list[Answer]:
        """Scripted answers not used up yet."""
        with self._recorder.lock:
            return self._state.queue.pending()

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot list of the records (the records themselves keep updating)."""
        return self._recorder.snapshot()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Block until ``predicate()`` holds (re-checked on every record change)."""
        return self._recorder.wait_for(predicate, timeout)

    # A timeout argument (not asyncio.timeout) mirrors wait_for, as the fake's users expect.
    async def await_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> bool:
        """Async ``wait_for`` for tests running in an event loop."""
        return await self._recorder.await_for(predicate, timeout)

    def reset(self) -> None:
        """Forget scripted answers, records and the prompt cache."""
        with self._recorder.lock:
            self._state.queue.clear()
            self.cache.clear()
            self._recorder.clear()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # socketserver's default backlog of 5 resets connections when many clients connect at once.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: FakeState) -> None:
        super().__init__(address, _Handler)
        self.state = state
        self.port: int = self.server_address[1]
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    @property
    def wake(self) -> socket.socket:
        return self._wake_reader

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            (self._connections.add if open_ else self._connections.discard)(connection)

    def close_all(self) -> None:
        self._wake_writer.send(b"x")  # wakes every pause() at once; never read back
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()
        # A handler still finishing sees a closed wake socket as "server gone", which it is.
        self._wake_reader.close()
        self._wake_writer.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked bodies, like api.openai.com
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Each SSE event is its own small write: with Nagle's algorithm on, a write made while
        # the previous one is unacknowledged waits for the client's delayed ACK (40 ms on
        # Linux), a latency OpenAI's servers do not add and the benchmarks would measure.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        with contextlib.suppress(OSError):  # the peer is gone; nothing left to flush to
            super().finish()

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def _dispatch(self) -> None:
        request = Incoming(
            method=self.command,
            path=urlsplit(self.path).path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self._read_body(),
        )
        exchange = HttpExchange(self, self.server.wake)
        if request.path.startswith("/_fake/"):
            _control(self.server.state, request, exchange)
        else:
            handle_v1(self.server.state, request, exchange)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


def _control(state: FakeState, request: Incoming, exchange: HttpExchange) -> None:
    """``/_fake/script``, ``/_fake/requests``, ``/_fake/reset`` for out-of-process scripting."""
    route = (request.method, request.path.rstrip("/"))
    try:
        if route == ("POST", "/_fake/script"):
            payload = json.loads(request.body or b"null")
            items = payload if isinstance(payload, list) else [payload]
            answers = [Answer.from_dict(item) for item in items]
            with state.recorder.lock:
                for answer in answers:
                    state.queue.push(answer)
            exchange.reply_json(200, {"queued": len(answers)})
        elif route == ("GET", "/_fake/requests"):
            exchange.reply_json(200, [r.to_dict() for r in state.recorder.snapshot()])
        elif route == ("POST", "/_fake/reset"):
            with state.recorder.lock:
                state.queue.clear()
                state.cache.clear()
                state.recorder.clear()
            exchange.reply_json(200, {"reset": True})
        else:
            exchange.reply_error(ApiError.invalid_url(request.method, request.path))
    except (ValueError, TypeError, KeyError) as error:
        exchange.reply_error(ApiError.bad_request(f"bad control request: {error}"))
