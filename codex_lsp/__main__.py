"""Allows `python -m codex_lsp`, the same as the `codex-lsp` console script."""

from codex_lsp.cli import main

raise SystemExit(main())
