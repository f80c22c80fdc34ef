"""One model call, end to end: response cache, model fallback, circuit breaker, retries,
streaming parse, usage ledger.

Features ask for items of a schema; this module decides which model answers (falling back when
the backend says a model does not exist), replays identical requests from the response cache,
holds calls back while the backend is failing, and reports each problem to the user once
through the `notify` callback.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Iterator
from contextlib import aclosing, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from cachetools import LRUCache
from pydantic import BaseModel

from codex_lsp.engine.breaker import FAILURE_THRESHOLD, Breaker, Clock, Outage
from codex_lsp.engine.cache import CacheKeyShards
from codex_lsp.engine.schemas import answer_list
from codex_lsp.engine.stream import ItemStream
from codex_lsp.engine.tokens import estimate_tokens
from codex_lsp.engine.usage import CallRecord, Ledger
from codex_lsp.providers.base import (
    AuthenticationError,
    ModelNotFoundError,
    ModelRequest,
    Provider,
    ProviderError,
    RateLimitError,
    StreamEvent,
    TextDelta,
    Usage,
)
from codex_lsp.providers.cards import card_for
from codex_lsp.settings import PriceOverride

log = logging.getLogger(__name__)

ItemT = TypeVar("ItemT", bound=BaseModel)

Notify = Callable[[str, str, str], None]  # (dedupe key, level "error"|"warning"|"info", text)
OnUsage = Callable[[CallRecord, Ledger], None]
Sleep = Callable[[float], Awaitable[None]]

MISSING_MODEL_RETRY_S = 30.0  # a model the backend said it lacks is asked again after this
# The longest pause a request waits out before its one retry. An invoked request can wait a
# little; an automatic one only absorbs a blip shorter than a typing pause, else it is dropped
# (the next keystroke asks again).
EXPLICIT_MAX_WAIT_S = 2.0
AUTOMATIC_MAX_WAIT_S = 0.5
EXPLICIT_RETRY_WAIT_S = 0.5  # before retrying a fault that named no pause (the SDK's first)
# An answer longer than this many characters per output token asked for is a backend ignoring
# the limit (JSON-escaped code averages about four): reading on would only cost time and memory.
MAX_CHARS_PER_OUTPUT_TOKEN = 16
# The rest of a stream the reader left is read for at most this long and this much text.
FINISH_MAX_S = 2.0
FINISH_MAX_CHARS = 200


class ModelUnavailable(Exception):
    """No model can answer right now; the message says why and the user has been told."""


@dataclass
class Outcome:
    """Filled in by `stream_items`: whether the answer arrived whole. A backend fault ends a
    call cleanly with the items before it, and a damaged answer (broken JSON, an item against
    the schema) with the items that could be read: neither is the whole answer."""

    whole: bool = True


@dataclass
class ModelChoice:
    models: list[str]
    working: str | None = None

    def candidates(self) -> list[str]:
        if self.working is not None:
            return [self.working]
        return list(dict.fromkeys(self.models))


@dataclass
class _Attempt:
    """What one provider call did, for the breaker and the retry decision."""

    answered: bool = False  # the backend sent something
    items: int = 0
    error: ProviderError | None = None
    damaged: bool = False  # the answer could not be read whole (JSON or schema problems)


@dataclass
class _Request:
    """One `stream_items` call's progress through fallbacks and its retry."""

    explicit: bool
    admitted: bool = False
    retried: bool = False
    missing: list[ModelNotFoundError] = field(default_factory=list)


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
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.provider = provider
        self.choice = ModelChoice(models)
        self.ledger = ledger or Ledger()
        self.breaker = Breaker(clock)
        self._notify = notify
        self._told: set[str] = set()
        # Fault kinds whose failure the user was told of since the backend last answered: the
        # outage they lead to is the same problem, already said.
        self._streak_told: set[str] = set()
        self._prices = prices or {}
        self._on_usage = on_usage
        self._clock = clock
        self._sleep = sleep
        self._dead_models: dict[str, float] = {}  # model -> when the backend said it lacks it
        self._key_shards = CacheKeyShards()
        self._responses: LRUCache[str, str] = LRUCache(maxsize=response_cache_bytes, getsizeof=len)
        self._finishing: set[asyncio.Task[None]] = set()

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
        explicit: bool = False,
        outcome: Outcome | None = None,
    ) -> AsyncGenerator[ItemT, None]:
        """Items as the model writes them. Raises ModelUnavailable when no call can be made:
        `explicit` (user-invoked) requests wait out a short pause and say why they fail;
        automatic ones are dropped while the backend is held back. `list_field`: the answer's
        list; the schema's single list first when it has another name (the shared schema's
        union, `{"answer": [...]}`)."""
        fields = tuple(dict.fromkeys((answer_list(request.json_schema, list_field), list_field)))
        state = _Request(explicit)
        while (model := self._next_model()) is not None:
            if not state.admitted:  # the cache answers even while the backend is held back
                cached = self._responses.get(_response_key(request, model)) if use_cache else None
                if cached is not None:
                    self.ledger.count_avoided("response")
                    for item in _replay(cached, item_model, fields):
                        yield item
                    return
                await self._admit(explicit)
                state.admitted = True
            attempt = _Attempt()
            try:
                with self._judged(attempt):
                    call = self._call(request, model, item_model, fields, use_cache, attempt)
                    async with aclosing(call) as items:
                        async for item in items:
                            yield item
            except ModelNotFoundError as error:
                self._model_missing(state, model, error)
                continue
            except AuthenticationError as error:
                self._stop(error)
            self.choice.working = model
            self._fell_back(state, model)
            if not await self._retry(state, attempt):
                if (attempt.error is not None or attempt.damaged) and outcome is not None:
                    # The items that could be read were yielded; the answer is not whole, and
                    # the caller must not take it for one (a review would stand as complete).
                    outcome.whole = False
                return
        self._no_model(state)

    # --- admission and the breaker --------------------------------------------------------

    async def _admit(self, explicit: bool) -> None:
        """Return when a call may go; else raise ModelUnavailable saying why."""
        breaker = self.breaker
        if breaker.admit():
            return
        wait = breaker.remaining_s()
        limit = EXPLICIT_MAX_WAIT_S if explicit else AUTOMATIC_MAX_WAIT_S
        if not breaker.probing and wait <= limit:
            await self._sleep(wait)
            if breaker.admit():
                return
        outage = breaker.outage
        assert outage is not None  # only an open breaker refuses
        log.info("%s request not sent: %s", "explicit" if explicit else "automatic", outage)
        if explicit:
            self._tell(outage)  # the user asked: make sure they have heard why not
        raise ModelUnavailable(self._refusal(outage))

    @contextmanager
    def _judged(self, attempt: _Attempt) -> Iterator[None]:
        """Report the call's outcome to the breaker however it ends, also when the consumer
        stops early or is cancelled: a backend that answered works."""
        try:
            yield
        finally:
            error = attempt.error
            if error is not None and error.retryable:
                self._fault(error)
            elif error is None and attempt.answered:
                self.breaker.close()
                self._streak_told.clear()
            else:  # nothing heard yet, or a fault of the request, not of the backend
                self.breaker.release()

    def _fault(self, error: ProviderError) -> None:
        self.breaker.fault(_fault_kind(error), str(error), error.retry_after_s)
        outage = self.breaker.outage
        long = self.breaker.remaining_s() > EXPLICIT_MAX_WAIT_S
        if outage is not None and (long or self.breaker.failures >= FAILURE_THRESHOLD):
            self._tell(outage)

    def _stop(self, error: AuthenticationError) -> None:
        """A rejected key stays rejected: no more calls until the settings change (which
        builds a new caller)."""
        self.breaker.open("auth", str(error), math.inf)
        assert self.breaker.outage is not None
        self._tell(self.breaker.outage)
        raise ModelUnavailable(str(error)) from error

    async def _retry(self, state: _Request, attempt: _Attempt) -> bool:
        """After a failed call: retry once when nothing was shown yet and the pause is short."""
        error = attempt.error
        if error is None:
            return False
        wait = None if attempt.items else self._retry_wait(state, error)
        if wait is None:
            self._report(error)
            return False
        log.info("retrying in %.1f s after: %s", wait, error)
        state.retried = True
        await self._sleep(wait)
        await self._admit(state.explicit)
        return True

    def _retry_wait(self, state: _Request, error: ProviderError) -> float | None:
        if state.retried or not error.retryable or self.breaker.probing:
            return None
        if error.retry_after_s is not None:
            wait = error.retry_after_s
        elif state.explicit:
            wait = EXPLICIT_RETRY_WAIT_S
        else:
            return None  # automatic: no pause named, no waiting on a guess
        wait = max(wait, self.breaker.remaining_s())
        limit = EXPLICIT_MAX_WAIT_S if state.explicit else AUTOMATIC_MAX_WAIT_S
        return wait if wait <= limit else None

    def _report(self, error: ProviderError) -> None:
        """A failure that ends a request: said once per distinct message, unless the message
        of the outage it belongs to said it already."""
        outage = self.breaker.outage
        if outage is not None and outage.key in self._told:
            return
        said = self._say(f"provider:{str(error)[:60]}", "warning", f"codex-lsp: {error}")
        if said and error.retryable:
            self._streak_told.add(_fault_kind(error))

    # --- which model answers --------------------------------------------------------------

    def _next_model(self) -> str | None:
        now = self._clock()

        def alive(model: str) -> bool:
            return now - self._dead_models.get(model, -math.inf) >= MISSING_MODEL_RETRY_S

        working = self.choice.working
        if working is not None and alive(working):
            return working
        return next((m for m in self.choice.models if alive(m)), None)

    def _model_missing(self, state: _Request, model: str, error: ModelNotFoundError) -> None:
        self._dead_models[model] = self._clock()
        if self.choice.working == model:  # it worked before; the backend changed
            self.choice.working = None
        state.missing.append(error)

    def _fell_back(self, state: _Request, model: str) -> None:
        """One message for the models skipped on the way to the one that answered."""
        if not state.missing:
            return
        names = [error.model for error in state.missing]
        missing = str(state.missing[0])
        if len(names) > 1:
            quoted = ", ".join(f"'{name}'" for name in names)
            missing = f"Models {quoted} are not available on this backend."
        self._say(
            "missing:" + ",".join(names),
            "warning",
            f"codex-lsp: {missing} Using '{model}' instead.",
        )
        state.missing.clear()

    def _no_model(self, state: _Request) -> None:
        """Every configured model is missing: one message, and no calls until the first of
        them may be asked again (the backend may serve it by then)."""
        names = ", ".join(dict.fromkeys(self.choice.models))
        said = next((f" The backend said: {e.detail}" for e in state.missing if e.detail), "")
        reason = f"none of the configured models is available on this backend ({names}).{said}"
        if state.missing or self.breaker.outage is None:  # else: still the outage it opened
            now = self._clock()
            for model in self.choice.models:  # asked again together, in the configured order
                self._dead_models[model] = now
            self.breaker.open("no-model", reason, MISSING_MODEL_RETRY_S)
        assert self.breaker.outage is not None
        self._tell(self.breaker.outage)
        raise ModelUnavailable(self._refusal(self.breaker.outage))

    # --- what the user hears ---------------------------------------------------------------

    def _say(self, key: str, level: str, text: str) -> bool:
        """Once per key for this caller (`check` prints every notice it gets); True if said."""
        if key in self._told:
            return False
        self._told.add(key)
        self._notify(key, level, text)
        return True

    def _tell(self, outage: Outage) -> None:
        """The one message of an outage: none when the failure that led to it was said."""
        if outage.kind in self._streak_told:
            self._told.add(outage.key)
        elif outage.kind == "auth":
            self._say(outage.key, "error", f"codex-lsp: {outage.reason}")
        elif outage.kind == "no-model":
            self._say(
                outage.key,
                "error",
                f"codex-lsp: {outage.reason} Set codexLsp.model or codexLsp.fallbackModels to a "
                f"model it serves; codex-lsp asks again every {MISSING_MODEL_RETRY_S:.0f} s.",
            )
        else:
            self._say(
                outage.key,
                "warning",
                f"codex-lsp: {outage.reason} Model calls are paused and resume by themselves "
                f"when the backend recovers ({self._next_try()}).",
            )

    def _refusal(self, outage: Outage) -> str:
        if outage.kind == "auth":
            return f"{outage.reason} Model calls are stopped until the settings change."
        return f"{outage.reason} Model calls are paused; {self._next_try()}."

    def _next_try(self) -> str:
        if self.breaker.probing:
            return "checking whether it recovered"
        return f"next try in {math.ceil(self.breaker.remaining_s())} s"

    # --- one provider call ------------------------------------------------------------------

    async def _call(
        self,
        request: ModelRequest,
        model: str,
        item_model: type[ItemT],
        list_field: tuple[str, ...],
        use_cache: bool,
        attempt: _Attempt,
    ) -> AsyncGenerator[ItemT, None]:
        parser = ItemStream(item_model, list_field)
        usage: Usage | None = None
        room = max(1, request.max_output_tokens) * MAX_CHARS_PER_OUTPUT_TOKEN
        if use_cache and request.prompt_cache_key and card_for(model).cache_regime == "implicit":
            key = self._key_shards.key(request.prompt_cache_key, request.schema_name)
            request = replace(request, prompt_cache_key=key)
        events = self.provider.stream(request, model)
        finishing = False  # the rest of the stream is read in the background
        try:
            try:
                async for event in events:
                    attempt.answered = True
                    if isinstance(event, TextDelta):
                        room -= len(event.text)
                        if room < 0:
                            raise _too_long(request)
                        for item in parser.feed(event.text):
                            attempt.items += 1
                            yield item
                    else:
                        usage = event
            except (ModelNotFoundError, AuthenticationError):
                raise
            except ProviderError as error:
                attempt.error = error
                log.warning("model call failed after %d chars: %s", len(parser.text), error)
            if parser.text or attempt.error is None:  # after a failure: items complete before it
                for item in parser.finish():
                    attempt.items += 1
                    yield item
            if attempt.error is not None:
                return  # a cut answer: its problems are the cut, and it is not cached
            if parser.report.errors:
                attempt.damaged = True
                log.warning("model answer problems: %s", "; ".join(parser.report.errors))
            elif parser.document is not None:
                self._responses[_response_key(request, model)] = parser.text
        except GeneratorExit:  # the reader stopped early: it had enough, or it was cancelled
            if usage is None and self.provider.finish_cut_streams and not _cancelling():
                finishing = True
                self._finish_later(self._finish(events, request, model, parser.text))
            raise
        finally:
            if not finishing:
                await events.aclose()  # now, not at garbage collection: the server sees it
                # Also when the caller stopped early or was cancelled: what was used is billed.
                if usage is not None or parser.text:
                    self._account(request, usage, model, parser.text)

    def _finish_later(self, finish: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(finish)
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)

    async def _finish(
        self,
        events: AsyncGenerator[StreamEvent, None],
        request: ModelRequest,
        model: str,
        text: str,
    ) -> None:
        """The rest of an answer whose reader had enough, read after the reader's answer went
        out: usually a few closing characters and the usage. The connection then goes back to
        the pool (the next call skips a TLS handshake) and the bill is the backend's, not an
        estimate. A longer rest is not worth its output tokens: the stream is closed."""
        usage: Usage | None = None
        room = FINISH_MAX_CHARS
        try:
            async with asyncio.timeout(FINISH_MAX_S):
                async for event in events:
                    if isinstance(event, TextDelta):
                        text += event.text
                        room -= len(event.text)
                        if room < 0:
                            break
                    else:
                        usage = event
        except (ProviderError, TimeoutError) as error:
            log.debug("the rest of a stream the reader left was not read: %s", error)
        finally:
            await events.aclose()
            self._account(request, usage, model, text)

    async def aclose(self) -> None:
        """Stop reading the rests of answers (the backend is going away)."""
        for task in list(self._finishing):
            task.cancel()
        await asyncio.gather(*self._finishing, return_exceptions=True)

    def _account(self, request: ModelRequest, usage: Usage | None, model: str, text: str) -> None:
        if usage is None:
            # Streams cut short report no usage; estimate so the ledger never under-counts.
            # Part by part: each part was counted (and remembered) as the prompt was built,
            # where counting the joined prompt again took milliseconds of the answer's time.
            prompt = [request.instructions, *(part.text for part in request.parts)]
            usage = Usage(
                input_tokens=sum(map(estimate_tokens, prompt)),
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


def _cancelling() -> bool:
    """Whether the running task is being cancelled (a request the user left, a deadline), as
    opposed to a reader that stopped because it had what it needed."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _fault_kind(error: ProviderError) -> str:
    return "rate-limit" if isinstance(error, RateLimitError) else "backend"


def _too_long(request: ModelRequest) -> ProviderError:
    """An answer cut where the backend should have stopped (a fault of the answer: no retry)."""
    return ProviderError(
        "The backend sent more than the output token limit allows, so codex-lsp stopped reading "
        f"the answer ({request.max_output_tokens} tokens asked for at most)."
    )


def _replay(text: str, item_model: type[ItemT], list_field: tuple[str, ...]) -> list[ItemT]:
    parser = ItemStream(item_model, list_field)
    return [*parser.feed(text), *parser.finish()]
