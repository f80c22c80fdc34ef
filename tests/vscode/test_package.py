"""`vsce package` builds a .vsix holding the bundled extension and nothing it does not need."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

from tests.vscode.harness import EXTENSION, NODE_BIN


def test_package_holds_the_bundle_manifest_readme_and_license(vsix: list[Path]) -> None:
    with zipfile.ZipFile(vsix[0]) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))

    assert {
        "extension/package.json",
        "extension/out/extension.js",
        "extension/readme.md",
        "extension/LICENSE.txt",
        "extension.vsixmanifest",
    } <= names
    assert not [n for n in names if "node_modules" in n or n.endswith(".ts")]
    assert manifest == json.loads((EXTENSION / "package.json").read_text())


def test_bundle_is_self_contained(vsix: list[Path]) -> None:
    """Only `vscode` (the editor provides it) and Node built-ins are left to require()."""
    with zipfile.ZipFile(vsix[0]) as archive:
        bundle = archive.read("extension/out/extension.js").decode()
    required = {name.removeprefix("node:") for name in re.findall(r'require\("([^"]+)"\)', bundle)}
    builtins = subprocess.run(
        [str(NODE_BIN / "node"), "-p", "JSON.stringify(require('module').builtinModules)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "vscode" in required
    assert required - {"vscode"} <= set(json.loads(builtins))
