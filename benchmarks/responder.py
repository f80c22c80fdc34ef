"""What the fake model answers during a replay: short, plausible, and cheap to produce.

Completions suggest the next characters the person is really about to type (the replay knows
them), up to the end of the next line (or the next `lines` lines), so that a server which
reuses a suggestion while the user types through it can be measured; with nothing left to
type the answer is a fixed short string. Reviews find nothing; rewrites return a trivial
replacement.
"""

from __future__ import annotations

import threading
from typing import Any

from tests.fake_openai import Answer, RequestRecord, default_responder

FALLBACK_SUGGESTION = "pass"
MAX_SUGGESTION_CHARS = 80


class Oracle:
    """The text the person will type next, shared between the replay and the fake's thread."""

    def __init__(self, lines: int = 1) -> None:
        self._lock = threading.Lock()
        self._ahead = ""
        self.lines = lines

    def set(self, ahead: str) -> None:
        with self._lock:
            self._ahead = ahead

    def suggestion(self) -> str:
        with self._lock:
            ahead = self._ahead
        if not ahead.strip():
            return FALLBACK_SUGGESTION
        end = 0
        for _ in range(self.lines):
            end = ahead.find("\n", end + 1)
            if end < 0:
                end = len(ahead)
                break
        return ahead[: min(end, MAX_SUGGESTION_CHARS * self.lines)]


def body_for(task: str | None, oracle: Oracle) -> Any:
    if task == "completion":
        return {"suggestions": [{"insert_text": oracle.suggestion()}]}
    if task == "review":
        return {"findings": []}
    if task == "rewrite":
        return {"rewrites": [{"replacement": "pass", "explanation": "Trivial rewrite."}]}
    return None


class Responder:
    """A `default_responder` for the fake; `delay_s` spaces the streamed deltas (latency)."""

    def __init__(self, oracle: Oracle, delay_s: float) -> None:
        self.oracle = oracle
        self.delay_s = delay_s

    def __call__(self, record: RequestRecord) -> Answer:
        body = body_for(record.task, self.oracle)
        if body is None:
            return default_responder(record)
        return Answer(json=body, chunk_chars=16, delay_s=self.delay_s)
