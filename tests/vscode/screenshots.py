"""Regenerates docs/screenshots/vscode-*.png: ghost text, an AI diagnostic with its hover, and
the quick-fix menu with AI actions, in real VS Code (code-server in headless Chromium) against
the real server and the fake OpenAI. Run through `scripts/screenshots.sh`, not in CI.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from tests.fake_openai import FakeOpenAI
from tests.vscode.harness import (
    ANSWERS,
    API_KEY,
    DRIVER,
    EXTENSION,
    ROOT,
    Session,
    find_tools,
    package,
    vscode_session,
    wait_until,
)

POSES = ("ghost-text", "diagnostic", "code-action")
WINDOW = (900, 560)
# Rendering after the event we can observe (a served request, a command's return) has no
# signal of its own; this is a picture, not a test, so a short settle is acceptable.
SETTLE_S = 1.5


def capture(session: Session, node: Path, out: Path) -> None:
    script = Path(__file__).with_name("capture.mjs")
    subprocess.run([str(node), str(script), str(session.debug_port), str(out)], check=True)


def completion_served(fake: FakeOpenAI) -> bool:
    return any(r.task == "completion" and r.completed for r in fake.requests)


def any_exists(*paths: Path) -> bool:
    return any(path.exists() for path in paths)


def take_pictures(session: Session, fake: FakeOpenAI, node: Path, out: Path) -> None:
    """At each pose the driver waits for our `ack-POSE` file; it writes result.json on failure."""
    sync, finished = Path(session.config["sync"]), Path(session.config["out"])
    for pose in POSES:
        posed = sync / f"pose-{pose}"
        wait_until(partial(any_exists, posed, finished), 120, f"pose {pose}")
        if not posed.exists():
            raise RuntimeError(f"the driver stopped before {pose}\n{session.diagnostics_text()}")
        if pose == "ghost-text":
            fake.wait_for(lambda: completion_served(fake), timeout=30)
        time.sleep(SETTLE_S)
        target = out / f"vscode-{pose}.png"
        capture(session, node, target)
        print(f"wrote {target} ({target.stat().st_size} bytes)")
        (sync / f"ack-{pose}").touch()
    result = session.result(60)
    if not result["ok"]:
        raise RuntimeError(f"{result['error']}\n{session.diagnostics_text()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    tools, reason = find_tools()
    if tools is None:
        print(f"screenshots: {reason}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="codex-lsp-shots-") as tmp,
        FakeOpenAI(port=0, api_key=API_KEY) as fake,
    ):
        root = Path(tmp)
        vsix = [
            package(EXTENSION, root / "codex-lsp.vsix"),
            package(DRIVER, root / "codex-lsp-test-driver.vsix"),
        ]
        fake.script(*ANSWERS)
        run = root / "run"
        with vscode_session(tools, run, fake, vsix, mode="screenshots", window=WINDOW) as session:
            take_pictures(session, fake, tools.node_bin / "node", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
