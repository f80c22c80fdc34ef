"""Benchmarks of codex-lsp: the cost replay benchmark (`python -m benchmarks.replay`)."""
