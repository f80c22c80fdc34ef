"""Real VS Code, headless: code-server with the packaged extension and the test driver,
loaded in headless Chromium, the server found on PATH, the model served by the fake OpenAI.

`scripts/setup_vscode.sh` installs what this needs: Node 24 and code-server under `.tools/`,
the extension's npm packages in `editors/vscode/node_modules`, Chromium from Debian. Used by
`test_e2e.py` and by `scripts/screenshots.sh` (through `tests/vscode/screenshots.py`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fake_openai import Answer, FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "editors" / "vscode"
DRIVER = EXTENSION / "test-driver"
NODE_BIN = ROOT / ".tools" / "node" / "node_modules" / ".bin"
CODE_SERVER = ROOT / ".tools" / "code-server" / "node_modules" / ".bin" / "code-server"
VSCE = EXTENSION / "node_modules" / "@vscode" / "vsce" / "vsce"
SETUP_HINT = "run scripts/setup_vscode.sh"

API_KEY = "sk-vscode-e2e-secret-storage-0123456789"

SOURCE = """import math


def is_even(n):
    return n % 2 == 1


def area(r):
    return math.pi * r * r


def add(a, b):
"""
SOURCE += "    return \n"  # the cursor waits after "return "
COMPLETION_AT = {"line": 12, "character": 11}  # after "    return "
FINDING: dict[str, Any] = {
    "line": 5,
    "snippet": "n % 2 == 1",
    "severity": "warning",
    "code": "wrong-parity",
    "message": "is_even returns True for odd numbers.",
}
# The fix region is the finding's line with two lines of context each side.
FIX_REPLACEMENT = "\ndef is_even(n):\n    return n % 2 == 0\n\n"
FIXED = SOURCE.replace("n % 2 == 1", "n % 2 == 0")

ANSWERS = [
    Answer(json={"suggestions": [{"insert_text": "a + b"}]}, match="completion", times=-1),
    Answer(json={"findings": [FINDING]}, match="review", times=-1),
    Answer(
        json={"rewrites": [{"replacement": FIX_REPLACEMENT, "explanation": "Use == 0."}]},
        match="rewrite",
        times=-1,
    ),
]

# A quiet, deterministic workbench: no welcome page, no built-in AI chat, no update checks.
USER_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.welcomePage.walkthroughs.openOnInstall": False,
    "workbench.enableExperiments": False,
    "workbench.colorTheme": "Default Dark Modern",
    "chat.disableAIFeatures": True,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "security.workspace.trust.enabled": False,
    "editor.minimap.enabled": False,
    "editor.stickyScroll.enabled": False,
    "editor.inlineSuggest.enabled": True,
    "editor.hover.delay": 100,
    "window.zoomLevel": 0,
}


@dataclass(frozen=True)
class Tools:
    node_bin: Path
    code_server: Path
    chromium: str


def missing_build_tools() -> list[str]:
    """What packaging the extension needs and is not installed."""
    missing = []
    if not (NODE_BIN / "node").exists():
        missing.append(f"Node 24 ({NODE_BIN / 'node'})")
    if not VSCE.exists():
        missing.append(f"the extension's npm packages ({EXTENSION / 'node_modules'})")
    if shutil.which("npm") is None:
        missing.append("npm (Debian package)")
    return missing


def find_tools() -> tuple[Tools | None, str]:
    """The installed tools, or None and the reason (for a clear pytest skip)."""
    missing = missing_build_tools()
    if not CODE_SERVER.exists():
        missing.append(f"code-server ({CODE_SERVER})")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        missing.append("chromium (Debian package)")
    if missing or chromium is None:
        return None, f"not installed: {', '.join(missing)}; {SETUP_HINT}"
    return Tools(NODE_BIN, CODE_SERVER, chromium), ""


def node_env(node_bin: Path = NODE_BIN) -> dict[str, str]:
    return {**os.environ, "PATH": f"{node_bin}{os.pathsep}{os.environ.get('PATH', '')}"}


def package(folder: Path, out: Path) -> Path:
    """`vsce package` (the extension's own build runs in its vscode:prepublish step)."""
    subprocess.run(
        [
            str(VSCE),
            "package",
            "--no-dependencies",
            "--allow-missing-repository",
            "--out",
            str(out),
        ],
        cwd=folder,
        env=node_env(),
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    with zipfile.ZipFile(out) as archive:
        archive.testzip()
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll a condition that has no event to wait on (a file, a port), with a hard deadline."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.1)


def _answers_http(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


@dataclass
class Session:
    """One code-server + Chromium run; its files stay in `root` for inspection."""

    root: Path
    config: dict[str, Any]
    chromium: subprocess.Popen[bytes]
    debug_port: int

    def result(self, timeout_s: float) -> dict[str, Any]:
        out = Path(self.config["out"])
        wait_until(out.exists, timeout_s, f"the test driver's result ({out})")
        return dict(json.loads(out.read_text()))

    def output_channel(self) -> str:
        """The extension's output channel (server stderr included), as VS Code logged it."""
        logs = sorted((self.root / "data" / "logs").glob("**/codex-lsp.log"))
        return "".join(log.read_text(errors="replace") for log in logs)

    def language_servers(self) -> list[tuple[Path, dict[str, str]]]:
        """The working directory and environment of each codex-lsp process this session's
        extension host started (found in /proc by the driver config in its environment)."""
        marker = f"CODEX_DRIVER_CONFIG={self.root / 'driver.json'}"
        found = []
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                cmdline = proc.joinpath("cmdline").read_bytes().split(b"\0")
                if not any(part.endswith(b"codex-lsp") for part in cmdline):
                    continue
                entries = proc.joinpath("environ").read_bytes().decode().split("\0")
                cwd = proc.joinpath("cwd").readlink()
            except OSError:  # gone meanwhile, or not ours
                continue
            if marker in entries:
                env = dict(entry.split("=", 1) for entry in entries if "=" in entry)
                found.append((cwd, env))
        return found

    def diagnostics_text(self) -> str:
        """The driver's log and the end of the output channel, for failure messages."""
        driver_log = Path(self.config["log"])
        driver = driver_log.read_text()[-4000:] if driver_log.exists() else ""
        return f"--- driver log\n{driver}\n--- output channel\n{self.output_channel()[-6000:]}"


@contextlib.contextmanager
def vscode_session(
    tools: Tools,
    root: Path,
    fake: FakeOpenAI,
    vsix: list[Path],
    *,
    mode: str = "test",
    window: tuple[int, int] = (1280, 800),
    server_on_path: bool = True,
) -> Iterator[Session]:
    """Install the extensions, start code-server on a free port and open it in Chromium."""
    workspace, data, extensions = root / "workspace", root / "data", root / "extensions"
    for folder in (
        workspace,
        data / "User",
        data / "Machine",
        extensions,
        root / "sync",
        root / "home",
    ):
        folder.mkdir(parents=True, exist_ok=True)
    sample = workspace / "sample.py"
    sample.write_text(SOURCE)
    settings = {**USER_SETTINGS, "codexLsp.backend": "openai"}
    (data / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
    # code-server's window is a remote one: `machine`-scoped settings count only in the remote
    # machine's settings (Remote tab of the Settings editor), as over SSH or in a container.
    machine = {"codexLsp.baseUrl": fake.base_url}
    (data / "Machine" / "settings.json").write_text(json.dumps(machine, indent=2))
    config = {
        "mode": mode,
        "file": str(sample),
        "apiKey": API_KEY,
        "completionAt": COMPLETION_AT,
        "out": str(root / "result.json"),
        "log": str(root / "driver.log"),
        "sync": str(root / "sync"),
    }
    (root / "driver.json").write_text(json.dumps(config))

    # The server is found on PATH, the extension's default. VS Code's server takes the extension
    # host's environment from a login shell, so PATH is set where users set it: ~/.profile.
    venv_bin = ROOT / ".venv" / "bin"
    search = [str(tools.node_bin), *([str(venv_bin)] if server_on_path else []), "/usr/bin:/bin"]
    if server_on_path:
        (root / "home" / ".profile").write_text(f'export PATH="{venv_bin}:$PATH"\n')
    env = node_env(tools.node_bin)
    env["PATH"] = os.pathsep.join(search)
    env["SHELL"] = "/bin/bash"
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEX_LSP_BACKEND", "CODEX_LSP_MODEL"):
        env.pop(name, None)
    env.update(
        CODEX_DRIVER_CONFIG=str(root / "driver.json"),
        HOME=str(root / "home"),
        XDG_CONFIG_HOME=str(root / "home" / ".config"),
        XDG_DATA_HOME=str(root / "home" / ".local" / "share"),
    )
    base = [str(tools.code_server), f"--user-data-dir={data}", f"--extensions-dir={extensions}"]
    install = [arg for path in vsix for arg in ("--install-extension", str(path))]
    subprocess.run([*base, *install], env=env, check=True, capture_output=True, timeout=120)

    port, debug_port = free_port(), free_port()
    server_log = (root / "code-server.log").open("wb")
    server = subprocess.Popen(
        [
            *base,
            "--auth=none",
            f"--bind-addr=127.0.0.1:{port}",
            "--disable-workspace-trust",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-getting-started-override",
            str(workspace),
        ],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    chromium: subprocess.Popen[bytes] | None = None
    try:
        wait_until(lambda: _answers_http(f"http://127.0.0.1:{port}/healthz"), 60, "code-server")
        chromium = subprocess.Popen(
            [
                tools.chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                f"--user-data-dir={root / 'chromium'}",
                f"--window-size={window[0]},{window[1]}",
                f"--remote-debugging-port={debug_port}",
                f"http://127.0.0.1:{port}/?folder={workspace}",
            ],
            stdout=(root / "chromium.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        yield Session(root, config, chromium, debug_port)
    finally:
        for process in (chromium, server):
            if process is not None:
                _stop_group(process)
        server_log.close()


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started in its own session, with its children (the extension host and
    the language server under code-server; renderers under Chromium)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
