#!/usr/bin/env bash
# The project's one test command (README, CI): set up, then lint, type-check and run all tests.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
.venv/bin/ruff format --check codex_lsp tests benchmarks
.venv/bin/ruff check codex_lsp tests benchmarks
.venv/bin/mypy
.venv/bin/pytest -q "$@"
