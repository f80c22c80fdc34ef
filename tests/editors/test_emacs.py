"""Emacs 28 (batch) with Eglot 1.9 and editors/emacs/codex-lsp.el against the real server.

Eglot 1.9 announces neither pull diagnostics nor code action resolve, so these tests cover the
server's push diagnostics and its command fallback for code actions as a real client sees them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from codex_lsp.settings import settings_table
from tests.editors.support import (
    COMPLETED,
    FIXED,
    HERE,
    MODEL,
    ROOT,
    SAMPLE,
    SUGGESTION,
    Workspace,
    editor_env,
    run_scenario,
)
from tests.fake_openai import FakeOpenAI

PLUGIN = ROOT / "editors" / "emacs"
SCENARIOS = HERE / "emacs"
FIX_TITLE = "AI: fix 'add() subtracts its arguments.'"


def run_emacs(
    emacs: str, fake: FakeOpenAI, workspace: Workspace, scenario: str, **env: str
) -> dict[str, Any]:
    environment = editor_env(
        fake,
        workspace,
        CODEX_EMACS_PLUGIN=str(PLUGIN),
        CODEX_TEST_FILE=str(workspace.sample),
        CODEX_TEST_EVENTS=str(workspace.scratch / "eglot-events.log"),
        **env,
    )
    # Not -Q: Debian's site-start is what puts the packaged eglot on the load path.
    command = [emacs, "--batch", "-l", str(SCENARIOS / f"{scenario}.el")]
    events = Path(environment["CODEX_TEST_EVENTS"])
    return run_scenario(command, environment, workspace, logs=[events])


def batch(emacs: str, *forms: str, cwd: Path) -> str:
    """Evaluate forms in a fresh batch Emacs; return what they printed to stdout."""
    args = [emacs, "--batch"]
    for form in forms:
        args += ["--eval", form]
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


# --- the package itself ----------------------------------------------------------------------


def test_byte_compiles_without_warnings(emacs: str, tmp_path: Path) -> None:
    shutil.copy(PLUGIN / "codex-lsp.el", tmp_path)
    done = subprocess.run(
        [
            emacs,
            "--batch",
            "--eval",
            "(setq byte-compile-error-on-warn t)",
            "-f",
            "batch-byte-compile",
            "codex-lsp.el",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    reported = [line for line in done.stderr.splitlines() if not line.startswith("Loading ")]
    assert (done.returncode, reported) == (0, [])
    assert (tmp_path / "codex-lsp.elc").exists()


def test_autoloads_register_the_server_when_eglot_loads(emacs: str, tmp_path: Path) -> None:
    package = tmp_path / "codex-lsp"
    package.mkdir()
    shutil.copy(PLUGIN / "codex-lsp.el", package)
    # As package.el (and package-vc, straight, elpaca) do on install.
    batch(
        emacs,
        "(require 'package)",
        f'(package-generate-autoloads "codex-lsp" "{package}")',
        cwd=tmp_path,
    )
    autoloads = package / "codex-lsp-autoloads.el"

    printed = batch(
        emacs,
        f'(load "{autoloads}" nil t)',
        '(princ (format "before eglot: loaded=%s\\n" (featurep \'codex-lsp)))',
        "(require 'eglot)",
        '(princ (format "after eglot: loaded=%s contact=%s python=%s\\n" (featurep \'codex-lsp)'
        " (nth 2 (eglot--lookup-mode 'python-mode)) (car (eglot--lookup-mode 'python-mode))))",
        cwd=tmp_path,
    )

    assert printed.splitlines() == [
        "before eglot: loaded=nil",
        "after eglot: loaded=t contact=codex-lsp--contact python=(python-mode python-ts-mode "
        "js-mode js-ts-mode typescript-mode typescript-ts-mode go-mode go-ts-mode rust-mode "
        "rust-ts-mode c-mode c++-mode c-ts-mode c++-ts-mode java-mode java-ts-mode ruby-mode "
        "ruby-ts-mode sh-mode bash-ts-mode lua-mode)",
    ]


def test_a_customization_for_every_server_setting(emacs: str, tmp_path: Path) -> None:
    printed = batch(
        emacs,
        f'(add-to-list \'load-path "{PLUGIN}")',
        "(require 'codex-lsp)",
        "(princ (json-encode (mapcar (lambda (entry) (vector (symbol-name (car entry)) (cdr entry)"
        " (and (assq (car entry) (get 'codex-lsp 'custom-group)) t)"
        " (symbol-value (car entry)))) codex-lsp--settings)))",
        cwd=tmp_path,
    )
    rows = json.loads(printed)

    assert [key for _, key, _, _ in rows] == [key for key, _, _ in settings_table()]
    # Every one is customizable in the codex-lsp group and unset, so the server's default holds.
    assert [(customizable, value) for _, _, customizable, value in rows] == [(True, None)] * len(
        rows
    )


def test_customizations_become_the_settings_object(emacs: str, tmp_path: Path) -> None:
    printed = batch(
        emacs,
        f'(add-to-list \'load-path "{PLUGIN}")',
        "(require 'codex-lsp)",
        '(setq codex-lsp-backend "openai-compatible" codex-lsp-fallback-models \'("a" "b")'
        " codex-lsp-features-diagnostics :json-false codex-lsp-features-completion t"
        ' codex-lsp-request-timeout-s 12.5 codex-lsp-prices \'(("m" :input 1.5 :output 6)))',
        "(princ (json-serialize (codex-lsp-settings) :false-object :json-false :null-object nil))",
        cwd=tmp_path,
    )

    assert json.loads(printed) == {
        "backend": "openai-compatible",
        "fallbackModels": ["a", "b"],
        "features": {"diagnostics": False, "completion": True},
        "requestTimeoutS": 12.5,
        "prices": {"m": {"input": 1.5, "output": 6}},
    }


def test_hosts_and_paths_are_the_users_alone(emacs: str, tmp_path: Path) -> None:
    """The base URL and model path (and the command) are risky local variables, so a project's
    .dir-locals.el cannot quietly set them; their global values go to the server's environment
    even where a buffer-local value exists, and never into the LSP settings."""
    printed = batch(
        emacs,
        f'(add-to-list \'load-path "{PLUGIN}")',
        "(require 'codex-lsp)",
        '(setq codex-lsp-base-url "http://127.0.0.1:8000/v1"'
        ' codex-lsp-local-model-path "models/a.gguf" codex-lsp-model "m")',
        "(princ (json-encode (list"
        " (mapcar (lambda (v) (and (risky-local-variable-p v) t))"
        "  '(codex-lsp-base-url codex-lsp-local-model-path codex-lsp-command))"
        " (json-serialize (codex-lsp-settings))"
        " (with-temp-buffer"
        '  (setq-local codex-lsp-base-url "https://collector.example/v1")'
        "  (seq-take (codex-lsp-process-environment) 2)))))",
        cwd=tmp_path,
    )
    risky, settings, environment = json.loads(printed)

    assert risky == [True, True, True]
    assert json.loads(settings) == {"model": "m"}
    home = Path(os.environ["HOME"])
    assert environment == [
        f"CODEX_LSP_LOCAL_MODEL_PATH={home / 'models' / 'a.gguf'}",
        "OPENAI_BASE_URL=http://127.0.0.1:8000/v1",
    ]


# --- in Emacs, against the server ------------------------------------------------------------


def test_completion_at_point_inserts_the_suggestion(
    emacs: str, fake: FakeOpenAI, workspace: Workspace
) -> None:
    observed = run_emacs(emacs, fake, workspace, "completion")

    assert observed == {"candidates": [SUGGESTION], "text": COMPLETED}
    assert {record.model for record in fake.requests} == {MODEL}


def test_flymake_shows_pushed_diagnostics(
    emacs: str, fake: FakeOpenAI, workspace: Workspace
) -> None:
    observed = run_emacs(emacs, fake, workspace, "diagnostics")

    assert observed == {
        "flymake": True,
        "diagnostics": [
            {
                "start": [1, 11],
                "end": [1, 16],
                "type": "eglot-error",
                "text": "codex-lsp [wrong-operator]: add() subtracts its arguments.",
            }
        ],
    }


def test_code_action_applies_through_the_command_fallback(
    emacs: str, fake: FakeOpenAI, workspace: Workspace
) -> None:
    observed = run_emacs(emacs, fake, workspace, "code_action")

    # Asked for the diagnostic's range ("a - b", an expression), refactors are offered too;
    # the menu asks for the symbol at point, which is no selection, so it has the fix only.
    titles = [
        FIX_TITLE,
        "AI: rewrite and simplify selection",
        "AI: add docstring",
        "AI: add type hints",
    ]
    assert observed == {
        # No edit to resolve: each action carries the command that computes and applies it.
        "offered": [
            {
                "title": title,
                "kind": "quickfix" if title == FIX_TITLE else "refactor.rewrite",
                "edit": None,
                "command": "codexLsp.applyAction",
            }
            for title in titles
        ],
        "menus": [
            {"prompt": f"[eglot] Pick an action (default {FIX_TITLE}): ", "choices": [FIX_TITLE]}
        ],
        "confirmations": 1,  # Eglot asks before applying a server-initiated edit
        "text": FIXED,
    }
    assert workspace.sample.read_text() == SAMPLE  # applied to the buffer, not saved


def test_code_action_asked_for_by_kind(emacs: str, fake: FakeOpenAI, workspace: Workspace) -> None:
    observed = run_emacs(emacs, fake, workspace, "code_action", CODEX_ACTION_KIND="quickfix")

    assert observed["text"] == FIXED


def test_customizations_and_project_settings_reach_the_server(
    emacs: str, fake: FakeOpenAI, workspace: Workspace
) -> None:
    (workspace.root / ".dir-locals.el").write_text(
        "((nil . ((eglot-workspace-configuration\n"
        '          . (:codexLsp (:model "project-model"\n'
        "                        :features (:codeActions :json-false)))))))\n"
    )

    observed = run_emacs(emacs, fake, workspace, "settings")

    customized = {
        "model": MODEL,
        "fallbackModels": ["fallback-model"],
        "features": {"diagnosticsOnChange": False},
        "debounceMs": 0,
        "diagnosticsDebounceMs": 0,
    }
    assert json.loads(observed["initializationOptions"]) == {"codexLsp": customized}
    assert json.loads(observed["configuration"]) == [
        {
            **customized,
            "model": "project-model",
            "features": {"diagnosticsOnChange": False, "codeActions": False},
        },
        None,
    ]
    assert observed["candidates"] == [SUGGESTION]
    assert observed["candidates after turning completion off"] == []
    # One completion call, with the project's model; none once completion was turned off.
    completions = [r.model for r in fake.requests if r.task == "completion"]
    assert completions == ["project-model"]


def test_base_url_and_model_path_reach_the_server_as_its_environment(
    emacs: str, fake: FakeOpenAI, workspace: Workspace
) -> None:
    observed = run_emacs(
        emacs,
        fake,
        workspace,
        "environment",
        OPENAI_BASE_URL="",  # Emacs starts without one: only the customization names the fake
        CODEX_TEST_USER_BASE_URL=fake.base_url,
    )

    model_path = str(workspace.scratch / "models" / "user.gguf")  # HOME is the scratch folder
    assert observed["environment"] == {
        "OPENAI_BASE_URL": fake.base_url,
        "CODEX_LSP_LOCAL_MODEL_PATH": model_path,
    }
    assert json.loads(observed["initializationOptions"]) == {
        "codexLsp": {"model": MODEL, "debounceMs": 0, "diagnosticsDebounceMs": 0}
    }
    assert observed["candidates"] == [SUGGESTION]
    assert observed["restarted"] is True
    assert observed["environment after the change"] == {
        "OPENAI_BASE_URL": fake.base_url + "/",
        "CODEX_LSP_LOCAL_MODEL_PATH": model_path,
    }
