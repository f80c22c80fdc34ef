"""Command line: `codex-lsp` serves LSP (stdio by default, or --tcp), `doctor` checks the setup.

Only this module configures logging handlers: stderr or a file, never stdout (the LSP channel),
always through a filter that redacts API keys.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from codex_lsp import __version__
from codex_lsp.logs import configure_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codex-lsp", description="An AI language server: completions, diagnostics, fixes."
    )
    parser.add_argument("--version", action="version", version=f"codex-lsp {__version__}")
    parser.add_argument("--log-file", help="write logs to this file (default: stderr)")
    parser.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve LSP (the default)")
    for target in (parser, serve):
        group = target.add_mutually_exclusive_group()
        group.add_argument("--stdio", action="store_true", help="serve on stdin/stdout (default)")
        group.add_argument("--tcp", metavar="HOST:PORT", help="serve on a TCP socket")
    sub.add_parser("doctor", help="print resolved settings and check the backend")
    check = sub.add_parser("check", help="review files with the model, like a linter")
    from codex_lsp.check import add_arguments

    add_arguments(check)
    return parser


def _host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not port.isdigit():
        raise SystemExit(f"codex-lsp: --tcp expects HOST:PORT, got {value!r}")
    return host or "127.0.0.1", int(port)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging(args.log_level, args.log_file)
    if args.command == "doctor":
        from codex_lsp.doctor import run_doctor

        return asyncio.run(run_doctor(sys.stdout))
    if args.command == "check":
        from codex_lsp.check import run_check

        return asyncio.run(run_check(args))
    from codex_lsp.server import build_server

    server = build_server()
    if args.tcp:
        host, port = _host_port(args.tcp)
        logging.getLogger(__name__).info("serving LSP on %s:%d", host, port)
        server.start_tcp(host, port)
    else:
        server.start_io()
    return 0
