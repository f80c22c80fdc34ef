"""Serves LSP on TCP to exactly one client: the first connection owns the session and the
listener closes behind it, so no other local process can join, read its replies or steer it.

pygls' own `start_tcp` accepts any number of connections into one shared server (a newcomer
takes over the replies and can change the settings, base URL included); this replaces it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import threading

from pygls.io_ import run_async
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

    listener = await asyncio.start_server(connection, host, port, limit=2**20)
    names = ", ".join(str(sock.getsockname()) for sock in listener.sockets)
    log.info("serving LSP on %s for one client", names)
    await session_over.wait()
    listener.close()


async def _run_session(
    server: LanguageServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    server._stop_event = stop_event = threading.Event()  # pygls checks it between messages
    server.protocol.set_writer(writer)
    try:
        await run_async(
            stop_event=stop_event,
            reader=reader,
            protocol=server.protocol,
            logger=log,
            error_handler=server.report_server_error,
        )
    finally:
        writer.close()
