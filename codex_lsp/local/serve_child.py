"""Child-process entry that runs llama.cpp's HTTP server (via xllamacpp) for the language server.

Started by :class:`codex_lsp.local.server.LocalModelServer` as
``python -m codex_lsp.local.serve_child --model PATH --port 0 --parent-pid PID ...``.
It runs in its own process so that a crash in native code cannot take the language server
down, and it must never outlive its parent: on Linux the kernel kills it when the parent dies
(``PR_SET_PDEATHSIG``), and a watchdog thread polling the parent pid covers other systems and
the fork/prctl race. Loading the model holds the GIL, so the watchdog only runs after it.

Protocol with the parent: the API key every request must carry arrives in the environment
variable ``CODEX_LSP_LOCAL_API_KEY`` (never on the command line, which any local user can read
in /proc), and the child answers nothing without it. stdout carries exactly one JSON line,
``{"codex_lsp_local": "listening", "url": "http://127.0.0.1:PORT"}``, once the model is
loaded; logs go to stderr. Exit codes: 3 = the model could not be loaded, 4 = xllamacpp is not
installed, 5 = no API key was given (all permanent: the parent does not retry them).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

log = logging.getLogger("codex_lsp.local.serve_child")

READY_KEY = "codex_lsp_local"
EXIT_LOAD_FAILED = 3
EXIT_NO_XLLAMACPP = 4
EXIT_NO_API_KEY = 5
API_KEY_ENV = "CODEX_LSP_LOCAL_API_KEY"
_PR_SET_PDEATHSIG = 1
_WATCHDOG_INTERVAL = 0.5


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
    api_key = os.environ.pop(API_KEY_ENV, "")  # popped: nothing this process starts inherits it
    if not api_key:
        log.error("%s is not set: the model server never answers without a key", API_KEY_ENV)
        return EXIT_NO_API_KEY
    _die_with_parent(args.parent_pid)
    try:
        import xllamacpp
    except ImportError:
        log.error("xllamacpp is not installed. Fix: pip install 'codex-lsp[local]'")
        return EXIT_NO_XLLAMACPP
    try:
        server = xllamacpp.Server(_params(xllamacpp, args, api_key))
    except RuntimeError as error:  # llama.cpp has already logged why to stderr
        log.error("llama.cpp could not load %s: %s", args.model, error)
        return EXIT_LOAD_FAILED
    _announce(str(server.listening_address))
    # The HTTP server runs on llama.cpp's threads; this thread only keeps `server` alive.
    # SIGTERM (from LocalModelServer.stop) ends the process with the default action.
    threading.Event().wait()
    return 0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m codex_lsp.local.serve_child")
    parser.add_argument("--model", required=True, help="GGUF file to serve")
    parser.add_argument("--port", type=int, default=0, help="0 lets the OS pick a free port")
    parser.add_argument("--parent-pid", type=int, required=True, help="exit when it dies")
    parser.add_argument("--ctx", type=int, default=8192, help="total context, split over slots")
    parser.add_argument("--parallel", type=int, default=2, help="number of slots")
    parser.add_argument("--threads", type=int, default=1, help="threads generating tokens")
    parser.add_argument("--threads-batch", type=int, help="threads reading prompts [threads]")
    parser.add_argument("--cache-ram-mib", type=int, default=1024)
    parser.add_argument(
        "--cache-reuse", type=int, default=0, help="min chunk of a cached prompt to shift [0: off]"
    )
    parser.add_argument("--verbosity", type=int, default=2, help="llama.cpp log level, 3 = info")
    return parser.parse_args(argv)


def _params(xllamacpp: Any, args: argparse.Namespace, api_key: str) -> Any:
    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.hostnames = ["127.0.0.1"]  # never reachable from other machines
    # Other local users (and local processes of this one) can reach 127.0.0.1: without the key
    # llama.cpp answers 401 everywhere but /health (measured).
    params.api_keys = [api_key]
    params.port = args.port
    # Slots do not share KV memory (kv_unified is False by default): each slot gets
    # ctx / parallel tokens and keeps its own prompt cache (cache_prompt is on by default),
    # so a diagnostics request does not evict the completion slot's prefix.
    params.n_ctx = args.ctx
    params.n_parallel = args.parallel
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads_batch or args.threads
    params.cache_ram_mib = args.cache_ram_mib  # host-RAM store of evicted slot prompts
    # Reuse cached chunks of at least this many tokens found further along a slot's prompt by
    # shifting them (llama.cpp's --cache-reuse): a prompt whose head lost lines re-reads only
    # its new tokens, not everything after the first difference.
    params.n_cache_reuse = args.cache_reuse
    params.offline = True  # never download anything
    params.ui = False
    # Browsers on other sites must not read answers from this server either
    # (llama.cpp's documented setting for same-machine use); /slots would show prompts.
    params.cors_origins = "localhost"
    params.cors_credentials = False
    params.endpoint_slots = False
    params.verbosity = args.verbosity
    return params


def _announce(url: str) -> None:
    sys.stdout.write(json.dumps({READY_KEY: "listening", "url": url}) + "\n")
    sys.stdout.flush()


def _die_with_parent(parent_pid: int) -> None:
    """Arrange to exit when the parent dies, however it dies (SIGKILL included)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
    is_real_parent = os.getppid() == parent_pid
    if _parent_gone(parent_pid, is_real_parent):  # died before prctl took effect
        os._exit(1)
    watchdog = threading.Thread(
        target=_watch_parent, args=(parent_pid, is_real_parent), daemon=True, name="watchdog"
    )
    watchdog.start()


def _watch_parent(parent_pid: int, is_real_parent: bool) -> None:
    while not _parent_gone(parent_pid, is_real_parent):
        time.sleep(_WATCHDOG_INTERVAL)
    log.error("parent %d is gone; exiting", parent_pid)
    os._exit(1)  # no cleanup: llama.cpp's threads would otherwise keep the process alive


def _parent_gone(parent_pid: int, is_real_parent: bool) -> bool:
    if is_real_parent:
        return os.getppid() != parent_pid  # re-parented to init or a subreaper
    try:
        os.kill(parent_pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


if __name__ == "__main__":
    raise SystemExit(main())
