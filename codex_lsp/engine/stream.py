"""Incremental structured-output parser: text deltas in, completed and validated items out.

The model answers `{"<list field>": [item, item, ...], ...}`. An array element is final once
it closes (a number or literal: at the comma or bracket after it), so each item is yielded with
the delta that completes it, while the model is still writing.
It is a sans-IO state machine: `feed` and `finish` only, no awaiting, no network. Each character
is scanned once and each element parsed once, so an answer costs time linear in its length.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

import jiter
from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)

ItemT = TypeVar("ItemT", bound=BaseModel)

# What the scanner stops at; everything between is skipped by the regex engine, not by Python.
_STRUCTURE = re.compile(r'[{}\[\]",:]')
_STRING_STOP = re.compile(r'["\\]')
_NOT_SPACE = re.compile(r"[^ \t\n\r]")  # JSON whitespace only


@dataclass
class ParseReport:
    """What went wrong, for logs and tests; a parser never raises on bad model output."""

    invalid_items: int = 0
    truncated: bool = False
    errors: list[str] = field(default_factory=list)


class _List(Enum):
    NOT_SEEN = "not seen"
    VALUE_NEXT = "value next"  # the list field's key and its colon were read
    OPEN = "open"
    DONE = "done"  # closed, not a list, or the answer ended without it


class _Piece:
    """Text that may span deltas: the parts seen so far, and where it starts in this delta."""

    def __init__(self, start: int) -> None:
        self.parts: list[str] = []
        self.start = start

    def carry(self, delta: str) -> None:
        self.parts.append(delta[self.start :])
        self.start = 0

    def until(self, delta: str, end: int) -> str:
        return "".join(self.parts) + delta[self.start : end]


class _ElementScanner:
    """Finds where each element of the answer's list field ends, without parsing: string and
    escape state, bracket depth and the text of the open element carry over from delta to delta.
    The answer starts at its first `{` (models sometimes write prose or a fence before it)."""

    def __init__(self, list_field: str | tuple[str, ...]) -> None:
        self._names = (list_field,) if isinstance(list_field, str) else list_field
        self._started = False
        self._depth = 0  # 1 inside the answer's object, 2 inside its list field's array
        self._in_string = False
        self._escape = False
        self._list = _List.NOT_SEEN
        self._top_string: _Piece | None = None  # a string of the answer object: maybe a key
        self._last_top_string = ""
        self._element: _Piece | None = None
        self._scalar = False  # the open element is a number or literal, ended by `,` or `]`
        self._ready: str | None = None  # closed, released at the end of the delta at the latest

    def feed(self, delta: str) -> list[str]:
        """The elements that became final with this delta, as text."""
        released: list[str] = []
        pos = 0 if self._started else self._start(delta)
        while pos < len(delta) and self._list is not _List.DONE:
            pos = self._step(delta, pos, released)
        self._release(released)  # complete: waiting for the next delta would only delay it
        if self._list is _List.DONE:  # the rest is only for the whole-answer parse at the end
            self._top_string = self._element = None
        for piece in (self._top_string, self._element):
            if piece is not None:
                piece.carry(delta)
        return released

    def finish(self) -> list[str]:
        """The element that closed just before the answer was cut, if any."""
        ready, self._ready = self._ready, None
        return [ready] if ready is not None else []

    def _start(self, delta: str) -> int:
        start = delta.find("{")
        self._started = start >= 0
        return start if self._started else len(delta)

    def _step(self, delta: str, pos: int, released: list[str]) -> int:
        if self._in_string:
            return self._string_step(delta, pos)
        between = self._list is _List.OPEN and self._element is None
        match = (_NOT_SPACE if between else _STRUCTURE).search(delta, pos)
        if match is None:
            return len(delta)
        at = match.start()
        if between:
            self._between(delta, at, released)
        else:
            self._structure(delta, at, released)
        return at + 1

    def _string_step(self, delta: str, pos: int) -> int:
        if self._escape:  # the escaped character, whatever it is, does not end the string
            self._escape = False
            return pos + 1
        match = _STRING_STOP.search(delta, pos)
        if match is None:
            return len(delta)
        at = match.start()
        if delta[at] == "\\":
            self._escape = True
            return at + 1
        self._in_string = False
        if self._top_string is not None:
            self._last_top_string = self._top_string.until(delta, at + 1)
            self._top_string = None
        elif self._element is not None and self._depth == 2:  # the element was a string
            self._close_element(delta, at + 1)
        return at + 1

    def _between(self, delta: str, at: int, released: list[str]) -> None:
        """The first character after an element, a comma or the opening bracket."""
        char = delta[at]
        if char == ",":
            return
        self._release(released)
        if char in "]}":
            self._list = _List.DONE
            return
        self._element = _Piece(at)
        self._scalar = char not in '{["'
        if not self._scalar:
            self._structure(delta, at, released)

    def _structure(self, delta: str, at: int, released: list[str]) -> None:
        char = delta[at]
        if self._list is _List.VALUE_NEXT:
            self._list = _List.OPEN if char == "[" else _List.DONE
        if char == '"':
            self._in_string = True
            if self._depth == 1:
                self._top_string = _Piece(at)
        elif char in "{[":
            self._depth += 1
        elif char in "}]":
            self._close(delta, at, released)
        elif char == ",":
            if self._scalar and self._depth == 2:
                self._close_element(delta, at)
        elif self._depth == 1 and self._is_list_key(self._last_top_string):  # a colon
            self._list = _List.VALUE_NEXT if self._list is _List.NOT_SEEN else self._list

    def _close(self, delta: str, at: int, released: list[str]) -> None:
        self._depth -= 1
        if self._list is not _List.OPEN:
            if self._depth <= 0:
                self._list = _List.DONE  # the answer closed without the list
            return
        if self._depth == 2 and self._element is not None:
            self._close_element(delta, at + 1)
        elif self._depth < 2:  # the list closed right after a number or literal
            if self._element is not None:
                self._close_element(delta, at)
            self._release(released)
            self._list = _List.DONE

    def _close_element(self, delta: str, end: int) -> None:
        assert self._element is not None
        self._ready = self._element.until(delta, end).rstrip(" \t\n\r")
        self._element = None
        self._scalar = False

    def _release(self, released: list[str]) -> None:
        if self._ready is not None:
            released.append(self._ready)
            self._ready = None

    def _is_list_key(self, raw: str) -> bool:
        if raw[1:-1] in self._names and raw[0] == raw[-1] == '"':
            return True
        if "\\" not in raw:
            return False
        try:  # an escaped key (`"sugg\u0065stions"`) is still the key
            return bool(jiter.from_json(raw.encode()) in self._names)
        except ValueError:
            return False


class ItemStream(Generic[ItemT]):
    """Yields each element of `list_field` once, validated against `item_model`. Several
    names: the first of them the answer holds (the shared schema's `answer`, else the
    feature's own list, as a server that does not enforce the schema may write it)."""

    def __init__(self, item_model: type[ItemT], list_field: str | tuple[str, ...]) -> None:
        self._item_model = item_model
        self._names = (list_field,) if isinstance(list_field, str) else list_field
        self._parts: list[str] = []
        self._scanner = _ElementScanner(list_field)
        self._emitted = 0
        self._finished = False
        self.document: dict[str, Any] | None = None
        self.report = ParseReport()

    @property
    def text(self) -> str:
        if len(self._parts) > 1:  # joined once per read, not once per delta
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def feed(self, delta: str) -> list[ItemT]:
        """Add a text delta; return the items that became complete with it."""
        if self._finished or not delta:
            return []
        self._parts.append(delta)
        return self._emit_texts(self._scanner.feed(delta))

    def finish(self) -> list[ItemT]:
        """The stream ended: emit the remaining items, or report a truncated answer."""
        if self._finished:
            return []
        self._finished = True
        try:
            parsed = jiter.from_json(self._json_body().encode())
        except ValueError as error:
            self.report.truncated = True
            self.report.errors.append(f"incomplete or invalid JSON: {error}")
            log.warning("model answer was not complete JSON (%s); keeping valid items", error)
            return self._emit_texts(self._scanner.finish())
        if not isinstance(parsed, dict):
            self.report.errors.append("answer is not a JSON object")
            return []
        self.document = parsed
        elements = next(
            (parsed[name] for name in self._names if isinstance(parsed.get(name), list)), None
        )
        if elements is None:
            self.report.errors.append(f"answer has no '{self._names[0]}' array")
            return []
        items = (self._validate(raw) for raw in elements[self._emitted :])
        return [item for item in items if item is not None]

    def _json_body(self) -> str:
        # Models without enforced schemas sometimes wrap JSON in prose or fences: start at `{`.
        text = self.text
        start = text.find("{")
        if start < 0:
            return ""
        body = text[start:]
        end = body.rfind("}")
        return body[: end + 1] if end >= 0 and "```" in body[end:] else body

    def _emit_texts(self, texts: list[str]) -> list[ItemT]:
        items = (self._validate_text(text) for text in texts)
        return [item for item in items if item is not None]

    def _validate_text(self, text: str) -> ItemT | None:
        try:
            raw = jiter.from_json(text.encode())
        except ValueError as error:
            self._drop(f"not JSON: {error}", text)
            return None
        return self._validate(raw)

    def _validate(self, raw: Any) -> ItemT | None:
        try:
            item = self._item_model.model_validate(raw)
        except ValidationError as error:
            self._drop(error.errors()[0]["msg"], raw)
            return None
        self._emitted += 1
        return item

    def _drop(self, why: str, raw: Any) -> None:
        self.report.invalid_items += 1
        self.report.errors.append(f"item {self._emitted}: {why}")
        self._emitted += 1
        log.warning("dropped a schema-violating item from the model: %s", raw)
