"""`codex-lsp serve` starts loading the tokenizer before pygls is imported: the memory of all
the server's modules and the tokenizer's momentary 27 MB of Python ranks never add up."""

from __future__ import annotations

import subprocess
import sys

# Exits from warm_up: 0 when pygls and lsprotocol were not imported before it, else 3.
SERVE_UNTIL_WARM_UP = """
import sys
from codex_lsp.engine import tokens
heavy = ("pygls", "lsprotocol")
tokens.warm_up = lambda: sys.exit(3 if any(name in sys.modules for name in heavy) else 0)
from codex_lsp import cli
cli.main(["serve"])
sys.exit(4)  # warm_up was never called
"""


def test_serve_starts_the_tokenizer_before_importing_pygls() -> None:
    done = subprocess.run([sys.executable, "-c", SERVE_UNTIL_WARM_UP], check=False)
    assert done.returncode == 0


# Exits when serving would start: 0 when the modules imported by then are frozen, else 3.
SERVE_UNTIL_SERVING = """
import gc
import sys
from codex_lsp import cli, transport
def serving(server):
    frozen = gc.get_freeze_count()
    sys.exit(0 if frozen > 50_000 and "pygls" in sys.modules else 3)
transport.serve_stdio = serving
cli.main(["serve"])
sys.exit(4)
"""


def test_serve_freezes_its_modules_before_serving() -> None:
    """A full collection walks every module's objects unless they are frozen: 40-100 ms, which
    the server's freeze a few seconds into the session paid when it was the first."""
    done = subprocess.run([sys.executable, "-c", SERVE_UNTIL_SERVING], check=False)
    assert done.returncode == 0
