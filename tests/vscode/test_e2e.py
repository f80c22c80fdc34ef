"""The extension in real VS Code (code-server in headless Chromium), against the real server
and the fake OpenAI: the API key set through SecretStorage, the server found on PATH, AI
diagnostics, a quick fix resolved and applied, completion items and accepted ghost text."""

from __future__ import annotations

from pathlib import Path

from tests.fake_openai import FakeOpenAI
from tests.vscode.harness import (
    ANSWERS,
    API_KEY,
    COMPLETION_AT,
    FINDING,
    FIXED,
    SOURCE,
    Tools,
    vscode_session,
    wait_until,
)

DRIVER_TIMEOUT_S = 100
STARTED = "(codex-lsp on PATH)"
NOT_FOUND = "codex-lsp was not found (setting, PATH, Python extension interpreter)"


def test_extension_in_real_vscode(tools: Tools, vsix: list[Path], tmp_path: Path) -> None:
    # The fake accepts only this key: every answered request proves it came via SecretStorage.
    with FakeOpenAI(port=0, api_key=API_KEY) as fake:
        fake.script(*ANSWERS)
        with vscode_session(tools, tmp_path, fake, vsix) as session:
            try:
                result = session.result(DRIVER_TIMEOUT_S)
            except TimeoutError as error:
                raise AssertionError(f"{error}\n{session.diagnostics_text()}") from None
            assert result["ok"], f"{result.get('error')}\n{session.diagnostics_text()}"
            # Three servers started (no key, key set, restarted); once the last start is in the
            # output channel's log file, everything the earlier servers said is there too.
            wait_until(lambda: session.output_channel().count(STARTED) == 3, 20, "the log")
            output = session.output_channel()
            servers = session.language_servers()
        requests, base_url = fake.requests, fake.base_url

    # The server runs in the extension's folder, never the workspace (whose files could shadow
    # its imports), with the key and the user's base URL in its environment, the variables the
    # server trusts (test_units.py: that base URL is then not sent over LSP as well).
    installed = tmp_path / "extensions" / "codex-lsp.codex-lsp-0.1.0"
    assert [
        (cwd, env.get("OPENAI_BASE_URL"), env.get("OPENAI_API_KEY")) for cwd, env in servers
    ] == [(installed, base_url, API_KEY)]

    assert result["extensionActive"] is True
    line = FINDING["line"] - 1
    start = SOURCE.splitlines()[line].index(FINDING["snippet"])
    assert result["diagnostics"] == [
        {
            "range": [line, start, line, start + len(FINDING["snippet"])],
            "message": FINDING["message"],
            "severity": FINDING["severity"],
            "code": FINDING["code"],
            "source": "codex-lsp",
        }
    ]

    action = result["codeAction"]
    assert action["title"] == f"AI: fix '{FINDING['message']}'"
    assert action["applied"] is True
    assert action["text"] == FIXED

    assert result["completion"] == [{"label": "a + b", "insertText": "a + b"}]

    typed = SOURCE.splitlines()[COMPLETION_AT["line"]]
    assert result["inlineCompletion"] == {"lineBefore": typed, "lineAfter": typed + "a + b"}

    features = {r.task for r in requests if r.status == 200}
    assert features == {"review", "rewrite", "completion"}
    assert all(r.headers.get("authorization") == f"Bearer {API_KEY}" for r in requests)

    usage = result["usage"]
    assert usage["calls"] >= 3
    assert usage["model"] == "codex-mini-latest"
    assert usage["cost_usd"] > 0

    # A changed setting reaches the server (workspace/configuration, the extension's own keys
    # stripped: the server never called one of them unknown), and is undone as easily.
    assert result["settingsChange"]["itemsAgain"] == result["completion"]
    assert "invalid setting" not in output
    assert result["toggle"] == {"before": True, "toggled": False, "after": True}
    # Restarting starts a new server and a new session (by now at most the reopened file's
    # review has cost anything).
    assert result["usageAfterRestart"]["calls"] < usage["calls"]


def test_missing_server_is_reported(tools: Tools, vsix: list[Path], tmp_path: Path) -> None:
    """No codex-lsp on PATH, no setting, no Python extension: activation still completes and
    the output channel says what was searched (the user also gets an error with install help)."""
    with (
        FakeOpenAI(port=0, api_key=API_KEY) as fake,
        vscode_session(
            tools, tmp_path, fake, vsix, mode="missing", server_on_path=False
        ) as session,
    ):
        result = session.result(DRIVER_TIMEOUT_S)
        assert result == {"ok": True, "extensionActive": True, "usage": None}, (
            session.diagnostics_text()
        )
        # VS Code writes output channels to their log files a moment later.
        wait_until(lambda: NOT_FOUND in session.output_channel(), 20, "the output channel")

    assert fake.requests == []
