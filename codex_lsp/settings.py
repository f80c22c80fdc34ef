"""The one typed settings model (section `codexLsp`) and how its layers are merged.

Layers, lowest first: field defaults < environment < initializationOptions <
workspace/configuration. An invalid value is reported with its key and the previous valid value
is kept, so a typo in an editor config never takes the server down.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from codex_lsp.engine.secrets import DEFAULT_EXCLUDE, redact
from codex_lsp.trust import consent_value, shorten

SECTION = "codexLsp"


# Settings that decide where the user's code (and key) go or what program runs. A value for
# one of them that arrives over LSP (initializationOptions or workspace/configuration, which a
# repository can set through workspace settings or .dir-locals.el) is used only after the user
# consents to it once; the environment and the user's own config are trusted as they are.
CONSENT_SETTINGS = frozenset({"baseUrl", "localModelPath"})

Backend = Literal["auto", "openai", "openai-compatible", "local"]
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high"]


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class FeatureSettings(_Model):
    inline_completion: bool = Field(True, description="Offer ghost-text inline completions.")
    completion: bool = Field(True, description="Offer AI items in the completion menu.")
    diagnostics: bool = Field(True, description="Run the AI review and publish diagnostics.")
    diagnostics_on_change: bool = Field(
        False,
        description="Also review at pauses in typing (debounced), not only on open and "
        "save: a model call per pause.",
    )
    code_actions: bool = Field(True, description="Offer AI quick fixes and refactors.")


class PriceOverride(_Model):
    input: float | None = Field(None, ge=0, description="USD per 1M input tokens.")
    cached_input: float | None = Field(None, ge=0, description="USD per 1M cached input tokens.")
    cache_write: float | None = Field(None, ge=0, description="USD per 1M cache-write tokens.")
    output: float | None = Field(None, ge=0, description="USD per 1M output tokens.")


class Settings(_Model):
    backend: Backend = Field(
        "auto",
        description="auto: OpenAI when an API key is set, else the local model. "
        "openai-compatible: any Chat Completions server at baseUrl.",
    )
    model: str = Field(
        "codex-mini-latest",
        min_length=1,
        description="Model to ask first. The default, codex-mini-latest (the model codex-lsp "
        "was designed around), was retired by OpenAI on 2026-02-12: each session's first "
        "request then falls back to fallbackModels, with one warning. Set a current model "
        "(e.g. gpt-5.4-mini) to skip that.",
    )
    fallback_models: list[str] = Field(
        default_factory=lambda: ["gpt-5.4-mini", "gpt-5.5"],
        description="Models tried in order when the backend says the model does not exist.",
    )
    base_url: str | None = Field(
        None, description="API base URL; defaults to OPENAI_BASE_URL, then OpenAI's."
    )
    reasoning_effort: ReasoningEffort = Field(
        "low", description="Reasoning effort for reasoning models."
    )
    features: FeatureSettings = Field(
        default_factory=lambda: FeatureSettings(), description="Turn single features on or off."
    )
    debounce_ms: int = Field(
        250,
        ge=0,
        le=10_000,
        description="Longest wait after typing before a completion asks the model: the wait "
        "is learned from your typing rhythm, and none when the editor asks at pauses.",
    )
    diagnostics_debounce_ms: int = Field(
        1500, ge=0, le=60_000, description="Pause after an edit before the AI review reruns."
    )
    max_context_tokens: int = Field(
        12_000, ge=256, le=1_000_000, description="Prompt budget; far context is trimmed first."
    )
    edit_context_tokens: int = Field(
        4096,
        ge=256,
        le=1_000_000,
        description="Prompt budget for completions, half of it for rewrites (at most "
        "maxContextTokens): the code around the cursor or region, far lines trimmed first.",
    )
    max_output_tokens: int = Field(
        2048, ge=16, le=100_000, description="Upper bound on tokens a single answer may use."
    )
    request_timeout_s: float = Field(
        60.0, gt=0, le=600, description="Seconds before a silent model stream is abandoned."
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Globs of files never sent to a model, added to the built-in list (.env*, "
        "*.pem, *.key, SSH keys, .npmrc, .netrc, .pypirc, .aws/credentials, *.p12, *.tfvars, "
        "kube config, secrets.* and more; see SECURITY.md). Matched case-insensitively.",
    )
    exclude_git_ignored: bool = Field(
        False, description="Also never send files that git ignores (git check-ignore)."
    )
    budget_usd_per_day: float | None = Field(
        None, ge=0, description="Stop automatic model calls once this much was spent today."
    )
    prices: dict[str, PriceOverride] = Field(
        default_factory=dict, description="Per-model price overrides, USD per 1M tokens."
    )
    prompt_layout: Literal["cache-aware", "naive"] = Field(
        "cache-aware",
        description="cache-aware: stable prefix, anchors and reuse caches. naive: the whole "
        "file in every prompt and no reuse (for benchmarks).",
    )
    local_model: Literal["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"] = Field(
        "qwen2.5-coder-0.5b",
        description="Embedded model for completions on the local backend (the 0.5b also scans "
        "lines in reviews; the scan is off with another model or `localModelPath`).",
    )
    local_review_model: Literal["auto", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"] = Field(
        "auto",
        description="Embedded model for reviews and fixes on the local backend. auto: the 1.5b "
        "when installed (the local extra brings it; it finds bugs the 0.5b misses and confirms "
        "the line scan's findings), else localModel.",
    )
    local_model_path: str | None = Field(
        None, description="A GGUF file to use instead of the embedded models."
    )

    def excluded_globs(self) -> list[str]:
        """The user's globs never replace the built-in secret patterns, only add to them."""
        return list(dict.fromkeys([*DEFAULT_EXCLUDE, *self.exclude]))


@dataclass(frozen=True)
class Environment:
    """What the environment contributes; the key is kept here only, never in Settings.
    `account_headers` (organization, project, OPENAI_CUSTOM_HEADERS) belong with the key and
    go only where it goes."""

    api_key: str | None
    base_url: str | None
    account_headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_os(cls, environ: Mapping[str, str] | None = None) -> Environment:
        env = os.environ if environ is None else environ
        return cls(
            api_key=env.get("OPENAI_API_KEY") or None,
            base_url=env.get("OPENAI_BASE_URL") or None,
            account_headers=_account_headers(env),
        )

    @classmethod
    def take(cls) -> Environment:
        """Read the OpenAI variables once, then remove them from this process's environment,
        so that no library (the openai SDK reads several when a client is made) sends them
        anywhere codex-lsp did not decide to."""
        taken = cls.from_os()
        for name in [name for name in os.environ if name.upper().startswith("OPENAI_")]:
            del os.environ[name]
        return taken


def _account_headers(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    headers = [
        (header, env[name])
        for name, header in (
            ("OPENAI_ORG_ID", "OpenAI-Organization"),
            ("OPENAI_PROJECT_ID", "OpenAI-Project"),
        )
        if env.get(name)
    ]
    for line in (env.get("OPENAI_CUSTOM_HEADERS") or "").split("\n"):
        name, colon, value = line.partition(":")
        if colon and name.strip():
            headers.append((name.strip(), value.strip()))
    return tuple(headers)


@dataclass(frozen=True)
class SettingsProblem:
    key: str
    value: Any
    message: str
    loc: tuple[int | str, ...] = dataclasses.field(default=(), compare=False)

    def describe(self) -> str:
        # The value may be anything a workspace wrote, secrets included: redacted, shortened.
        # Only its start is read: redacting megabytes would hold the event loop for seconds.
        shown = shorten(redact(repr(self.value)[:2_000]), 80)
        return f"codex-lsp: invalid setting {SECTION}.{self.key} = {shown}: {self.message}"


def _to_python(payload: Any) -> dict[str, Any]:
    """Accept `{"codexLsp": {...}}` or the section itself; anything else is ignored."""
    if not isinstance(payload, Mapping):
        return {}
    inner = payload.get(SECTION, payload)
    return dict(inner) if isinstance(inner, Mapping) else {}


def _strip_nulls(data: dict[str, Any]) -> dict[str, Any]:
    # Editors send null for "unset": it must mean "keep the lower layer", not "set to None".
    return {
        k: _strip_nulls(v) if isinstance(v, dict) else v for k, v in data.items() if v is not None
    }


def _deep_merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _key_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _value_at(data: Mapping[str, Any], loc: tuple[int | str, ...]) -> Any:
    current: Any = data
    for part in loc:
        in_mapping = isinstance(current, Mapping) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and part < len(current)
        if not (in_mapping or in_list):
            return None
        current = current[part]
    return current


def _drop_key(data: dict[str, Any], loc: tuple[int | str, ...]) -> bool:
    """Remove the top-most offending key so the rest of the layer still applies."""
    path = [p for p in loc if isinstance(p, str)]
    current: Any = data
    for part in path[:-1]:
        if not isinstance(current, dict) or part not in current:
            return False
        current = current[part]
    if isinstance(current, dict) and path and path[-1] in current:
        del current[path[-1]]
        return True
    return False


def apply_layer(current: Settings, payload: Any) -> tuple[Settings, list[SettingsProblem]]:
    """Merge a client payload over `current`; invalid keys keep their current value."""
    layer = _strip_nulls(_to_python(payload))
    problems: list[SettingsProblem] = []
    base = current.model_dump(by_alias=True)
    for _ in range(50):  # each round drops one bad key; bounded against pathological input
        try:
            return Settings.model_validate(_deep_merge(base, layer)), problems
        except ValidationError as error:
            first = error.errors()[0]
            loc = tuple(first["loc"])
            problems.append(
                SettingsProblem(_key_path(loc), _value_at(layer, loc), _explain(first), loc)
            )
            if not _drop_key(layer, loc):
                break
    return current, problems


class SettingsLayers:
    """The layers kept apart, so a key removed (or set to null) in one layer falls back to the
    layer below instead of keeping a stale value; an invalid key keeps its previous value.

    Only the environment layer is the user's for sure: a `CONSENT_SETTINGS` value from an LSP
    layer (init, workspace) is held back in `pending` until `trusted(key, value)` says the user
    allowed it, and the layers below decide meanwhile."""

    ORDER = ("env", "init", "workspace")
    USER_LAYERS = ("env",)

    def __init__(
        self,
        env: dict[str, Any] | None = None,
        trusted: Callable[[str, Any], bool] | None = None,
    ) -> None:
        self._layers: dict[str, dict[str, Any]] = {name: {} for name in self.ORDER}
        self._trusted = trusted or (lambda key, value: False)
        self.settings = Settings()
        self.pending: dict[str, Any] = {}
        if env:
            self.set("env", env)

    def set(self, name: str, payload: Any) -> list[SettingsProblem]:
        self._layers[name] = _strip_nulls(_to_python(payload))
        return self.refresh()

    def refresh(self) -> list[SettingsProblem]:
        """Merge again, e.g. after the user allowed a pending value."""
        merged = self._merged()
        settings, problems = apply_layer(Settings(), merged)
        if problems:
            previous = self.settings.model_dump(by_alias=True)
            for problem in problems:
                # The whole setting keeps its previous value (a list's bad item: the list).
                path = tuple(part for part in problem.loc if isinstance(part, str))
                _replace_at(merged, path, _value_at(previous, path))
            settings, _ = apply_layer(Settings(), merged)
        self.settings = settings
        return problems

    def _merged(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        asked: dict[str, Any] = {}
        for layer in self.ORDER:
            data = dict(self._layers[layer])
            if layer not in self.USER_LAYERS:
                for key in CONSENT_SETTINGS & data.keys():
                    if isinstance(data[key], str):  # other types fail validation as they are
                        asked[key] = data.pop(key)
            data = _keeping_exclusions(merged, data)
            merged = _deep_merge(merged, data)
        self.pending = {k: v for k, v in asked.items() if not self._trusted(k, v)}
        # A model file is allowed as its real file (consent_value): that file is the one used,
        # so a link re-pointed after the consent cannot load another model unasked.
        allowed = {
            k: consent_value(k, v) if k == "localModelPath" else v
            for k, v in asked.items()
            if k not in self.pending
        }
        return _deep_merge(merged, allowed)


def _keeping_exclusions(below: Mapping[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A layer adds to the exclusions of the layers below it and never drops one: a client's
    workspace configuration may be a repository's (`.dir-locals.el`), whose `exclude: []` or
    `excludeGitIgnored: false` would send files the user kept back. Values of the wrong type
    are left to fail validation as they are."""
    kept, added = below.get("exclude"), data.get("exclude")
    if isinstance(kept, list) and isinstance(added, list):
        globs = [*kept, *added]
        if all(isinstance(glob, str) for glob in globs):
            data["exclude"] = list(dict.fromkeys(globs))
    if below.get("excludeGitIgnored") is True and "excludeGitIgnored" in data:
        data["excludeGitIgnored"] = True
    return data


def _replace_at(data: dict[str, Any], loc: tuple[int | str, ...], value: Any) -> None:
    """Put `value` at a key path, or remove the key when there is no value to keep."""
    path = [p for p in loc if isinstance(p, str)]
    current: Any = data
    for part in path[:-1]:
        if not isinstance(current.get(part), dict):
            return
        current = current[part]
    if path and value is None:
        current.pop(path[-1], None)
    elif path:
        current[path[-1]] = value


def _explain(error: Any) -> str:
    if error.get("type") == "extra_forbidden":
        return f"unknown setting (known: {', '.join(_keys_at(tuple(error['loc'])[:-1]))})"
    ctx = error.get("ctx") or {}
    expected = ctx.get("expected")
    message = str(error.get("msg", "invalid value"))
    return f"{message} (accepted: {expected})" if expected and expected not in message else message


def known_keys() -> list[str]:
    return _keys_at(())


def _keys_at(loc: tuple[int | str, ...]) -> list[str]:
    """The keys accepted at a settings path, e.g. ("features",) gives the feature switches."""
    model: type[BaseModel] = Settings
    for part in loc:
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        annotation = fields[part].annotation if part in fields else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            break
        model = annotation
    return [field.alias or name for name, field in model.model_fields.items()]


def initial_settings() -> Settings:
    return Settings()


def settings_table() -> list[tuple[str, str, str]]:
    """(key, default, description) rows, flattened one level, for the README and the editors."""
    rows: list[tuple[str, str, str]] = []
    for name, field in Settings.model_fields.items():
        key = field.alias or name
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, _Model):
            for sub_name, sub in annotation.model_fields.items():
                sub_default = sub.get_default(call_default_factory=True)
                rows.append(
                    (f"{key}.{sub.alias or sub_name}", _render(sub_default), sub.description or "")
                )
            continue
        default = field.get_default(call_default_factory=True)
        rows.append((key, _render(default), field.description or ""))
    return rows


def _render(value: Any) -> str:
    import json

    return json.dumps(value)


# Environment variables that set a setting (lowest layer above the defaults).
ENV_SETTINGS = {
    "CODEX_LSP_BACKEND": "backend",
    "CODEX_LSP_MODEL": "model",
    "CODEX_LSP_LOCAL_MODEL": "localModel",
    "CODEX_LSP_LOCAL_REVIEW_MODEL": "localReviewModel",
    "CODEX_LSP_LOCAL_MODEL_PATH": "localModelPath",
}


def env_layer(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    return {key: env[var] for var, key in ENV_SETTINGS.items() if env.get(var)}


def markdown_table() -> str:
    """The README's settings table; `tests/unit/test_settings.py` keeps the README in sync."""
    lines = ["| Setting (`codexLsp.`) | Default | Description |", "| --- | --- | --- |"]
    lines += [f"| `{key}` | `{default}` | {text} |" for key, default, text in settings_table()]
    return "\n".join(lines)
