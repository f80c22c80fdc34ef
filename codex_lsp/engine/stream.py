"""Incremental structured-output parser: text deltas in, completed and validated items out.

The model answers `{"<list field>": [item, item, ...], ...}`. An array element is final once
the next one starts or the document completes, so items are yielded while the model is still
writing. It is a sans-IO state machine: `feed` and `finish` only, no awaiting, no network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import jiter
from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)

ItemT = TypeVar("ItemT", bound=BaseModel)


@dataclass
class ParseReport:
    """What went wrong, for logs and tests; a parser never raises on bad model output."""

    invalid_items: int = 0
    truncated: bool = False
    errors: list[str] = field(default_factory=list)


class ItemStream(Generic[ItemT]):
    """Yields each element of `list_field` once, validated against `item_model`."""

    def __init__(self, item_model: type[ItemT], list_field: str) -> None:
        self._item_model = item_model
        self._list_field = list_field
        self._buffer = ""
        self._emitted = 0
        self._finished = False
        self.document: dict[str, Any] | None = None
        self.report = ParseReport()

    @property
    def text(self) -> str:
        return self._buffer

    def feed(self, delta: str) -> list[ItemT]:
        """Add a text delta; return the items that became complete with it."""
        if self._finished or not delta:
            return []
        self._buffer += delta
        # An element completes when it closes or the next one starts; skip reparsing otherwise.
        if not any(mark in delta for mark in '}],{["'):
            return []
        closed = self._closed_elements()
        if closed is not None:
            return self._emit(closed)
        elements = self._partial_elements()
        return self._emit(elements[:-1]) if elements else []

    def finish(self) -> list[ItemT]:
        """The stream ended: emit the remaining items, or report a truncated answer."""
        if self._finished:
            return []
        self._finished = True
        body = self._json_body()
        try:
            parsed = jiter.from_json(body.encode())
        except ValueError as error:
            self.report.truncated = True
            self.report.errors.append(f"incomplete or invalid JSON: {error}")
            log.warning("model answer was not complete JSON (%s); keeping valid items", error)
            closed = self._truncated_after_element(body)
            return self._emit(closed if closed is not None else self._partial_elements()[:-1])
        if not isinstance(parsed, dict):
            self.report.errors.append("answer is not a JSON object")
            return []
        self.document = parsed
        elements = parsed.get(self._list_field)
        if not isinstance(elements, list):
            self.report.errors.append(f"answer has no '{self._list_field}' array")
            return []
        return self._emit(elements)

    def _json_body(self) -> str:
        # Models without enforced schemas sometimes wrap JSON in prose or fences: start at `{`.
        start = self._buffer.find("{")
        if start < 0:
            return ""
        body = self._buffer[start:]
        end = body.rfind("}")
        return body[: end + 1] if end >= 0 and "```" in body[end:] else body

    def _truncated_after_element(self, body: str) -> list[Any] | None:
        """All elements, when the answer was cut right after one (`...}` or `...},`)."""
        try:
            parsed = jiter.from_json((body.rstrip().rstrip(",") + "]}").encode())
        except ValueError:
            return None
        elements = parsed.get(self._list_field) if isinstance(parsed, dict) else None
        return elements if isinstance(elements, list) else None

    def _closed_elements(self) -> list[Any] | None:
        """All elements, if the array is already closed (the object may still be open)."""
        body = self._json_body().rstrip()
        if not body.endswith(("]", "}")):
            return None
        for candidate in (body, body + "}"):
            try:
                parsed = jiter.from_json(candidate.encode())
            except ValueError:
                continue
            elements = parsed.get(self._list_field) if isinstance(parsed, dict) else None
            return elements if isinstance(elements, list) else None
        return None

    def _partial_elements(self) -> list[Any]:
        body = self._json_body()
        if not body:
            return []
        try:
            partial = jiter.from_json(body.encode(), partial_mode="trailing-strings")
        except ValueError:
            return []
        if not isinstance(partial, dict):
            return []
        elements = partial.get(self._list_field)
        return elements if isinstance(elements, list) else []

    def _emit(self, complete: list[Any]) -> list[ItemT]:
        items: list[ItemT] = []
        for raw in complete[self._emitted :]:
            self._emitted += 1
            try:
                items.append(self._item_model.model_validate(raw))
            except ValidationError as error:
                self.report.invalid_items += 1
                self.report.errors.append(f"item {self._emitted - 1}: {error.errors()[0]['msg']}")
                log.warning("dropped a schema-violating item from the model: %s", raw)
        return items
