"""The user's consent to hosts and model files that arrived through LSP settings, kept in their
state directory, and the URL helpers that decide which host a key may go to.

Settings that arrive over LSP may come from a repository (workspace settings, `.dir-locals.el`):
such a `baseUrl` or `localModelPath` is used only once the user has allowed that host or file.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

OPENAI_API_URL = "https://api.openai.com/v1"
MAX_SHOWN = 120  # characters of a user-supplied value shown in a message


def user_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`CODEX_LSP_STATE_DIR`, else `$XDG_STATE_HOME/codex-lsp`, else `~/.local/state/codex-lsp`."""
    env = os.environ if environ is None else environ
    override = env.get("CODEX_LSP_STATE_DIR")
    if override:
        return Path(override).expanduser()
    return Path(env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "codex-lsp"


def origin(url: str) -> str:
    """`scheme://host[:port]`, lower case, without credentials or path: what consent is for."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.strip().lower()
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != default:
        netloc += f":{port}"
    return f"{scheme}://{netloc}"


def display_url(url: str) -> str:
    """A URL safe to print: credentials and query removed, shortened."""
    try:
        parts = urlsplit(url.strip())
        host = _ascii_host(parts.hostname or "")
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return shorten(url.split("@")[-1])
    login = "***@" if parts.username or parts.password else ""
    query = "?..." if parts.query else ""
    return shorten(f"{parts.scheme}://{login}{host}{port}{parts.path}{query}")


def _ascii_host(host: str) -> str:
    """A host as the connection names it (IDNA): a look-alike of `api.openai.com` whose
    first letter is Cyrillic must not read as OpenAI's in a question or a message."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host  # shown escaped by `shorten` where it is not printable


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """A value fit to show in one line: line breaks made spaces, characters that do not show
    (controls, a right-to-left override that reverses what follows) escaped, shortened."""
    text = text.replace("\n", " ")
    if not text.isprintable():
        text = "".join(
            c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
        )
    return text if len(text) <= limit else text[: limit - 3] + "..."


def consent_value(setting: str, value: Any) -> str:
    """What the user consents to: a host for `baseUrl`, an absolute file for `localModelPath`."""
    text = str(value)
    if setting == "baseUrl":
        return origin(text)
    return os.path.realpath(os.path.expanduser(text))


def describe(setting: str, value: str) -> str:
    return display_url(value) if setting == "baseUrl" else shorten(value)


@dataclass(frozen=True)
class Allowed:
    setting: str
    value: str


class TrustStore:
    """The hosts and model files the user allowed, in `trusted.json` (mode 0600)."""

    FILE = "trusted.json"

    def __init__(self, directory: Path | None = None) -> None:
        self.path = (directory or user_state_dir()) / self.FILE

    def entries(self) -> list[Allowed]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as error:
            log.warning("could not read %s: %s (nothing is trusted)", self.path, error)
            return []
        items = data.get("allowed", []) if isinstance(data, dict) else []
        return [
            Allowed(item["setting"], item["value"])
            for item in items
            if isinstance(item, dict)
            and isinstance(item.get("setting"), str)
            and isinstance(item.get("value"), str)
        ]

    def allows(self, setting: str, value: Any) -> bool:
        return Allowed(setting, consent_value(setting, value)) in self.entries()

    def allow(self, setting: str, value: Any) -> None:
        entry = Allowed(setting, consent_value(setting, value))
        entries = self.entries()
        if entry not in entries:
            self._write([*entries, entry])

    def revoke(self, setting: str, value: Any) -> bool:
        entry = Allowed(setting, consent_value(setting, value))
        entries = self.entries()
        if entry not in entries:
            return False
        self._write([e for e in entries if e != entry])
        return True

    def _write(self, entries: list[Allowed]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"allowed": [{"setting": e.setting, "value": e.value} for e in entries]}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".trusted-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(payload, handle, indent=2)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def key_for(base_url: str | None, api_key: str | None, env_base_url: str | None) -> str | None:
    """The environment's key goes to OpenAI's API or to the environment's own base URL, to no
    other host: a key is bound to the host the user gave it for."""
    if api_key is None:
        return None
    target = origin(base_url or OPENAI_API_URL)
    bound = {origin(OPENAI_API_URL)} | ({origin(env_base_url)} if env_base_url else set())
    return api_key if target in bound else None
