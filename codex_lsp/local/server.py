"""Supervise the embedded local model: llama.cpp's server in a child process.

:class:`LocalModelServer` starts ``python -m codex_lsp.local.serve_child`` lazily on the first
:meth:`~LocalModelServer.endpoint`, waits without blocking the event loop until the child reports
its address and ``GET /health`` answers 200, and hands back the OpenAI-compatible base URL with
the API key the child demands: a fresh random one per child, handed over in its environment,
which holds none of the user's keys or tokens. A child that dies unexpectedly is restarted with
exponential backoff (the user is told once through ``on_notice``); after a few failures in a row
the server gives up with a clear message. The child dies with the language server even on
SIGKILL (see ``serve_child``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import importlib.util
import json
import logging
import os
import secrets
import site
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import httpx2
import openai

from codex_lsp.local import serve_child
from codex_lsp.local.weights import DEFAULT_LOCAL_MODEL, LocalModelError, resolve_model_path

log = logging.getLogger(__name__)
child_log = logging.getLogger("codex_lsp.local.llama")

_HEALTH_TIMEOUT = 2.0
_HEALTH_POLL = 0.1
_TERMINATE_GRACE = 5.0
_STABLE_SECONDS = 60.0  # a child that ran this long resets the failure count
_MAX_BACKOFF = 30.0
_OUTPUT_TAIL = 30
CACHE_REUSE_TOKENS = 64
# Environment variables the child does not get: the user's keys for other hosts, and where to
# send them. Matched on the upper-cased name.
_SECRET_PREFIXES = ("OPENAI_",)
_SECRET_SUFFIXES = ("API_KEY", "_TOKEN", "_SECRET", "_SECRET_KEY", "_ACCESS_KEY", "_PASSWORD")


class LocalEndpoint(NamedTuple):
    """Where a running child answers, and the key it wants as ``Authorization: Bearer``."""

    base_url: str
    api_key: str


class _StartFailure(Exception):
    """A launch attempt failed; ``permanent`` ones are not retried."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class LocalModelServer:
    """One llama.cpp child process serving the local model at ``http://127.0.0.1:PORT/v1``."""

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        local_model: str = DEFAULT_LOCAL_MODEL,
        local_model_path: str | None = None,
        cache_dir: Path | None = None,
        threads: int | None = None,
        threads_batch: int | None = None,
        ctx: int = 8192,
        parallel: int = 2,
        cache_reuse: int = CACHE_REUSE_TOKENS,
        on_notice: Callable[[str], None] | None = None,
        max_restarts: int = 3,
        backoff_base: float = 0.5,
        startup_timeout: float = 180.0,
    ) -> None:
        """``model_path`` is used as is; without it the model is resolved (and assembled on
        first use) from ``local_model``/``local_model_path``/``cache_dir``, off the loop.
        ``ctx`` is the total context, split evenly over ``parallel`` slots, each keeping its
        own prompt cache. ``threads`` generate tokens (default: :func:`default_threads`),
        ``threads_batch`` read prompts (default: ``threads``). ``on_notice`` receives the
        messages meant for the user: the first crash/restart, and giving up."""
        if parallel < 1 or ctx < 256 * parallel:
            raise ValueError(f"ctx={ctx} is too small for parallel={parallel} slots")
        self._model_path = model_path
        self._resolve_args = (local_model, local_model_path, cache_dir)
        self.threads = threads or default_threads()
        self.threads_batch = threads_batch or self.threads
        self.ctx = ctx
        self.parallel = parallel
        self.cache_reuse = cache_reuse
        self.on_notice = on_notice
        self._max_restarts = max_restarts
        self._backoff_base = backoff_base
        self._startup_timeout = startup_timeout
        self._supervisor: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[LocalEndpoint] | None = None
        self._api_key = ""
        self._proc: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None
        self._output: collections.deque[str] = collections.deque(maxlen=_OUTPUT_TAIL)
        self._failure: LocalModelError | None = None
        self._crash_noticed = False

    @property
    def pid(self) -> int | None:
        """The child's pid while one is running (for tests and diagnostics)."""
        proc = self._proc
        return proc.pid if proc is not None and proc.returncode is None else None

    @property
    def api_key(self) -> str:
        """The key of the newest child ("" before the first start); clients that may outlive a
        restart should use :meth:`endpoint`, which pairs the key with its URL."""
        return self._api_key

    async def ensure_started(self) -> str:
        """Start the child if needed and return its base URL once it is healthy (see
        :meth:`endpoint`; the key is :attr:`api_key`)."""
        return (await self.endpoint()).base_url

    async def endpoint(self) -> LocalEndpoint:
        """Start the child if needed and return its base URL and API key once it is healthy.

        Concurrent callers share one start; cancelling a caller does not cancel the start.
        Raises :class:`LocalModelError` if the model cannot be served.
        """
        if self._failure is not None:
            raise LocalModelError(str(self._failure))  # a fresh one: no growing traceback
        if self._supervisor is None:
            self._ready = asyncio.get_running_loop().create_future()
            self._supervisor = asyncio.create_task(self._supervise(), name="local-model")
        assert self._ready is not None
        return await asyncio.shield(self._ready)

    async def stop(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL) and forget any failure, so a later
        :meth:`ensure_started` starts afresh."""
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
        await self._terminate()
        self._fail_waiters(LocalModelError("The local model server was stopped."))
        self._ready = None
        self._failure = None

    # -- supervision --------------------------------------------------------------------

    async def _supervise(self) -> None:
        try:
            await self._supervise_loop()
        except asyncio.CancelledError:
            # stop() or the loop shutting down (e.g. asyncio.run ending): take the child along.
            await self._terminate()
            raise
        except Exception as error:  # e.g. OSError spawning: waiters must not hang
            log.exception("Local model supervisor failed")
            await self._terminate()
            self._give_up(f"unexpected error: {error!r}", failures=1)

    async def _supervise_loop(self) -> None:
        failures = 0
        loop = asyncio.get_running_loop()
        while True:
            try:
                endpoint = await self._launch()
            except _StartFailure as error:
                failures += 1
                if error.permanent or failures > self._max_restarts:
                    self._give_up(str(error), failures)
                    return
                log.warning("Local model start failed (%s); retrying", error)
                await asyncio.sleep(self._backoff(failures))
                continue
            started = loop.time()
            self._publish(endpoint)
            code = await self._wait_child()
            if loop.time() - started > _STABLE_SECONDS:
                failures = 0
            failures += 1
            self._ready = loop.create_future()  # new callers wait for the restart
            if failures > self._max_restarts:
                self._give_up(f"it crashed (exit code {code}). {self._tail()}", failures)
                return
            self._notice_crash(code)
            await asyncio.sleep(self._backoff(failures))

    def _backoff(self, failures: int) -> float:
        return float(min(self._backoff_base * 2 ** (failures - 1), _MAX_BACKOFF))

    def _publish(self, endpoint: LocalEndpoint) -> None:
        log.info("Local model ready at %s (pid %s)", endpoint.base_url, self.pid)
        if self._ready is not None and not self._ready.done():
            self._ready.set_result(endpoint)

    def _notice_crash(self, code: int | None) -> None:
        message = f"The local model stopped unexpectedly (exit code {code}); restarting it."
        log.warning("%s %s", message, self._tail())
        if not self._crash_noticed:  # tell the user once, not on every restart
            self._crash_noticed = True
            self._notify(message)

    def _give_up(self, reason: str, failures: int) -> None:
        attempts = f" after {failures} attempts" if failures > 1 else ""
        self._failure = LocalModelError(f"The local model is unavailable{attempts}: {reason}")
        log.error("%s", self._failure)
        self._notify(str(self._failure))
        self._fail_waiters(self._failure)

    def _fail_waiters(self, error: LocalModelError) -> None:
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(error)
            self._ready.exception()  # mark retrieved: there may be no waiter right now

    def _notify(self, message: str) -> None:
        if self.on_notice is None:
            return
        try:
            self.on_notice(message)
        except Exception:  # a broken callback must not kill the supervisor
            log.exception("on_notice callback failed")

    # -- one child ----------------------------------------------------------------------

    async def _launch(self) -> LocalEndpoint:
        """Spawn one child and return its endpoint once healthy; clean up if that fails."""
        model = await self._model()
        api_key = secrets.token_urlsafe(32)
        try:
            async with asyncio.timeout(self._startup_timeout):
                address = await self._spawn(model, api_key)
                await _wait_healthy(address, api_key)
        except TimeoutError:
            await self._terminate()
            raise _StartFailure(
                f"no answer within {self._startup_timeout:.0f} s. {self._tail()}"
            ) from None
        except BaseException:
            await self._terminate()
            raise
        return LocalEndpoint(address + "/v1", api_key)

    async def _model(self) -> Path:
        if self._model_path is None:
            try:
                self._model_path = await asyncio.to_thread(resolve_model_path, *self._resolve_args)
            except LocalModelError as error:
                raise _StartFailure(str(error), permanent=True) from error
        if importlib.util.find_spec("xllamacpp") is None:
            raise _StartFailure(
                "xllamacpp is not installed. Fix: pip install 'codex-lsp[local]'", permanent=True
            )
        return self._model_path

    def _child_command(self, model: Path) -> list[str]:
        return [
            sys.executable, "-P", "-m", "codex_lsp.local.serve_child",
            "--model", str(model), "--port", "0", "--parent-pid", str(os.getpid()),
            "--ctx", str(self.ctx), "--parallel", str(self.parallel),
            "--threads", str(self.threads), "--threads-batch", str(self.threads_batch),
            "--cache-reuse", str(self.cache_reuse),
        ]  # fmt: skip

    async def _spawn(self, model: Path, api_key: str) -> str:
        self._output.clear()
        ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._api_key = api_key
        self._proc = await asyncio.create_subprocess_exec(
            *self._child_command(model),
            env=_child_env(api_key),
            stdin=asyncio.subprocess.DEVNULL,  # stdin and stdout belong to the LSP channel
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C in the editor's terminal is not for the child
        )
        log.info("Started local model child pid %d for %s", self._proc.pid, model)
        self._drain = asyncio.create_task(self._read_output(self._proc, ready))
        try:
            return await ready
        finally:
            if not ready.done():  # cancelled or timed out: nobody will read a late failure
                ready.cancel()

    async def _read_output(
        self, proc: asyncio.subprocess.Process, ready: asyncio.Future[str]
    ) -> None:
        """Log the child's output, pick out its ready line, and fail ``ready`` on early exit."""
        assert proc.stdout is not None
        while True:
            try:
                raw = await proc.stdout.readline()
            except ValueError:  # a line beyond the buffer limit was dropped; keep draining
                continue
            if not raw:
                break
            line = raw.decode("utf-8", "replace").rstrip()
            url = _ready_url(line)
            if url is not None and not ready.done():
                ready.set_result(url)
                continue
            self._output.append(line)
            child_log.debug("%s", line)
        code = await proc.wait()
        if not ready.done():
            permanent = code in (
                serve_child.EXIT_LOAD_FAILED,
                serve_child.EXIT_NO_XLLAMACPP,
                serve_child.EXIT_NO_API_KEY,
            )
            ready.set_exception(
                _StartFailure(
                    f"it exited with code {code} while starting. {self._tail()}", permanent
                )
            )

    async def _wait_child(self) -> int | None:
        assert self._proc is not None
        code = await self._proc.wait()
        if self._drain is not None:
            await self._drain  # collect the last output for the crash message
        return code

    async def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        drain, self._drain = self._drain, None
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), _TERMINATE_GRACE)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if drain is not None:
            drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drain

    def _tail(self) -> str:
        lines = [line for line in self._output if line.strip()][-5:]
        return "Last output: " + " | ".join(lines) if lines else "It printed nothing."


def local_http_client() -> httpx2.AsyncClient:
    """The HTTP client to give ``openai.AsyncOpenAI(http_client=...)`` for the local server.

    llama.cpp's server (this build) closes the connection after a streamed response without
    announcing it, so reusing a pooled connection fails about one request in three with
    ``RemoteProtocolError`` (measured). Keeping no idle connections avoids that; a loopback
    connect costs well under a millisecond.
    """
    return openai.DefaultAsyncHttpxClient(limits=httpx2.Limits(max_keepalive_connections=0))


def default_threads() -> int:
    """llama.cpp threads: one CPU fewer than available (at least 1, at most 8).

    llama.cpp's threads wait for each other at every step, so a thread that loses its core to
    another process (the editor, this language server, a build) stalls all of them. Measured
    on 2 CPUs with other processes busy: 2 threads decoded 1.4-5 tok/s and read a 1,479-token
    prompt in 37 s; 1 thread decoded 15-17 tok/s and read it in 21 s. When the machine is
    quiet, 2 threads are faster (about 35 tok/s, 11 s): pass ``threads=`` to choose that.
    """
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 2
    return max(1, min(available - 1, 8))


def _child_env(api_key: str) -> dict[str, str]:
    """The child's environment: this one without secrets (:func:`is_secret_name`), with the
    child's own API key, and set up to import this very codex_lsp (``-P`` keeps the cwd out of
    its path).

    A source checkout or editable install is put on ``PYTHONPATH``; a normal install is
    found in site-packages anyway, which must not move ahead of the standard library.
    """
    env = {name: value for name, value in os.environ.items() if not is_secret_name(name)}
    env[serve_child.API_KEY_ENV] = api_key
    root = str(Path(__file__).resolve().parents[2])
    site_dirs = {*site.getsitepackages(), site.getusersitepackages()}
    if root in {str(Path(d).resolve()) for d in site_dirs}:
        return env
    inherited = env.get("PYTHONPATH")
    env["PYTHONPATH"] = root + os.pathsep + inherited if inherited else root
    return env


def is_secret_name(name: str) -> bool:
    """True for environment variables the llama.cpp child must not inherit: OPENAI_* (the key
    and the host it is bound to) and anything named like a key, token, secret or password."""
    upper = name.upper()
    return upper.startswith(_SECRET_PREFIXES) or upper.endswith(_SECRET_SUFFIXES)


def _ready_url(line: str) -> str | None:
    if serve_child.READY_KEY not in line:
        return None
    try:
        message = json.loads(line[line.index("{") :])
    except ValueError:
        return None
    url = message.get("url") if isinstance(message, dict) else None
    return url if isinstance(url, str) else None


async def _wait_healthy(address: str, api_key: str) -> None:
    """Poll ``GET /health`` until it answers 200 (503 means the model is still loading)."""
    host, _, port = address.removeprefix("http://").rstrip("/").rpartition(":")
    while True:  # polling: the child offers no event to wait on
        if await _health_ok(host, int(port), api_key):
            return
        await asyncio.sleep(_HEALTH_POLL)


async def _health_ok(host: str, port: int, api_key: str) -> bool:
    """One raw HTTP/1.1 health request: no client library, no blocking. llama.cpp answers
    /health without a key, but sending it keeps this working should that change."""
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), _HEALTH_TIMEOUT
        )
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(b"GET /health HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
                     b"Authorization: Bearer " + api_key.encode() + b"\r\n"
                     b"Connection: close\r\n\r\n")  # fmt: skip
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), _HEALTH_TIMEOUT)
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    fields = status.split()
    return len(fields) >= 2 and fields[1] == b"200"
