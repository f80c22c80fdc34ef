"""Files never sent to a model: the default exclude globs, matching a URI against them, and git's
ignore check."""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

# Files never sent to a model, matched case-insensitively against the file's name and path.
# `.aws/config` is left out: it holds profiles and regions, and a key pasted there is redacted.
DEFAULT_EXCLUDE: list[str] = [
    ".env*",
    "*.pem",
    "*.key",
    "*.p8",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.ppk",
    "*.gpg",
    "*.kdbx",
    "*.ovpn",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".npmrc",
    ".netrc",
    "_netrc",
    ".pypirc",
    ".pgpass",
    ".my.cnf",
    ".git-credentials",
    ".htpasswd",
    ".vault-token",
    ".terraformrc",
    "terraform.rc",
    ".s3cfg",
    ".boto",
    ".dockercfg",
    ".docker/config.json",
    ".aws/credentials",
    ".kube/config",
    "kubeconfig",
    "*.kubeconfig",
    "*.tfvars",
    "*.tfvars.json",
    "*.tfstate",
    "*.tfstate.backup",
    "secrets.*",
    "credentials.json",
    "application_default_credentials.json",
    "client_secret*.json",
]


# --- files never sent -----------------------------------------------------------------------------
def uri_path(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme else uri


def is_excluded(uri: str, globs: Iterable[str]) -> bool:
    """True when the file's name or path matches any glob (`*.pem`, `config/secrets.*`),
    ignoring case; a symlink is judged by its target too."""
    lowered = [glob.lower() for glob in globs]
    return any(_matches(path, lowered) for path in _paths_of(uri))


def _paths_of(uri: str) -> list[str]:
    path = uri_path(uri)
    paths = [path]
    if urlparse(uri).scheme in ("", "file"):
        try:
            real = os.path.realpath(path)
            if real != path and os.path.lexists(path):
                paths.append(real)
        except (OSError, ValueError):  # an unreadable path or one with a NUL in it
            pass
    return [p.replace(os.sep, "/").lower() for p in paths]


def _matches(path: str, globs: list[str]) -> bool:
    pure = PurePosixPath(path)
    for glob in globs:
        if fnmatch.fnmatchcase(pure.name, glob) or fnmatch.fnmatchcase(path, glob):
            return True
        if "/" in glob and fnmatch.fnmatchcase(path, f"*/{glob.lstrip('/')}"):
            return True
    return False


def git_program() -> str:
    """Git as found in the PATH's absolute folders only. Run with a repository's folder as its
    working directory, a bare `git` is looked up there too when PATH holds an empty or relative
    entry (`PATH=:/usr/bin`), and a repository's own executable `git` would run. A name that
    fails to start when no absolute folder has git."""
    folders = [folder for folder in os.get_exec_path() if os.path.isabs(folder)]
    return shutil.which("git", path=os.pathsep.join(folders)) or "git-not-found"


def git_ignored(path: str, timeout_s: float = 2.0) -> bool:
    """Whether git ignores the file (`git check-ignore`); False when git is missing, the file is
    not in a repository, or anything fails. Blocking: call it off the event loop."""
    file = Path(uri_path(path))
    try:
        result = subprocess.run(
            # The repository's `core.fsmonitor` is a command, run by check-ignore: not here.
            [git_program(), "-c", "core.fsmonitor=false", "check-ignore", "-q", "--", file.name],
            cwd=file.parent,
            stdin=subprocess.DEVNULL,  # stdin carries the LSP conversation
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return False
    return result.returncode == 0
