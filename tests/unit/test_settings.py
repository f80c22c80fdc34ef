"""Settings: defaults, layers, camelCase keys, nulls, invalid values, and real editor payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codex_lsp import settings
from codex_lsp.engine.secrets import DEFAULT_EXCLUDE
from codex_lsp.settings import (
    Environment,
    FeatureSettings,
    PriceOverride,
    Settings,
    SettingsLayers,
    SettingsProblem,
    apply_layer,
    env_layer,
)
from codex_lsp.trust import consent_value

README = Path(__file__).resolve().parents[2] / "README.md"

KNOWN_KEYS = (
    "backend, model, fallbackModels, baseUrl, reasoningEffort, features, debounceMs, "
    "diagnosticsDebounceMs, maxContextTokens, editContextTokens, maxOutputTokens, "
    "requestTimeoutS, exclude, excludeGitIgnored, budgetUsdPerDay, prices, promptLayout, "
    "localModel, "
    "localReviewModel, localModelPath"
)


def layered(*payloads: Any) -> tuple[Settings, list[str]]:
    """Apply payloads lowest first, as the server does; return settings and problem messages."""
    current = Settings()
    messages: list[str] = []
    for payload in payloads:
        current, problems = apply_layer(current, payload)
        messages += [problem.describe() for problem in problems]
    return current, messages


# --- the README ------------------------------------------------------------------------------


def test_readme_contains_the_generated_settings_table_verbatim() -> None:
    assert settings.markdown_table() in README.read_text(encoding="utf-8")


def test_markdown_table_starts_with_header_and_backend_row() -> None:
    assert settings.markdown_table().split("\n")[:4] == [
        "| Setting (`codexLsp.`) | Default | Description |",
        "| --- | --- | --- |",
        '| `backend` | `"auto"` | auto: OpenAI when an API key is set, else the local model. '
        "openai-compatible: any Chat Completions server at baseUrl. |",
        '| `model` | `"codex-mini-latest"` | Model to ask first. The default, codex-mini-latest '
        "(the model codex-lsp was designed around), was retired by OpenAI on 2026-02-12: each "
        "session's first request then falls back to fallbackModels, with one warning. Set a "
        "current model (e.g. gpt-5.4-mini) to skip that. |",
    ]


@pytest.mark.parametrize(
    ("key", "default", "description"),
    [
        (
            "fallbackModels",
            '["gpt-5.4-mini", "gpt-5.5"]',
            "Models tried in order when the backend says the model does not exist.",
        ),
        ("baseUrl", "null", "API base URL; defaults to OPENAI_BASE_URL, then OpenAI's."),
        ("features.inlineCompletion", "true", "Offer ghost-text inline completions."),
        ("features.codeActions", "true", "Offer AI quick fixes and refactors."),
        ("requestTimeoutS", "60.0", "Seconds before a silent model stream is abandoned."),
        ("prices", "{}", "Per-model price overrides, USD per 1M tokens."),
    ],
    ids=["list-default", "null-default", "nested-first", "nested-last", "float", "dict"],
)
def test_settings_table_row(key: str, default: str, description: str) -> None:
    rows = {row[0]: row[1:] for row in settings.settings_table()}
    assert rows[key] == (default, description)


def test_settings_table_flattens_features_and_keeps_field_order() -> None:
    assert [row[0] for row in settings.settings_table()] == [
        "backend",
        "model",
        "fallbackModels",
        "baseUrl",
        "reasoningEffort",
        "features.inlineCompletion",
        "features.completion",
        "features.diagnostics",
        "features.diagnosticsOnChange",
        "features.codeActions",
        "debounceMs",
        "diagnosticsDebounceMs",
        "maxContextTokens",
        "editContextTokens",
        "maxOutputTokens",
        "requestTimeoutS",
        "exclude",
        "excludeGitIgnored",
        "budgetUsdPerDay",
        "prices",
        "promptLayout",
        "localModel",
        "localReviewModel",
        "localModelPath",
    ]


# --- defaults and the environment --------------------------------------------------------------


def test_defaults() -> None:
    assert Settings() == Settings(
        backend="auto",
        model="codex-mini-latest",
        fallback_models=["gpt-5.4-mini", "gpt-5.5"],
        base_url=None,
        reasoning_effort="low",
        features=FeatureSettings(
            inline_completion=True,
            completion=True,
            diagnostics=True,
            diagnostics_on_change=False,
            code_actions=True,
        ),
        debounce_ms=250,
        diagnostics_debounce_ms=1500,
        max_context_tokens=12_000,
        max_output_tokens=2048,
        request_timeout_s=60.0,
        exclude=[],
        exclude_git_ignored=False,
        budget_usd_per_day=None,
        prices={},
        prompt_layout="cache-aware",
        local_model="qwen2.5-coder-0.5b",
        local_model_path=None,
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, {}),
        (
            {
                "CODEX_LSP_BACKEND": "local",
                "CODEX_LSP_MODEL": "gpt-5.5",
                "CODEX_LSP_LOCAL_MODEL_PATH": "/models/coder.gguf",
                "OPENAI_API_KEY": "sk-not-a-setting-0123456789",
                "HOME": "/home/alice",
            },
            {"backend": "local", "model": "gpt-5.5", "localModelPath": "/models/coder.gguf"},
        ),
        ({"CODEX_LSP_MODEL": "", "CODEX_LSP_BACKEND": "openai"}, {"backend": "openai"}),
    ],
    ids=["empty", "all-three-and-unrelated", "empty-value-ignored"],
)
def test_env_layer(environ: dict[str, str], expected: dict[str, str]) -> None:
    assert env_layer(environ) == expected


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, Environment(api_key=None, base_url=None)),
        ({"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}, Environment(api_key=None, base_url=None)),
        (
            {"OPENAI_API_KEY": "sk-test-0123456789", "OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"},
            Environment(api_key="sk-test-0123456789", base_url="http://127.0.0.1:8080/v1"),
        ),
    ],
    ids=["unset", "empty-strings-are-unset", "both-set"],
)
def test_environment_from_os(environ: dict[str, str], expected: Environment) -> None:
    assert Environment.from_os(environ) == expected


def test_excluded_globs_adds_user_globs_to_the_builtin_list_without_duplicates() -> None:
    current, _ = layered({"exclude": ["*.sqlite", ".env*"]})
    assert current.excluded_globs() == [*DEFAULT_EXCLUDE, "*.sqlite"]
    assert {".env*", "*.pem", "id_ed25519*", ".aws/credentials", "secrets.*"} <= set(
        DEFAULT_EXCLUDE
    )


# --- layers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payloads", "attribute", "expected"),
    [
        ([{"model": "gpt-5.4"}, {"model": "gpt-5.5"}], "model", "gpt-5.5"),
        ([{"model": "gpt-5.4"}, {"debounceMs": 100}], "model", "gpt-5.4"),
        ([{"model": "gpt-5.4"}, {"model": None}], "model", "gpt-5.4"),
        ([{"baseUrl": "http://a/v1"}, {"baseUrl": None}], "base_url", "http://a/v1"),
        (
            [{"features": {"diagnostics": False}}, {"features": {"completion": False}}],
            "features",
            FeatureSettings(diagnostics=False, completion=False),
        ),
        (
            [{"features": {"diagnostics": False}}, {"features": {"diagnostics": None}}],
            "features",
            FeatureSettings(diagnostics=False),
        ),
        ([{"codexLsp": {"debounceMs": 90}}], "debounce_ms", 90),
        ([{"debounceMs": 90}], "debounce_ms", 90),
        ([{"codexLsp": None}], "model", "codex-mini-latest"),
        ([None], "model", "codex-mini-latest"),
        ([["model", "gpt-5.5"]], "model", "codex-mini-latest"),
        ([{"fallbackModels": ["a", "b"]}, {"fallbackModels": ["c"]}], "fallback_models", ["c"]),
        (
            [{"prices": {"gpt-5.5": {"input": 4.0}}}, {"prices": {"gpt-5.5": {"output": 20.0}}}],
            "prices",
            {"gpt-5.5": PriceOverride(input=4.0, output=20.0)},
        ),
        ([{"budgetUsdPerDay": 2}], "budget_usd_per_day", 2.0),
        ([{"requestTimeoutS": 5}], "request_timeout_s", 5.0),
    ],
    ids=[
        "later-layer-wins",
        "later-layer-keeps-other-keys",
        "null-keeps-lower-layer",
        "null-does-not-reset-to-default",
        "nested-objects-merge",
        "nested-null-keeps-lower-layer",
        "section-wrapper",
        "bare-section",
        "null-section-ignored",
        "null-payload-ignored",
        "list-payload-ignored",
        "lists-replace-not-append",
        "price-overrides-merge-per-field",
        "int-for-float",
        "int-for-float-timeout",
    ],
)
def test_layers(payloads: list[Any], attribute: str, expected: Any) -> None:
    current, messages = layered(*payloads)
    assert messages == []
    assert getattr(current, attribute) == expected


def test_environment_then_initialization_options_then_workspace_configuration() -> None:
    env = env_layer({"CODEX_LSP_MODEL": "from-env", "CODEX_LSP_BACKEND": "openai"})
    init = {"model": "from-init", "debounceMs": 111, "maxOutputTokens": 999}
    workspace = {"codexLsp": {"debounceMs": 222}}
    current, messages = layered(env, init, workspace)
    assert messages == []
    assert (current.backend, current.model, current.debounce_ms, current.max_output_tokens) == (
        "openai",
        "from-init",
        222,
        999,
    )


# --- invalid values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (
            {"backend": "gpt"},
            SettingsProblem(
                "backend", "gpt", "Input should be 'auto', 'openai', 'openai-compatible' or 'local'"
            ),
        ),
        (
            {"reasoningEffort": "extreme"},
            SettingsProblem(
                "reasoningEffort",
                "extreme",
                "Input should be 'none', 'minimal', 'low', 'medium' or 'high'",
            ),
        ),
        (
            {"localModel": "qwen3"},
            SettingsProblem(
                "localModel",
                "qwen3",
                "Input should be 'qwen2.5-coder-0.5b' or 'qwen2.5-coder-1.5b'",
            ),
        ),
        (
            {"promptLayout": "smart"},
            SettingsProblem("promptLayout", "smart", "Input should be 'cache-aware' or 'naive'"),
        ),
        (
            {"debounceMs": -5},
            SettingsProblem("debounceMs", -5, "Input should be greater than or equal to 0"),
        ),
        (
            {"debounceMs": "soon"},
            SettingsProblem(
                "debounceMs",
                "soon",
                "Input should be a valid integer, unable to parse string as an integer",
            ),
        ),
        (
            {"maxContextTokens": 10},
            SettingsProblem("maxContextTokens", 10, "Input should be greater than or equal to 256"),
        ),
        (
            {"requestTimeoutS": 0},
            SettingsProblem("requestTimeoutS", 0, "Input should be greater than 0"),
        ),
        ({"model": ""}, SettingsProblem("model", "", "String should have at least 1 character")),
        (
            {"features": {"diagnostics": "maybe"}},
            SettingsProblem(
                "features.diagnostics",
                "maybe",
                "Input should be a valid boolean, unable to interpret input",
            ),
        ),
        (
            {"features": "off"},
            SettingsProblem(
                "features",
                "off",
                "Input should be a valid dictionary or instance of FeatureSettings",
            ),
        ),
        (
            {"fallbackModels": ["gpt-5.5", 3]},
            SettingsProblem("fallbackModels.1", 3, "Input should be a valid string"),
        ),
        (
            {"exclude": "*.sqlite"},
            SettingsProblem("exclude", "*.sqlite", "Input should be a valid list"),
        ),
        (
            {"modle": "gpt-5.5"},
            SettingsProblem("modle", "gpt-5.5", f"unknown setting (known: {KNOWN_KEYS})"),
        ),
        (
            {"debounce_ms": 100},
            SettingsProblem("debounce_ms", 100, f"unknown setting (known: {KNOWN_KEYS})"),
        ),
    ],
    ids=[
        "backend-literal",
        "reasoning-effort-literal",
        "local-model-literal",
        "prompt-layout-literal",
        "negative-int",
        "string-for-int",
        "below-minimum",
        "zero-timeout",
        "empty-model",
        "nested-bool",
        "string-for-object",
        "list-element",
        "string-for-list",
        "unknown-key",
        "snake-case-key-is-unknown",
    ],
)
def test_invalid_value_is_reported_and_defaults_stay(
    payload: dict[str, Any], problem: SettingsProblem
) -> None:
    current, problems = apply_layer(Settings(), payload)
    assert problems == [problem]
    assert current == Settings()


def test_problem_describe_names_key_value_and_accepted_values() -> None:
    _, problems = apply_layer(Settings(), {"codexLsp": {"backend": "gpt"}})
    assert [p.describe() for p in problems] == [
        "codex-lsp: invalid setting codexLsp.backend = 'gpt': "
        "Input should be 'auto', 'openai', 'openai-compatible' or 'local'"
    ]


def test_invalid_value_keeps_the_previous_value_and_the_rest_of_the_layer_applies() -> None:
    before, _ = layered({"model": "gpt-5.4", "debounceMs": 100})
    after, problems = apply_layer(
        before, {"debounceMs": -1, "model": "gpt-5.5", "features": {"completion": "nope"}}
    )
    assert [(p.key, p.value) for p in problems] == [
        ("features.completion", "nope"),
        ("debounceMs", -1),
    ]
    assert (after.model, after.debounce_ms, after.features.completion) == ("gpt-5.5", 100, True)


def test_bad_price_field_keeps_the_other_fields_of_the_same_override() -> None:
    current, problems = apply_layer(
        Settings(), {"prices": {"gpt-5.5": {"input": -1, "output": 20}}}
    )
    assert problems == [
        SettingsProblem("prices.gpt-5.5.input", -1, "Input should be greater than or equal to 0")
    ]
    assert current.prices == {"gpt-5.5": PriceOverride(output=20.0)}


def test_unknown_nested_key_lists_the_keys_of_its_own_section() -> None:
    _, problems = apply_layer(Settings(), {"features": {"inlineCompletions": False}})
    assert [(p.key, p.message) for p in problems] == [
        (
            "features.inlineCompletions",
            "unknown setting (known: inlineCompletion, completion, diagnostics, "
            "diagnosticsOnChange, codeActions)",
        )
    ]


# --- payloads as editors send them -------------------------------------------------------------

# VS Code (editors/vscode/src/settings.ts): every key of the server's block of package.json with
# its current value, defaults included, nested at the dots; null values are left out. Sent
# wrapped as initializationOptions and bare as the answer to workspace/configuration.
# settings.json: {"codexLsp.model": "gpt-5.5", "codexLsp.features.diagnosticsOnChange": true,
#                 "codexLsp.debounceMs": 300, "codexLsp.exclude": ["**/fixtures/**"]}
VSCODE_SECTION = """
{
  "backend": "auto",
  "model": "gpt-5.5",
  "fallbackModels": ["gpt-5.4-mini", "gpt-5.5"],
  "reasoningEffort": "low",
  "features": {"inlineCompletion": true, "completion": true, "diagnostics": true,
               "diagnosticsOnChange": true, "codeActions": true},
  "debounceMs": 300,
  "diagnosticsDebounceMs": 1500,
  "maxContextTokens": 12000,
  "maxOutputTokens": 2048,
  "requestTimeoutS": 60,
  "exclude": ["**/fixtures/**"],
  "prices": {},
  "promptLayout": "cache-aware",
  "localModel": "qwen2.5-coder-0.5b"
}
"""
VSCODE_SETTINGS = Settings(
    model="gpt-5.5",
    features=FeatureSettings(diagnostics_on_change=True),
    debounce_ms=300,
    exclude=["**/fixtures/**"],
)

# Neovim 0.11 (editors/nvim/lsp/codex_lsp.lua has `settings = { codexLsp = vim.empty_dict() }`):
# vim.lsp.config("codex_lsp", { settings = { codexLsp = {
#   model = "gpt-5.4-mini", debounceMs = 150, features = { diagnosticsOnChange = true },
#   exclude = { "*.sqlite" }, baseUrl = vim.NIL } } })
# workspace/configuration (section "codexLsp") answers with the inner table, and
# workspace/didChangeConfiguration sends `settings` whole; both shapes must give the same result.
NEOVIM_SECTION = """
{"model": "gpt-5.4-mini", "debounceMs": 150, "features": {"diagnosticsOnChange": true},
 "exclude": ["*.sqlite"], "baseUrl": null}
"""
NEOVIM_SETTINGS = Settings(
    model="gpt-5.4-mini",
    debounce_ms=150,
    features=FeatureSettings(diagnostics_on_change=True),
    exclude=["*.sqlite"],
)

# Emacs (editors/emacs/codex-lsp.el): initializationOptions from the customizations
# (setq codex-lsp-model "gpt-5.4-mini" codex-lsp-features-diagnostics :json-false), and
# workspace/configuration merged with a project's .dir-locals.el:
# ((nil . ((eglot-workspace-configuration
#           . (:codexLsp (:baseUrl nil :budgetUsdPerDay 0.5 :fallbackModels ["gpt-5.5"]))))))
# jsonrpc encodes nil as null, :json-false as false and an empty hash table as {}.
EGLOT_INIT = """{"codexLsp": {"model": "gpt-5.4-mini", "features": {"diagnostics": false}}}"""
EGLOT_SECTION = """
{"model": "gpt-5.4-mini", "features": {"diagnostics": false},
 "baseUrl": null, "budgetUsdPerDay": 0.5, "fallbackModels": ["gpt-5.5"]}
"""


@pytest.mark.parametrize(
    ("payloads", "expected"),
    [
        (['{"codexLsp": ' + VSCODE_SECTION + "}"], VSCODE_SETTINGS),
        (['{"codexLsp": ' + VSCODE_SECTION + "}", VSCODE_SECTION], VSCODE_SETTINGS),
        ([NEOVIM_SECTION], NEOVIM_SETTINGS),
        (['{"codexLsp": ' + NEOVIM_SECTION + "}"], NEOVIM_SETTINGS),
        (['{"codexLsp": {}}', "{}"], Settings()),
        (
            [EGLOT_INIT],
            Settings(model="gpt-5.4-mini", features=FeatureSettings(diagnostics=False)),
        ),
        (
            [EGLOT_INIT, EGLOT_SECTION],
            Settings(
                model="gpt-5.4-mini",
                budget_usd_per_day=0.5,
                features=FeatureSettings(diagnostics=False),
                fallback_models=["gpt-5.5"],
            ),
        ),
    ],
    ids=[
        "vscode-initialization-options",
        "vscode-then-configuration",
        "neovim-configuration",
        "neovim-did-change",
        "neovim-and-eglot-nothing-set",
        "eglot-initialization-options",
        "eglot-then-project-configuration",
    ],
)
def test_editor_payload(payloads: list[str], expected: Settings) -> None:
    current, messages = layered(*[json.loads(payload) for payload in payloads])
    assert messages == []
    assert current == expected


def test_editor_null_keeps_the_lower_layer_and_the_editor_beats_the_environment() -> None:
    env = env_layer({"CODEX_LSP_MODEL": "gpt-5.5"})
    current, messages = layered(
        env, {"baseUrl": "http://127.0.0.1:8000/v1"}, json.loads(EGLOT_SECTION)
    )
    assert messages == []
    assert (current.base_url, current.model) == ("http://127.0.0.1:8000/v1", "gpt-5.4-mini")


def test_layers_a_removed_key_falls_back_to_the_layer_below() -> None:
    layers = SettingsLayers(trusted=lambda key, value: True)
    layers.set("env", {"model": "from-env"})
    layers.set("init", {"codexLsp": {"model": "from-init", "baseUrl": "http://a/v1"}})
    layers.set("workspace", {"codexLsp": {"model": "from-workspace"}})
    assert (layers.settings.model, layers.settings.base_url) == ("from-workspace", "http://a/v1")

    layers.set("workspace", {"codexLsp": {"model": None}})
    layers.set("init", {"codexLsp": {}})

    assert (layers.settings.model, layers.settings.base_url) == ("from-env", None)


def test_layers_an_invalid_key_keeps_its_previous_valid_value() -> None:
    layers = SettingsLayers()
    layers.set("workspace", {"codexLsp": {"debounceMs": 100, "features": {"completion": False}}})

    problems = layers.set(
        "workspace", {"codexLsp": {"debounceMs": "soon", "features": {"completion": "sometimes"}}}
    )

    assert sorted(p.key for p in problems) == ["debounceMs", "features.completion"]
    assert layers.settings.debounce_ms == 100
    assert layers.settings.features.completion is False


@pytest.mark.parametrize("layer", ["init", "workspace"])
@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("baseUrl", "http://attacker.example:9999/v1", "base_url"),
        ("localModelPath", "m.gguf", "local_model_path"),
    ],
    ids=["base-url", "model-path"],
)
def test_a_consent_setting_from_lsp_waits_for_the_user(
    layer: str, key: str, value: str, field: str
) -> None:
    allowed: set[tuple[str, str]] = set()
    layers = SettingsLayers(trusted=lambda k, v: (k, v) in allowed)
    layers.set(layer, {"codexLsp": {key: value, "model": "gpt-5.5"}})
    assert getattr(layers.settings, field) is None  # held back; the rest of the layer applies
    assert (layers.settings.model, layers.pending) == ("gpt-5.5", {key: value})

    allowed.add((key, value))
    layers.refresh()
    # A URL as written; a model file as the real file allowed (consent_value).
    expected = value if key == "baseUrl" else consent_value(key, value)
    assert getattr(layers.settings, field) == expected
    assert layers.pending == {}


def test_an_allowed_model_file_is_used_as_the_file_allowed(tmp_path: Path) -> None:
    """Consent to a model path is for its real file: a repository's link to the file the user
    allowed is used as that file, so re-pointing the link later (a pull, a build step) cannot
    make the server load another model without asking."""
    mine = tmp_path / "models" / "mine.gguf"
    mine.parent.mkdir()
    mine.write_bytes(b"GGUF")
    link = tmp_path / "repo" / "model.gguf"
    link.parent.mkdir()
    link.symlink_to(mine)
    layers = SettingsLayers(trusted=lambda k, v: consent_value(k, v) == str(mine))
    layers.set("workspace", {"codexLsp": {"localModelPath": str(link)}})
    assert layers.pending == {}
    link.unlink()
    link.symlink_to(tmp_path / "repo" / "evil.gguf")
    assert layers.settings.local_model_path == str(mine)


def test_the_environment_layer_needs_no_consent_and_a_pending_value_does_not_replace_it() -> None:
    layers = SettingsLayers(trusted=lambda k, v: False)
    layers.set("env", {"localModelPath": "/models/mine.gguf"})
    layers.set("workspace", {"codexLsp": {"localModelPath": "/repo/evil.gguf"}})
    assert layers.settings.local_model_path == "/models/mine.gguf"
    assert layers.pending == {"localModelPath": "/repo/evil.gguf"}


def test_only_the_value_in_effect_is_asked_about() -> None:
    layers = SettingsLayers(trusted=lambda k, v: v == "http://trusted/v1")
    layers.set("init", {"codexLsp": {"baseUrl": "http://other/v1"}})
    layers.set("workspace", {"codexLsp": {"baseUrl": "http://trusted/v1"}})
    assert (layers.settings.base_url, layers.pending) == ("http://trusted/v1", {})


def test_an_invalid_value_is_shown_redacted_and_short() -> None:
    token = "ghp_" + "Q7w3E9r1T5y8U2i4O6p0AsDfGhJkLzXcVbNm12"
    problem = SettingsProblem("model", {"key": token, "filler": "x" * 500}, "Input should be str")
    shown = problem.describe()
    assert token not in shown and "[REDACTED]" in shown
    assert len(shown) < 200


def test_a_later_layer_adds_exclusions_and_never_drops_one() -> None:
    """A client's workspace/configuration may be a repository's (eglot's
    `eglot-workspace-configuration` in `.dir-locals.el`): its `exclude: []` or
    `excludeGitIgnored: false` must not send files an earlier layer kept back."""
    layers = SettingsLayers()
    layers.set("init", {"codexLsp": {"exclude": ["customers/**"], "excludeGitIgnored": True}})
    layers.set("workspace", {"codexLsp": {"exclude": ["*.dump"], "excludeGitIgnored": False}})
    assert layers.settings.exclude == ["customers/**", "*.dump"]
    assert layers.settings.exclude_git_ignored is True
    layers.set("workspace", {"codexLsp": {"exclude": []}})
    assert layers.settings.exclude == ["customers/**"]
    layers.set("init", {})
    assert (layers.settings.exclude, layers.settings.exclude_git_ignored) == ([], False)


def test_exclusions_of_the_wrong_type_are_reported_not_merged() -> None:
    layers = SettingsLayers()
    layers.set("init", {"codexLsp": {"exclude": ["customers/**"]}})
    problems = layers.set("workspace", {"codexLsp": {"exclude": [{"glob": "x"}]}})
    assert [problem.key for problem in problems] == ["exclude.0"]
    assert layers.settings.exclude == ["customers/**"]


def test_only_the_start_of_an_invalid_value_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A workspace's 50 MB invalid value kept the event loop redacting for seconds: only the
    start, the part a message can show, is read."""
    read: list[int] = []

    def redact(text: str) -> str:
        read.append(len(text))
        return text

    monkeypatch.setattr(settings, "redact", redact)
    problem = SettingsProblem("model", ["x y" * 300_000], "Input should be a valid string")
    assert problem.describe().startswith("codex-lsp: invalid setting codexLsp.model = ['x y")
    assert read and max(read) <= 2_100
