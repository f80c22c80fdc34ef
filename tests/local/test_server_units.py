"""Small helpers of the local model server, and its key handover to a stand-in child (no
model is loaded)."""

from __future__ import annotations

import argparse
import json
import os
import site
import sys
import textwrap
from pathlib import Path

import httpx2
import pytest

from codex_lsp.local import serve_child, server
from codex_lsp.providers.base import Infill
from codex_lsp.providers.infill import stream_infill


@pytest.mark.parametrize(("cpus", "threads"), [(1, 1), (2, 1), (4, 3), (16, 8)])
def test_default_threads(monkeypatch: pytest.MonkeyPatch, cpus: int, threads: int) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert server.default_threads() == threads


def test_ready_line_is_found_amid_log_noise() -> None:
    line = 'warn: x {"codex_lsp_local": "listening", "url": "http://127.0.0.1:5"}'
    assert server._ready_url(line) == "http://127.0.0.1:5"
    assert server._ready_url("codex_lsp_local but {not json") is None
    assert server._ready_url("llama.cpp says hello") is None


def test_child_env_points_at_this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    root = str(Path(server.__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    assert server._child_env("k")["PYTHONPATH"] == root + os.pathsep + "/elsewhere"
    monkeypatch.setattr(site, "getsitepackages", lambda: [root])  # as if installed normally
    assert server._child_env("k")["PYTHONPATH"] == "/elsewhere"


SECRETS = {
    "OPENAI_API_KEY": "sk-user",
    "OPENAI_BASE_URL": "https://gateway.example/v1",
    "OPENAI_ORG_ID": "org-1",
    "ANTHROPIC_API_KEY": "a",
    "GITHUB_TOKEN": "ghp",
    "AWS_SECRET_ACCESS_KEY": "aws",
    "AWS_SESSION_TOKEN": "aws",
    "HF_TOKEN": "hf",
    "my_service_api_key": "lower-case too",
    "DB_PASSWORD": "pw",
    "CLIENT_SECRET": "s",
}
KEPT = {"PATH": "/usr/bin", "HOME": "/home/u", "LANG": "C.UTF-8", "TOKENIZERS_PARALLELISM": "0"}


def test_child_env_drops_secrets_and_carries_its_own_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**SECRETS, **KEPT, serve_child.API_KEY_ENV: "stale"}.items():
        monkeypatch.setenv(name, value)
    env = server._child_env("fresh-key")
    assert not set(SECRETS) & set(env)
    assert {name: env[name] for name in KEPT} == KEPT
    assert env[serve_child.API_KEY_ENV] == "fresh-key"


@pytest.mark.parametrize(
    ("name", "secret"), [*((n, True) for n in SECRETS), *((n, False) for n in KEPT)]
)
def test_is_secret_name(name: str, secret: bool) -> None:
    assert server.is_secret_name(name) is secret


def test_child_refuses_to_serve_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(serve_child.API_KEY_ENV, raising=False)
    code = serve_child.main(["--model", "unused.gguf", "--parent-pid", str(os.getpid())])
    assert code == serve_child.EXIT_NO_API_KEY


def test_child_configures_llama_cpp_with_the_key() -> None:
    xllamacpp = pytest.importorskip("xllamacpp")
    args = argparse.Namespace(
        model="m.gguf", port=0, ctx=1024, parallel=1, threads=1, threads_batch=None,
        cache_ram_mib=0, cache_reuse=64, verbosity=2,
    )  # fmt: skip
    params = serve_child._params(xllamacpp, args, "the-key")
    assert params.api_keys == ["the-key"]
    assert params.n_cache_reuse == 64


# A stand-in for serve_child: it answers /health only to the key it was given in its
# environment, so the parent starts it only if the key went over and came back.
STAND_IN = textwrap.dedent(
    """
    import http.server, json, os
    key = os.environ["CODEX_LSP_LOCAL_API_KEY"]
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.headers["Authorization"] == "Bearer " + key else 401)
            self.end_headers()
        def log_message(self, *args):
            pass
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Health)
    url = "http://127.0.0.1:%d" % httpd.server_port
    print(json.dumps({"codex_lsp_local": "listening", "url": url}), flush=True)
    httpd.serve_forever()
    """
)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
async def test_each_child_gets_a_fresh_key_in_its_environment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-for-the-child")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-not-for-the-child")
    local = server.LocalModelServer(tmp_path / "unused.gguf", startup_timeout=20)
    monkeypatch.setattr(local, "_child_command", lambda model: [sys.executable, "-c", STAND_IN])
    keys = []
    try:
        for _ in range(2):
            endpoint = await local.endpoint()
            assert endpoint.base_url.startswith("http://127.0.0.1:")
            assert endpoint.api_key == local.api_key and len(endpoint.api_key) >= 40
            pid = local.pid
            assert pid is not None
            environ = _environ(pid)
            assert environ[serve_child.API_KEY_ENV] == endpoint.api_key
            assert "OPENAI_API_KEY" not in environ and "GITHUB_TOKEN" not in environ
            assert endpoint.api_key not in _cmdline(pid)
            keys.append(endpoint.api_key)
            await local.stop()
    finally:
        await local.stop()
    assert keys[0] != keys[1]


def _environ(pid: int) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_text().split("\0")
    return dict(entry.split("=", 1) for entry in entries if "=" in entry)


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_text()


async def test_infill_sends_the_key() -> None:
    seen: list[str | None] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.headers.get("authorization"))
        final = {"content": "1", "stop": True, "timings": {}}
        return httpx2.Response(200, text=f"data: {json.dumps(final)}\n\n")

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handle)) as client:
        infill = Infill("x = ", "\n", max_newlines=0)
        async for _ in stream_infill(client, "http://127.0.0.1:9/v1", infill, 8, "m", api_key="k"):
            pass
    assert seen == ["Bearer k"]


def test_rejects_a_context_too_small_for_its_slots() -> None:
    with pytest.raises(ValueError, match="too small"):
        server.LocalModelServer(Path("x.gguf"), ctx=256, parallel=2)
