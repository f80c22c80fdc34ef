#!/usr/bin/env bash
# Regenerates the README's VS Code screenshots (docs/screenshots/vscode-*.png) in real VS Code:
# code-server in headless Chromium, the real server, the fake OpenAI. Not part of CI: run it by
# hand after a visible change, look at the pictures, commit them.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup_vscode.sh
.venv/bin/python -m tests.vscode.screenshots "$@"
