"""One model call, end to end: response cache, model fallback, streaming parse, usage ledger.

Features ask for items of a schema; this module decides which model answers (falling back when
the backend says a model does not exist), replays identical requests from the response cache,
and reports each problem to the user once through the `notify` callback.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, replace
from typing import TypeVar

from cachetools import LRUCache
from pydantic import BaseModel

from codex_lsp.engine.cache import CacheKeyShards
from codex_lsp.engine.stream import ItemStream
from codex_lsp.engine.tokens import estimate_tokens
from codex_lsp.engine.usage import CallRecord, Ledger
from codex_lsp.providers.base import (
    AuthenticationError,
    ModelNotFoundError,
    ModelRequest,
    Provider,
    ProviderError,
    TextDelta,
    Usage,
)
from codex_lsp.providers.cards import card_for
from codex_lsp.settings import PriceOverride

log = logging.getLogger(__name__)

ItemT = TypeVar("ItemT", bound=BaseModel)

Notify = Callable[[str, str, str], None]  # (dedupe key, level "error"|"warning"|"info", text)
OnUsage = Callable[[CallRecord, Ledger], None]


class ModelUnavailable(Exception):
    """No model can answer right now; the user has been told why."""


@dataclass
class ModelChoice:
    models: list[str]
    working: str | None = None

    def candidates(self) -> list[str]:
        if self.working is not None:
            return [self.working]
        return list(dict.fromkeys(self.models))


def _response_key(request: ModelRequest, model: str) -> str:
    digest = hashlib.sha256()
    infill = request.infill  # what a fill-in-the-middle provider sends instead of the parts
    fim = (infill.prefix, infill.suffix, str(infill.max_newlines)) if infill else ()
    for piece in (model, request.schema_name, request.instructions, request.prompt_text(), *fim):
        digest.update(piece.encode())
        digest.update(b"\0")
    return digest.hexdigest()


class ModelCaller:
    """Streams validated items for a request; owned by the server, one per backend config."""

    def __init__(
        self,
        provider: Provider,
        models: list[str],
        *,
        notify: Notify,
        ledger: Ledger | None = None,
        prices: dict[str, PriceOverride] | None = None,
        on_usage: OnUsage | None = None,
        response_cache_bytes: int = 4_000_000,
    ) -> None:
        self.provider = provider
        self.choice = ModelChoice(models)
        self.ledger = ledger or Ledger()
        self._notify = notify
        self._prices = prices or {}
        self._on_usage = on_usage
        self._dead_models: set[str] = set()
        self._key_shards = CacheKeyShards()
        self._responses: LRUCache[str, str] = LRUCache(maxsize=response_cache_bytes, getsizeof=len)

    @property
    def model(self) -> str:
        return self.choice.working or self.choice.candidates()[0]

    async def stream_items(
        self,
        request: ModelRequest,
        item_model: type[ItemT],
        list_field: str,
        *,
        use_cache: bool = True,
    ) -> AsyncGenerator[ItemT, None]:
        while (model := self._next_model()) is not None:
            cached = self._responses.get(_response_key(request, model)) if use_cache else None
            if cached is not None:
                self.ledger.count_avoided("response")
                for item in _replay(cached, item_model, list_field):
                    yield item
                return
            try:
                call = self._call(request, model, item_model, list_field, use_cache)
                async with aclosing(call) as items:
                    async for item in items:
                        yield item
                self.choice.working = model
                return
            except ModelNotFoundError as error:
                self._dead_models.add(model)
                if self.choice.working == model:  # it worked before; the backend changed
                    self.choice.working = None
                self._model_missing(model, error)
            except AuthenticationError as error:
                self._notify("auth", "error", f"codex-lsp: {error}")
                raise ModelUnavailable(str(error)) from error
        self._notify(
            "no-model",
            "error",
            "codex-lsp: none of the configured models is available "
            f"({', '.join(self.choice.models)}). Set codexLsp.model or codexLsp.fallbackModels.",
        )
        raise ModelUnavailable("no configured model is available")

    def _next_model(self) -> str | None:
        working = self.choice.working
        if working is not None and working not in self._dead_models:
            return working
        return next((m for m in self.choice.models if m not in self._dead_models), None)

    def _model_missing(self, model: str, error: ModelNotFoundError) -> None:
        remaining = [m for m in self.choice.models if m not in self._dead_models]
        then = f" Using '{remaining[0]}' instead." if remaining else ""
        self._notify(f"missing:{model}", "warning", f"codex-lsp: {error}{then}")

    async def _call(
        self,
        request: ModelRequest,
        model: str,
        item_model: type[ItemT],
        list_field: str,
        use_cache: bool,
    ) -> AsyncGenerator[ItemT, None]:
        parser = ItemStream(item_model, list_field)
        usage: Usage | None = None
        if use_cache and request.prompt_cache_key and card_for(model).cache_regime == "implicit":
            key = self._key_shards.key(request.prompt_cache_key, request.feature)
            request = replace(request, prompt_cache_key=key)
        try:
            try:
                async with aclosing(self.provider.stream(request, model)) as events:
                    async for event in events:
                        if isinstance(event, TextDelta):
                            for item in parser.feed(event.text):
                                yield item
                        else:
                            usage = event
            except (ModelNotFoundError, AuthenticationError):
                raise
            except ProviderError as error:
                self._notify(f"provider:{str(error)[:60]}", "warning", f"codex-lsp: {error}")
                log.warning("model call failed after %d chars: %s", len(parser.text), error)
                for item in parser.finish():  # whatever was complete before the failure
                    yield item
                return
            for item in parser.finish():
                yield item
            if parser.report.errors:
                log.warning("model answer problems: %s", "; ".join(parser.report.errors))
            elif parser.document is not None:
                self._responses[_response_key(request, model)] = parser.text
        finally:
            # Also when the caller stopped early or was cancelled: what was used is billed.
            if usage is not None or parser.text:
                self._account(request, usage, model, parser.text)

    def _account(self, request: ModelRequest, usage: Usage | None, model: str, text: str) -> None:
        if usage is None:
            # Streams cut short report no usage; estimate so the ledger never under-counts.
            usage = Usage(
                input_tokens=estimate_tokens(request.instructions + request.prompt_text()),
                output_tokens=estimate_tokens(text),
                model=model,
            )
        record = self.ledger.record(request.feature, usage, card_for(model, self._prices))
        log.info(
            "usage %s %s: in=%d cached=%d write=%d out=%d cost=$%.6f session=$%.4f",
            request.feature,
            record.model,
            record.input_tokens,
            record.cached_tokens,
            record.cache_write_tokens,
            record.output_tokens,
            record.cost_usd,
            self.ledger.cost_usd,
        )
        if self._on_usage is not None:
            self._on_usage(record, self.ledger)


def _replay(text: str, item_model: type[ItemT], list_field: str) -> list[ItemT]:
    parser = ItemStream(item_model, list_field)
    return [*parser.feed(text), *parser.finish()]
