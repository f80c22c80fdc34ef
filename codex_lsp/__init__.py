"""codex-lsp: an AI language server with streamed, cache-friendly model calls."""

__version__ = "0.1.0"
