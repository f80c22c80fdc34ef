"""The embedded local models as a provider: llama.cpp started on first use, spoken to over Chat
(and `/infill` for completions, and for scoring a review finding's fix).

llama.cpp enforces json_schema response formats and reuses the KV cache of the longest common
prompt prefix per slot, so the same cache-friendly layout that saves money at OpenAI saves
seconds here. Completions go to `localModel` (fast); reviews and fixes to the model that reviews
best (`localReviewModel`), in a second llama.cpp child when that is another model. Each child
wants its own random API key (see `codex_lsp.local.server`); every request here carries it.
Completions go through one lane to two slots of the child, which also warms their caches and
prefetches the next suggestion (`providers/infill_lane.py`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import replace
from typing import Any

from cachetools import LRUCache

from codex_lsp.local.server import LocalEndpoint, LocalModelServer, local_http_client
from codex_lsp.local.weights import LocalModelError, weights_installed
from codex_lsp.providers import fill_scores
from codex_lsp.providers.base import (
    Infill,
    ModelRequest,
    ProviderConfig,
    ProviderError,
    StreamEvent,
)
from codex_lsp.providers.chat import ChatProvider
from codex_lsp.providers.infill import InfillUnsupported, stream_infill, warm_prefix
from codex_lsp.providers.infill_lane import InfillLane
from codex_lsp.settings import Settings

log = logging.getLogger(__name__)

LOCAL_MAX_OUTPUT_TOKENS = 384  # small models ramble; short answers keep latency low
# Measured (benchmarks/LOCAL.md): output tokens dominate local completion latency (~52 ms each
# on 2 cores) and a few answers ran to 384; a suggestion of a few lines fits in 128.
LOCAL_MAX_COMPLETION_TOKENS = 128
# Measured on benchmarks/review: the 1.5B finds half the planted bugs, the 0.5B none.
REVIEW_MODEL = "qwen2.5-coder-1.5b"
REVIEWING_FEATURES = ("diagnostics", "code_action")  # quality over speed: not while typing
# Measured on benchmarks/review/corpus_real: on real code the 1.5B walks the file reporting
# nearly every line, each finding ~70 tokens at a few tokens a second on a busy machine, and
# verification drops nearly all of them. Its first few are the ones worth checking.
LOCAL_MAX_FINDINGS = 3
# The llama.cpp slot a completion call runs in when nothing else decides (the quality benchmark,
# tools); the lane spreads them over `infill_lane.SLOTS`, where they queue and share the KV
# cache; reviews take whichever slot is free.
COMPLETION_SLOT = 0
# The fill scan (`engine/fill_scan.py`): its margin was pre-registered with the 0.5B model, so
# it scans only with that model, in a third slot of its child (the completion lane keeps 0 and
# 1 warm: a scan reads a new suffix every line and would evict them).
SCAN_MODEL = "qwen2.5-coder-0.5b"
SCAN_SLOT = 2
# The model whose fill scores confirm the scan's corrections (`fill_scan.SecondOpinion`): the
# rule was pre-registered with the 1.5B as the second model.
SECOND_OPINION_MODEL = "qwen2.5-coder-1.5b"
SLOT_CTX = 4096  # tokens per slot (the server's default: 8,192 over 2 slots)
# A scan request reads a line's suffix (~5 s on a busy core) in the child that also writes the
# ghost text, and llama.cpp runs its slots' work in one batch: each line of a scan waits until
# the user has not typed for this long, so a completion does not queue behind it.
SCAN_QUIET_S = 2.0
# Lines scanned, by what was asked (the scores are the model's at temperature 0): a review the
# editor's deadline cut is asked again at the next save, and its scan then goes on where it
# stopped instead of reading the same first lines again.
SCAN_SCORES_KEPT = 4096


def review_model(settings: Settings) -> str:
    """The embedded model that reviews and fixes: the user's choice; else the better reviewer
    when installed; else the completion model (or the user's own GGUF, which serves all)."""
    if settings.local_review_model != "auto":
        return settings.local_review_model
    if settings.local_model_path is None and weights_installed(REVIEW_MODEL):
        return REVIEW_MODEL
    return settings.local_model


def capped_findings(schema: dict[str, Any], limit: int) -> dict[str, Any]:
    """A review answer's schema allowing at most `limit` findings (llama.cpp enforces
    `maxItems` in its grammar); other schemas unchanged."""
    findings = schema.get("properties", {}).get("findings")
    if not isinstance(findings, dict) or findings.get("type") != "array":
        return schema
    properties = {**schema["properties"], "findings": {**findings, "maxItems": limit}}
    return {**schema, "properties": properties}


class LocalProvider:
    name = "local"
    finish_cut_streams = False

    def __init__(
        self,
        settings: Settings,
        config: ProviderConfig,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        own_weights = settings.local_model_path is not None
        reviewer = review_model(settings)
        completer_scans = not own_weights and settings.local_model == SCAN_MODEL
        self._server = LocalModelServer(
            local_model=settings.local_model,
            local_model_path=settings.local_model_path,
            on_notice=on_notice,
            parallel=3 if completer_scans else 2,
            ctx=(3 if completer_scans else 2) * SLOT_CTX,
        )
        same = own_weights or reviewer == settings.local_model
        reviewer_scans = not same and reviewer == SCAN_MODEL
        self._review_server = (
            self._server
            if same
            else LocalModelServer(
                local_model=reviewer,
                on_notice=on_notice,
                parallel=3 if reviewer_scans else 2,
                ctx=(3 if reviewer_scans else 2) * SLOT_CTX,
            )
        )
        # The child that scans (`score_against`): the one serving the 0.5B, if any.
        self._scan_server = (
            self._server if completer_scans else self._review_server if reviewer_scans else None
        )
        # The child whose 1.5B gives the scan its second opinion (`second_gains`), if any.
        completer = None if own_weights else settings.local_model
        self._second_server = next(
            (
                child
                for child, model in ((self._review_server, reviewer), (self._server, completer))
                if model == SECOND_OPINION_MODEL and self._scan_server not in (None, child)
            ),
            None,
        )
        self._config = config
        self._chats: dict[LocalModelServer, tuple[LocalEndpoint, ChatProvider]] = {}
        self._http = local_http_client()
        self._infill_works = True  # until the model turns out to have no FIM tokens
        self._completion_model = "local"  # the name the caller last asked completions of
        self.lane = InfillLane(self._send_infill, self._send_warm)
        self._typed_at = -math.inf  # when a completion or a warm-up last came (monotonic)
        self._scanned: LRUCache[bytes, tuple[float, list[float | None]]] = LRUCache(
            SCAN_SCORES_KEPT
        )

    async def _chat_provider(self, server: LocalModelServer) -> tuple[LocalEndpoint, ChatProvider]:
        """The running child's endpoint and a chat client for it (a new one after a restart:
        the child has a new port or key)."""
        try:
            endpoint = await server.endpoint()
        except LocalModelError as error:
            raise ProviderError(f"The local model could not start: {error}") from error
        known = self._chats.get(server)
        if known is not None and known[0] == endpoint:
            return known
        if known is not None:
            await known[1].aclose()
        # llama.cpp closes each streamed connection: a pooled client would reuse dead ones.
        chat = ChatProvider(
            replace(self._config, base_url=endpoint.base_url, api_key=endpoint.api_key),
            http_client=local_http_client(),
        )
        self._chats[server] = (endpoint, chat)
        return endpoint, chat

    async def stream(self, request: ModelRequest, model: str) -> AsyncGenerator[StreamEvent, None]:
        reviewing = request.feature in REVIEWING_FEATURES
        _, chat = await self._chat_provider(self._review_server if reviewing else self._server)
        if request.infill is not None and self._infill_works:
            self._typed_at = time.monotonic()
            self._completion_model = model
            try:
                async for event in self.lane.stream(request.infill, request.max_output_tokens):
                    yield event
                return
            except InfillUnsupported as error:
                log.info("%s; completing through chat instead", error)
                self._infill_works = False
        cap = (
            LOCAL_MAX_COMPLETION_TOKENS
            if request.feature == "completion"
            else LOCAL_MAX_OUTPUT_TOKENS
        )
        limited = replace(
            request,
            max_output_tokens=min(request.max_output_tokens, cap),
            json_schema=capped_findings(request.json_schema, LOCAL_MAX_FINDINGS),
        )
        async for event in chat.stream(limited, model):
            yield event

    def warm(self, infill: Infill, owner: str = "") -> None:
        """Read a completion's prefix into llama.cpp's cache now (a new place, or lines typed
        since), so the request at the user's next pause reads only its last few tokens."""
        if self._infill_works:
            self._typed_at = time.monotonic()
            self.lane.warm(infill, owner)

    def forget(self, owner: str) -> None:
        """The document `owner` closed: no more reading ahead for it."""
        self.lane.forget(owner)

    def prefetch(self, infill: Infill, max_tokens: int) -> None:
        """Ask now for the completion of `infill` (the text as it will be if the user takes
        the suggestion shown), kept to answer a request for exactly that at once."""
        if self._infill_works:
            self.lane.prefetch(infill, max_tokens)

    async def _send_infill(
        self, infill: Infill, max_tokens: int, slot: int
    ) -> AsyncGenerator[StreamEvent, None]:
        endpoint, _ = await self._chat_provider(self._server)
        async for event in stream_infill(
            self._http,
            endpoint.base_url,
            infill,
            max_tokens,
            self._completion_model,
            api_key=endpoint.api_key,
            slot=slot,
        ):
            yield event

    async def _send_warm(self, infill: Infill, slot: int) -> None:
        endpoint, _ = await self._chat_provider(self._server)
        usage = await warm_prefix(
            self._http,
            endpoint.base_url,
            infill.prefix,
            api_key=endpoint.api_key,
            slot=slot,
            extra=infill.extra,
        )
        log.info("warm-up: in=%d cached=%d slot=%d", usage.input_tokens, usage.cached_tokens, slot)

    async def score_fills(self, prefix: str, suffix: str, fills: Sequence[str]) -> list[float]:
        """How likely the reviewing model finds each fill of a gap (fill-in-the-middle log
        probabilities, each fill in its own tokens): what `engine/verify.py` checks a
        finding's fix with."""
        return await self._fill_sums(self._review_server, prefix, suffix, fills)

    async def _fill_sums(
        self, child: LocalModelServer, prefix: str, suffix: str, fills: Sequence[str]
    ) -> list[float]:
        """Each fill's summed log-probability in `child`'s model, in whichever slot is free."""
        endpoint, _ = await self._chat_provider(child)
        tokens = await fill_scores.score_fill_tokens(
            self._http, endpoint.base_url, prefix, suffix, list(fills), api_key=endpoint.api_key
        )
        return [sum(logprobs) for logprobs in tokens]

    async def score_against(
        self,
        prefix: str,
        suffix: str,
        written: str,
        fills: list[str],
        margin: float,
        *,
        first: bool = False,
    ) -> tuple[float, list[float | None]] | None:
        """The fill scan's scores (`engine/fill_scan.py`): the written line's and each fill's
        that can beat it by `margin` (`first`: up to the first that does), by the 0.5B model in
        its own slot; None when no child serves that model (the user's own GGUF, or the 1.5B
        alone)."""
        if self._scan_server is None:
            return None
        key = _scan_key(prefix, suffix, written, fills, f"{margin!r} first" if first else margin)
        known = self._scanned.get(key)
        if known is not None:
            return known[0], list(known[1])
        if self._scan_server is self._server:
            await self._typing_paused()
        endpoint, _ = await self._chat_provider(self._scan_server)
        scored = await fill_scores.score_against(
            self._http,
            endpoint.base_url,
            prefix,
            suffix,
            written,
            fills,
            margin,
            api_key=endpoint.api_key,
            slot=SCAN_SLOT,
            first=first,
        )
        if scored is not None:
            self._scanned[key] = (scored[0], list(scored[1]))
        return scored

    def has_second_opinion(self) -> bool:
        return self._second_server is not None

    async def second_gains(
        self, prefix: str, suffix: str, written: str, fills: list[str]
    ) -> list[float]:
        """The scan's corrections scored by the 1.5B against the written line (fill in the
        middle, each fill in its own tokens)."""
        child = self._second_server
        if child is None:
            raise ProviderError("no second model for the line scan")
        key = _scan_key(prefix, suffix, written, fills, "second opinion")
        known = self._scanned.get(key)
        if known is not None:
            return [gain for gain in known[1] if gain is not None]
        if child is self._server:
            await self._typing_paused()
        base, *scores = await self._fill_sums(child, prefix, suffix, [written, *fills])
        gains = [score - base for score in scores]
        kept: list[float | None] = list(gains)
        self._scanned[key] = (base, kept)
        return gains

    async def _typing_paused(self) -> None:
        """Return once no completion or warm-up has come for SCAN_QUIET_S (at once in `check`,
        where none comes). A sleep, not an event: each keystroke moves the deadline."""
        while (wait := self._typed_at + SCAN_QUIET_S - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    async def check(self, model: str) -> str:
        endpoint, _ = await self._chat_provider(self._server)
        return f"embedded llama.cpp at {endpoint.base_url}"

    async def aclose(self) -> None:
        await self.lane.aclose()
        await self._http.aclose()
        for _, chat in self._chats.values():
            await chat.aclose()
        await self._server.stop()
        if self._review_server is not self._server:
            await self._review_server.stop()


def _scan_key(
    prefix: str, suffix: str, written: str, fills: list[str], margin: float | str
) -> bytes:
    """A scan question's digest (its pieces joined by NUL): no code or score is kept. `margin`:
    the margin asked for, or which question (the second opinion's)."""
    parts = (prefix, suffix, written, *fills, repr(margin))
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).digest()
