"""Tells the user about a problem once: a repeated failure must not become a stream of popups."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

Send = Callable[[str, str], None]  # (level, text)


class Notices:
    def __init__(self, send: Send, clock: Callable[[], float] = time.monotonic) -> None:
        self._send = send
        self._clock = clock
        self._shown: set[str] = set()
        self._when: dict[str, float] = {}  # key -> when it was shown

    def notify(self, key: str, level: str, text: str) -> None:
        log.log(logging.ERROR if level == "error" else logging.WARNING, "%s", text)
        if key in self._shown:
            return
        self._shown.add(key)
        self._when[key] = self._clock()
        try:
            self._send(level, text)
        except Exception:  # a closed client connection must not break the caller
            log.exception("could not show a message to the client")

    def forget(self, prefix: str = "") -> None:
        """Allow messages to show again, e.g. after settings change and a fix may be in place."""
        self._shown = {key for key in self._shown if not key.startswith(prefix)}

    def shown_within(self, seconds: float, prefix: str = "") -> bool:
        """Whether a message (whose key starts with `prefix`) was shown lately: a consequence
        of a problem already told (a slow answer after a failure) need not be told again."""
        since = self._clock() - seconds
        return any(when > since for key, when in self._when.items() if key.startswith(prefix))
