"""What the fake model answers during a replay: short, plausible, and cheap to produce.

Completions suggest the next characters the person is really about to type (the replay knows
them), up to the end of the next line (or the next `lines` lines), so that a server which
reuses a suggestion while the user types through it can be measured; with nothing left to
type the answer is a fixed short string. Reviews find nothing; rewrites return a trivial
replacement. Each answer is written as its request's schema forces a model to write it (every
required field: a schema holding every feature's list gets the empty ones too), so that its
output is billed as a real model's would be.
"""

from __future__ import annotations

import threading
from typing import Any

from tests.fake_openai import Answer, RequestRecord, default_responder
from tests.fake_openai.schemas import minimal_instance

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


LISTS = {"completion": "suggestions", "review": "findings", "rewrite": "rewrites"}


def body_for(task: str | None, oracle: Oracle, schema: dict[str, Any] | None = None) -> Any:
    """The answer to a task, written as its request's `schema` forces a model to write it:
    every required field, in the schema's order (a schema holding every feature's list makes
    a model write the empty ones too: they are billed as output), or the one field of a
    schema whose field holds any feature's list."""
    if task == "completion":
        items: list[Any] = [{"insert_text": oracle.suggestion()}]
    elif task == "review":
        items = []
    elif task == "rewrite":
        items = [{"replacement": "pass", "explanation": "Trivial rewrite."}]
    else:
        return None
    return shaped(LISTS[task], items, schema)


def shaped(name: str, items: list[Any], schema: dict[str, Any] | None) -> dict[str, Any]:
    """`{name: items}` as `schema` has it written: the list under the schema's only field,
    or among all its required fields (the others at their smallest valid value)."""
    properties = (schema or {}).get("properties") or {}
    if len(properties) == 1:
        return {next(iter(properties)): items}
    if name not in properties:
        return {name: items}
    required = (schema or {}).get("required") or [name]
    return {
        field: items if field == name else minimal_instance(properties[field])
        for field in properties
        if field in required
    }


class Responder:
    """A `default_responder` for the fake; `delay_s` spaces the streamed deltas (latency)."""

    def __init__(self, oracle: Oracle, delay_s: float) -> None:
        self.oracle = oracle
        self.delay_s = delay_s

    def __call__(self, record: RequestRecord) -> Answer:
        body = body_for(record.task, self.oracle, record.schema)
        if body is None:
            return default_responder(record)
        return Answer(json=body, chunk_chars=16, delay_s=self.delay_s)
