"""LocalModelServer against the real Qwen2.5-Coder-0.5B weights (one shared child per module)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
import openai
import pytest
import pytest_asyncio
from openai.types.chat import ChatCompletionChunk
from pydantic import BaseModel, ConfigDict

from codex_lsp.local.server import LocalModelServer, local_http_client
from codex_lsp.local.weights import LocalModelError

from .conftest import process_alive, wait_gone

pytestmark = pytest.mark.asyncio(loop_scope="module")


class Finding(BaseModel):
    """The structured answer the model must produce; extra keys are forbidden (strict)."""

    model_config = ConfigDict(extra="forbid")
    function: str
    line: int
    ok: bool


SCHEMA = Finding.model_json_schema()
PROMPT = "def add(a, b):\n    return a - b\n\nReport on the function `add` as JSON."


# In the language server's environment while the shared child starts; never in the child's.
USER_SECRETS = {"OPENAI_API_KEY": "sk-user-key-not-for-llama", "GITHUB_TOKEN": "ghp-not-either"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server(model_path: Path) -> AsyncIterator[LocalModelServer]:
    local = LocalModelServer(model_path)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in USER_SECRETS.items():
            patch.setenv(name, value)
        await local.ensure_started()
    yield local
    await local.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def base_url(server: LocalModelServer) -> str:
    # Several concurrent first callers must share a single start.
    urls = await asyncio.gather(*(server.ensure_started() for _ in range(3)))
    assert len(set(urls)) == 1
    return urls[0]


@pytest.fixture(scope="module")
def api_key(base_url: str, server: LocalModelServer) -> str:
    return server.api_key


def _client(base_url: str, api_key: str) -> openai.AsyncOpenAI:
    # No retries: a flaky connection must fail the test, not be papered over.
    return openai.AsyncOpenAI(
        base_url=base_url, api_key=api_key, max_retries=0, http_client=local_http_client()
    )


async def _stream(
    client: openai.AsyncOpenAI, max_tokens: int = 64
) -> openai.AsyncStream[ChatCompletionChunk]:
    return await client.chat.completions.create(
        model="local",
        messages=[{"role": "user", "content": PROMPT}],
        stream=True,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "finding", "schema": SCHEMA, "strict": True},
        },
        stream_options={"include_usage": True},
        max_tokens=max_tokens,
        temperature=0,
    )


async def _get(base_url: str, path: str, api_key: str | None = None) -> httpx2.Response:
    root = base_url.removesuffix("/v1")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    async with httpx2.AsyncClient(timeout=10) as http:
        return await http.get(root + path, headers=headers)


async def test_health_and_slots(base_url: str, api_key: str, server: LocalModelServer) -> None:
    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
    health = await _get(base_url, "/health")
    assert health.status_code == 200
    props = (await _get(base_url, "/props", api_key)).json()
    assert props["total_slots"] == 2
    assert props["default_generation_settings"]["n_ctx"] == 4096  # 8192 split over 2 slots
    assert server.pid is not None and process_alive(server.pid)


async def test_only_requests_with_the_key_are_answered(base_url: str, api_key: str) -> None:
    """Any local user can reach 127.0.0.1: without the child's key nothing but /health works."""
    chat = {"model": "local", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
    async with httpx2.AsyncClient(timeout=30) as http:
        for key in (None, "wrong"):
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            answer = await http.post(f"{base_url}/chat/completions", json=chat, headers=headers)
            assert answer.status_code == 401, key
            for path in ("/props", "/slots", "/infill", "/v1/models"):
                assert (await _get(base_url, path, key)).status_code == 401, (path, key)
        assert (await _get(base_url, "/health")).status_code == 200
    async with _client(base_url, api_key) as client:
        async for _chunk in await _stream(client, max_tokens=1):
            pass


async def test_child_environment_holds_no_user_secrets(
    base_url: str, server: LocalModelServer
) -> None:
    pid = server.pid
    assert pid is not None
    environ = _proc(pid, "environ").split(b"\0")
    names = {entry.partition(b"=")[0].decode() for entry in environ if entry}
    assert "PATH" in names
    assert not names & {*USER_SECRETS, "OPENAI_BASE_URL"}
    assert server.api_key.encode() not in _proc(pid, "cmdline")


def _proc(pid: int, name: str) -> bytes:
    return Path(f"/proc/{pid}/{name}").read_bytes()


async def test_streamed_structured_output_validates(base_url: str, api_key: str) -> None:
    chunks, usage = [], None
    async with _client(base_url, api_key) as client:
        async for chunk in await _stream(client):
            if chunk.choices and chunk.choices[0].delta.content:
                chunks.append(chunk.choices[0].delta.content)
            usage = chunk.usage or usage
    assert len(chunks) > 1  # really streamed
    finding = Finding.model_validate_json("".join(chunks))
    assert finding.function
    assert usage is not None and usage.completion_tokens > 0


async def test_cancelling_mid_stream_leaves_server_healthy(base_url: str, api_key: str) -> None:
    started = asyncio.Event()

    async def consume() -> None:
        async with _client(base_url, api_key) as client:
            async for _chunk in await _stream(client, max_tokens=2000):
                started.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await _get(base_url, "/health")).status_code == 200
    async with _client(base_url, api_key) as client:
        text = "".join(
            [c.choices[0].delta.content or "" async for c in await _stream(client) if c.choices]
        )
    Finding.model_validate_json(text)


async def test_back_to_back_streams_need_no_retries(base_url: str, api_key: str) -> None:
    """llama.cpp drops the connection after a stream; local_http_client must not reuse it."""
    async with _client(base_url, api_key) as client:
        for _ in range(8):
            stream = await client.chat.completions.create(
                model="local", messages=[{"role": "user", "content": "Hi"}], stream=True,
                max_tokens=1,
            )  # fmt: skip
            async for _chunk in stream:
                pass


async def test_stop_during_startup_fails_the_waiter(model_path: Path) -> None:
    local = LocalModelServer(model_path)
    waiter = asyncio.create_task(local.ensure_started())
    while True:  # wait until the child exists; it is still loading the model then
        pid = local.pid
        if pid is not None:
            break
        await asyncio.sleep(0.01)
    await local.stop()
    with pytest.raises(LocalModelError, match="stopped"):
        await waiter
    assert await asyncio.to_thread(wait_gone, pid, 5)


async def test_crash_is_restarted_and_noticed_once(model_path: Path) -> None:
    notices: list[str] = []
    local = LocalModelServer(model_path, on_notice=notices.append, backoff_base=0.05)
    try:
        first_url = await local.ensure_started()
        for _ in range(2):
            pid = local.pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            url = await asyncio.wait_for(_restarted(local, pid), 60)
            assert (await _get(url, "/health")).status_code == 200
        assert first_url.startswith("http://127.0.0.1:")
        assert len(notices) == 1 and "restarting" in notices[0]
    finally:
        await local.stop()


async def _restarted(local: LocalModelServer, old_pid: int) -> str:
    while True:  # the supervisor notices the exit, then relaunches
        if local.pid not in (old_pid, None):
            return await local.ensure_started()
        await asyncio.sleep(0.05)


async def test_stop_leaves_no_child(model_path: Path) -> None:
    local = LocalModelServer(model_path)
    assert local.pid is None  # lazy: nothing runs before the first ensure_started()
    await local.ensure_started()
    pid = local.pid
    assert pid is not None
    await local.stop()
    assert local.pid is None
    assert await asyncio.to_thread(wait_gone, pid, 5)


async def test_unloadable_model_fails_at_once_with_llama_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    notices: list[str] = []
    local = LocalModelServer(bad, on_notice=notices.append)
    with pytest.raises(LocalModelError) as caught:
        await local.ensure_started()
    message = str(caught.value)
    assert "exited with code 3" in message and "failed to load model" in message
    assert "attempts" not in message  # a load failure is not retried
    assert notices == [message]
    with pytest.raises(LocalModelError):  # the failure sticks until stop()
        await local.ensure_started()
    await local.stop()


async def test_gives_up_after_repeated_crashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = LocalModelServer(tmp_path / "unused.gguf", backoff_base=0.01, max_restarts=2)
    crash = [sys.executable, "-c", "import sys; print('boom', file=sys.stderr); sys.exit(1)"]
    monkeypatch.setattr(local, "_child_command", lambda model: crash)
    with pytest.raises(LocalModelError, match=r"after 3 attempts: .*code 1.*boom"):
        await local.ensure_started()
    await local.stop()


async def test_over_long_output_lines_do_not_stall_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = LocalModelServer(tmp_path / "unused.gguf", max_restarts=0)
    noisy = [sys.executable, "-c", "print('x' * 300_000); print('last words'); raise SystemExit(5)"]
    monkeypatch.setattr(local, "_child_command", lambda model: noisy)
    with pytest.raises(LocalModelError, match=r"exited with code 5 .*last words"):
        await asyncio.wait_for(local.ensure_started(), 10)
    await local.stop()


async def test_spawn_errors_reach_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = LocalModelServer(tmp_path / "unused.gguf")
    monkeypatch.setattr(local, "_child_command", lambda model: [str(tmp_path / "no-python")])
    with pytest.raises(LocalModelError, match="unexpected error: FileNotFoundError"):
        await asyncio.wait_for(local.ensure_started(), 10)
    await local.stop()
