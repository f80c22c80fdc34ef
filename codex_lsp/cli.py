"""Command line: `codex-lsp` serves LSP (stdio by default, or --tcp), `doctor` checks the setup,
`check` reviews files like a linter, `trust` manages consent.

Only this module configures logging handlers: stderr or a file, never stdout (the LSP channel),
always through a filter that redacts API keys.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import TextIO

from codex_lsp import __version__
from codex_lsp.logs import configure_logging
from codex_lsp.settings import Environment
from codex_lsp.trust import TrustStore, consent_value, describe

LOOP_SWITCH_INTERVAL_S = 0.001  # see `sys.setswitchinterval` in `main`


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
        group.add_argument(
            "--tcp",
            metavar="[HOST:]PORT",
            help="serve one client on a TCP socket (host 127.0.0.1 unless given)",
        )
        target.add_argument(
            "--allow-remote",
            action="store_true",
            help="allow --tcp on an address other hosts can reach (the first to connect "
            "gets a session with your API key)",
        )
    doctor = sub.add_parser("doctor", help="print resolved settings and check the backend")
    doctor.add_argument(
        "--usage",
        action="store_true",
        help="instead, print today's spend by feature and the cached share of input tokens, "
        "from the spend file every codex-lsp process shares (no model call)",
    )
    trust = sub.add_parser(
        "trust", help="list, allow or revoke hosts and model files that came from settings"
    )
    trust.add_argument("action", choices=["list", "allow", "revoke"])
    trust.add_argument("value", nargs="?", help="a base URL (host) or a model file path")
    from codex_lsp.check import EPILOG, add_arguments

    check = sub.add_parser(
        "check",
        help="review files with the model, like a linter",
        description="Review files with the model, like a linter: findings on stdout, "
        "messages on stderr.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(check)
    return parser


def _host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not port.isdigit() or int(port) > 65535:
        raise SystemExit(f"codex-lsp: --tcp expects [HOST:]PORT, got {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in (None, "serve"):
        # Load the tokenizer while pygls and the server's modules import: building its tables
        # holds 27 MB of Python ranks for a moment, and with everything imported that moment
        # was the server's peak (148 MB; 130-136 MB this way, issue 12). `initialize` is
        # answered about 0.15 s later. (openai is in already: `check`'s arguments import it.)
        from codex_lsp.engine.tokens import warm_up

        warm_up()
    configure_logging(args.log_level, args.log_file)
    env = Environment.take()  # from here on only codex-lsp decides where OPENAI_* values go
    if args.command == "doctor":
        from codex_lsp.doctor import run_doctor, run_usage

        return run_usage(sys.stdout) if args.usage else asyncio.run(run_doctor(sys.stdout, env))
    if args.command == "check":
        from codex_lsp.check import run_check

        return asyncio.run(run_check(args, env=env))
    if args.command == "trust":
        return run_trust(args.action, args.value, sys.stdout)
    from codex_lsp.transport import is_loopback, serve_stdio, serve_tcp  # pygls: after warm_up

    address = _host_port(args.tcp) if args.tcp else None
    if address and not args.allow_remote and not is_loopback(address[0]):
        raise SystemExit(
            f"codex-lsp: --tcp {address[0]} is reachable from other hosts; use 127.0.0.1, "
            "or add --allow-remote if you really mean it"
        )
    from codex_lsp.server import build_server, freeze_start_up_objects

    server = build_server(env)
    # The event loop answers the editor; worker threads (redacting a large document, loading
    # the tokenizer) only compute. When the loop wakes from a read or a write, a thread holding
    # the GIL keeps it for up to this interval: 5 ms by default, added to the answer's time.
    sys.setswitchinterval(LOOP_SWITCH_INTERVAL_S)
    # Every module is imported by now: keep them out of later full collections. The server
    # freezes again once settings and the tokenizer are in; that collection then walks only
    # what came after this one (tens of milliseconds less, a few seconds into the session).
    freeze_start_up_objects()
    if address:
        serve_tcp(server, *address)
    else:
        serve_stdio(server)
    return 0


def run_trust(action: str, value: str | None, out: TextIO) -> int:
    """`codex-lsp trust list|allow|revoke VALUE`: the consent the server asks for, by hand."""
    store = TrustStore()
    if action == "list":
        for entry in store.entries():
            out.write(f"{entry.setting}\t{entry.value}\n")
        out.write(f"({store.path})\n")
        return 0
    if not value:
        out.write(f"codex-lsp trust {action}: name a base URL or a model file\n")
        return 2
    setting = "baseUrl" if "://" in value else "localModelPath"
    if action == "allow":
        store.allow(setting, value)
        out.write(f"allowed {setting} {describe(setting, consent_value(setting, value))}\n")
        return 0
    found = store.revoke(setting, value)
    shown = describe(setting, consent_value(setting, value))
    out.write(f"revoked {setting} {shown}\n" if found else f"{shown} was not allowed\n")
    return 0 if found else 1
