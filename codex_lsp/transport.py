"""Carries LSP over stdio or TCP with a framing reader that survives bad frames.

TCP serves exactly one client: the first connection owns the session and the listener closes
behind it, so no other local process can join, read its replies or steer it (pygls' own
`start_tcp` accepts any number of connections into one shared server: a newcomer takes over
the replies and can change the settings, base URL included).

The reader finds `Content-Length` anywhere in a header line, so a frame whose length was wrong
costs that frame only (pygls' reader then loses every following message until a header
happens to start a line); a body that is not JSON costs nothing else.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import re
import stat
import sys
import threading
from collections.abc import Awaitable
from typing import Protocol

from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_tcp(server: LanguageServer, host: str, port: int) -> None:
    """Listen on host:port, serve the first client until it leaves, then stop."""
    try:
        asyncio.run(_serve(server, host, port))
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]


async def _serve(server: LanguageServer, host: str, port: int) -> None:
    session_over = asyncio.Event()
    owner: list[asyncio.StreamWriter] = []

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if owner:  # a connection accepted before the listener closed
            log.warning("refused a second TCP client from %s", writer.get_extra_info("peername"))
            writer.close()
            return
        owner.append(writer)
        listener.close()  # nobody else gets in, even after this client leaves
        log.info("TCP client connected from %s", writer.get_extra_info("peername"))
        try:
            await _run_session(server, reader, writer)
        finally:
            session_over.set()

    listener = await asyncio.start_server(connection, host, port, limit=READ_LIMIT)
    names = ", ".join(str(sock.getsockname()) for sock in listener.sockets)
    log.info("serving LSP on %s for one client", names)
    await session_over.wait()
    listener.close()


async def _run_session(
    server: LanguageServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    server.protocol.set_writer(writer)
    try:
        await read_messages(server, reader)
    finally:
        writer.close()


def serve_stdio(server: LanguageServer) -> None:
    """Serve on stdin/stdout (stdout carries nothing else) until the client leaves."""
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
    try:
        asyncio.run(_serve_stdin(server))
    except BrokenPipeError:
        log.error("the client's connection is gone; stopping")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]


async def _serve_stdin(server: LanguageServer) -> None:
    await read_messages(server, await _stdin_reader(server))


async def _stdin_reader(server: LanguageServer) -> Reader:
    """stdin read by the event loop itself when it is a pipe or a socket (what editors give):
    pygls' reader hands every header line and body to a worker thread, three thread round
    trips a message, each contending for the GIL with the loop. Anything else (a regular
    file, /dev/null, a terminal) keeps pygls' reader: epoll refuses files and /dev/null."""
    mode = os.fstat(sys.stdin.fileno()).st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return StdinAsyncReader(sys.stdin.buffer, server.thread_pool)
    reader = asyncio.StreamReader(limit=READ_LIMIT)
    protocol = asyncio.StreamReaderProtocol(reader)
    await asyncio.get_running_loop().connect_read_pipe(lambda: protocol, sys.stdin.buffer)
    return reader


class Reader(Protocol):
    def readline(self) -> Awaitable[bytes]: ...

    def readexactly(self, n: int) -> Awaitable[bytes]: ...


_LENGTH = re.compile(rb"Content-Length:\s*(\d+)", re.IGNORECASE)
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
READ_LIMIT = 2**20  # a header line longer than this is dropped (a stream reader's line limit)


async def read_messages(server: LanguageServer, reader: Reader) -> None:
    """Frames in, messages handed to the protocol, until end of input or shutdown."""
    server._stop_event = stop_event = threading.Event()  # pygls' exit handler sets it
    length = 0
    while not stop_event.is_set():
        try:
            line = await reader.readline()
        except ValueError:  # a line over READ_LIMIT: the stream reader dropped it
            log.warning("dropped a header line of over %d bytes", READ_LIMIT)
            length = 0
            continue
        if not line:
            return
        found = _LENGTH.search(line)
        if found:
            length = int(found.group(1))
            continue
        if line.strip() or not length:
            continue  # another header (Content-Type), or noise between frames
        if length > MAX_MESSAGE_BYTES:
            log.error("refusing a %d-byte message; closing", length)
            return
        try:
            body = await reader.readexactly(length)
        except asyncio.IncompleteReadError:  # the input ended inside a message
            return
        length = 0
        if not body:
            return
        _handle(server, body)


def _handle(server: LanguageServer, body: bytes) -> None:
    protocol = server.protocol
    try:
        message = json.loads(body, object_hook=protocol.structure_message)
    except Exception as error:  # not JSON, or params that do not validate (already answered)
        log.warning("dropped an unreadable message: %s", str(error)[:200])
        return
    if not hasattr(message, "jsonrpc"):
        log.warning("dropped a message that is not JSON-RPC")
        return
    try:
        protocol.handle_message(message)
    except Exception:
        log.exception("could not handle a message")
