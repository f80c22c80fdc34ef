"""Warm-ups and prefetches on the real embedded model: a warmed prefix is read from llama.cpp's
cache by the request after it, and a prefetched answer is served without another call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from codex_lsp.providers.base import Infill, ModelRequest, ProviderConfig, TextDelta, Usage
from codex_lsp.providers.local import LocalProvider
from codex_lsp.settings import Settings

PREFIX = "".join(f"def value_{n}(x):\n    return x * {n}\n\n\n" for n in range(24))


@pytest.fixture
async def provider(model_path: Path) -> AsyncIterator[LocalProvider]:
    settings = Settings(backend="local", local_model_path=str(model_path))
    local = LocalProvider(settings, ProviderConfig())
    yield local
    await local.aclose()


async def complete(provider: LocalProvider, infill: Infill) -> tuple[str, Usage]:
    request = ModelRequest("completion", "", (), "completion", {}, 64, infill=infill)
    text, usage = "", Usage()
    async for event in provider.stream(request, "local"):
        if isinstance(event, TextDelta):
            text += event.text
        else:
            usage = event
    return text, usage


async def background_done(provider: LocalProvider) -> None:
    task = provider.lane._background
    if task is not None:
        await asyncio.wait_for(asyncio.shield(task), 120)


async def test_a_warmed_prefix_is_read_from_the_cache(provider: LocalProvider) -> None:
    provider.warm(Infill(PREFIX, "", 0))
    await background_done(provider)
    _, usage = await complete(provider, Infill(PREFIX + "def value_24(x):\n", "\n", 1))
    # All of the warmed prefix came from the cache; only what follows it was read.
    assert usage.input_tokens - usage.cached_tokens < 24, usage
    assert provider.lane.warmups == 1


async def test_a_prefetched_answer_is_served_without_a_call(provider: LocalProvider) -> None:
    ahead = Infill(PREFIX + "def value_24(x):\n", "\n", 1)
    provider.prefetch(ahead, 64)
    await background_done(provider)
    text, usage = await complete(provider, ahead)
    assert provider.lane.prefetch_hits == 1
    assert "suggestions" in text and usage.output_tokens > 0


async def test_the_extra_chunk_stays_cached_when_the_cursor_moves(provider: LocalProvider) -> None:
    """The file's head goes as llama.cpp's `input_extra`, before the FIM prefix: a fill at
    another place, after it, reads its own window but not the head again."""
    head = (("src/values.py", PREFIX),)
    here = Infill("def total(values):\n    return ", "\n", 0, head)
    _, first = await complete(provider, here)
    assert first.input_tokens - first.cached_tokens > 200, first  # the head, read once
    there = Infill("class Ledger:\n    def add(self, amount):\n        self.", "\n", 0, head)
    _, second = await complete(provider, there)
    assert second.cached_tokens > 200 and second.input_tokens - second.cached_tokens < 40, second


async def test_fixes_are_scored_in_their_own_tokens_by_the_real_model(
    provider: LocalProvider,
) -> None:
    """The verification of a review's fix (`/tokenize`, then a grammar of token ids) runs on the
    llama.cpp the package ships, and prefers the line the code around it implies."""
    prefix = "def add(first, second):\n    return "
    right, wrong = await provider.score_fills(prefix, "\n", ["first + second", "first + sec0nd"])
    assert right < 0 and wrong < 0
    assert right > wrong + 2  # the verification margin, by a wide mark on a line this plain
