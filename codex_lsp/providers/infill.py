"""llama.cpp's `/infill` endpoint: completions as fill-in-the-middle, the answer plain code.

Small local models complete code faster this way than through chat and a JSON schema: no
instructions to read, no JSON wrapper to write (about half of a short answer's tokens), and
llama.cpp formats the prompt with the model's own FIM tokens. The code is handed to the engine
as the same JSON answer every other provider streams, so nothing above this file changes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

import httpx2

from codex_lsp.providers.base import Infill, ProviderError, StreamEvent, TextDelta, Usage

log = logging.getLogger(__name__)

TOKENS_PER_LINE = 32  # generous for one line of code; the cap only stops a rambling model
# Tokens some FIM models emit at the end of a fill instead of the end-of-text token.
_FIM_STOPS = ["<|endoftext|>", "<|file_sep|>", "<|fim_pad|>", "<|repo_name|>", "<|im_end|>"]


class InfillUnsupported(ProviderError):
    """The loaded model has no fill-in-the-middle tokens: use chat instead."""


def infill_body(infill: Infill, max_tokens: int, slot: int | None = None) -> dict[str, Any]:
    """A streamed fill; `slot`: the llama.cpp slot to run in (queued until it is free)."""
    limit = TOKENS_PER_LINE * (infill.max_newlines + 1)
    pinned = {} if slot is None else {"id_slot": slot}
    return {
        "input_prefix": infill.prefix,
        "input_suffix": infill.suffix,
        "input_extra": input_extra(infill.extra),
        "prompt": "",
        "n_predict": min(limit, max_tokens),
        # A fill inside a line ends with it; longer ones at a blank line (the end of a block)
        # or, cut by the reader, after `max_newlines` lines.
        "stop": ["\n" if infill.max_newlines == 0 else "\n\n", *_FIM_STOPS],
        "temperature": 0,
        "cache_prompt": True,
        "stream": True,
        "timings_per_token": True,  # usage is known even when the reader stops early
        **pinned,
    }


def input_extra(chunks: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    """llama.cpp's `input_extra`: chunks it reads before the FIM prefix, each after a
    `<|file_sep|>` and its file name (Qwen2.5-Coder's repository-level format)."""
    return [{"filename": name, "text": text} for name, text in chunks]


def warm_body(
    prefix: str, slot: int | None = None, extra: tuple[tuple[str, str], ...] = ()
) -> dict[str, Any]:
    """A request that only reads `extra` and `prefix` into the slot's KV cache: no suffix, no
    answer."""
    pinned = {} if slot is None else {"id_slot": slot}
    return {
        "input_prefix": prefix,
        "input_suffix": "",
        "input_extra": input_extra(extra),
        "prompt": "",
        "n_predict": 0,
        "temperature": 0,
        "cache_prompt": True,
        "stream": False,
        **pinned,
    }


async def warm_prefix(
    client: httpx2.AsyncClient,
    base_url: str,
    prefix: str,
    *,
    api_key: str | None = None,
    slot: int | None = None,
    extra: tuple[tuple[str, str], ...] = (),
) -> Usage:
    """POST a warm-up to /infill; its usage (what was read, what came from the cache)."""
    url, headers = llama_endpoint(base_url, api_key)
    try:
        response = await client.post(url, json=warm_body(prefix, slot, extra), headers=headers)
    except httpx2.HTTPError as error:
        raise ProviderError(f"The local model did not answer: {error}", retryable=True) from error
    if response.status_code != 200:
        raise ProviderError(f"The local model answered {response.status_code}")
    try:
        return usage_of(response.json())
    except ValueError as error:
        raise ProviderError("The local model sent a broken answer") from error


def llama_endpoint(
    base_url: str, api_key: str | None, path: str = "/infill"
) -> tuple[str, dict[str, str]]:
    """A llama.cpp route (`/infill`, `/tokenize`) beside its OpenAI-style /v1, and the key as
    the openai SDK sends it."""
    url = base_url.rstrip("/").removesuffix("/v1") + path
    return url, ({"Authorization": f"Bearer {api_key}"} if api_key else {})


def answer_json(code: str) -> str:
    suggestions = [{"insert_text": code}] if code.strip() else []
    return json.dumps({"suggestions": suggestions})


def _first_lines(code: str, max_newlines: int) -> str:
    return "\n".join(code.split("\n")[: max_newlines + 1])


def usage_of(final: dict[str, Any]) -> Usage:
    timings = final.get("timings") or {}
    cached = int(timings.get("cache_n") or 0)
    fresh = int(timings.get("prompt_n") or 0)
    output = int(timings.get("predicted_n") or 0)
    return Usage(input_tokens=cached + fresh, cached_tokens=cached, output_tokens=output)


async def stream_infill(
    client: httpx2.AsyncClient,
    base_url: str,
    infill: Infill,
    max_tokens: int,
    model: str,
    *,
    api_key: str | None = None,
    slot: int | None = None,
) -> AsyncGenerator[StreamEvent, None]:
    """POST /infill and stream it; the answer comes as one JSON text at the end, then usage.
    ``api_key`` goes out as ``Authorization: Bearer``, as the openai SDK sends it."""
    url, headers = llama_endpoint(base_url, api_key)
    code: list[str] = []
    final: dict[str, Any] = {}
    body = infill_body(infill, max_tokens, slot)
    async with aclosing(infill_events(client, url, body, headers)) as events:
        async for event in events:
            code.append(event.get("content") or "")
            final = event if event.get("timings") else final
            if event.get("stop"):
                break
            if "".join(code).count("\n") > infill.max_newlines:
                break  # enough lines: closing the stream stops the model writing more
    yield TextDelta(answer_json(_first_lines("".join(code), infill.max_newlines)))
    usage = usage_of(final)
    usage.model = model
    yield usage


def refusal(status: int, detail: str) -> ProviderError:
    """What an /infill answer other than 200 means: a model with no fill-in-the-middle tokens,
    or another refusal."""
    if status in (400, 501) and "infill" in detail.lower():
        return InfillUnsupported(f"the local model cannot fill in the middle: {detail}")
    return ProviderError(f"The local model answered {status}: {detail}")


async def infill_events(
    client: httpx2.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> AsyncGenerator[dict[str, Any], None]:
    """The events of a streamed /infill request, parsed. Raises ProviderError for a refusal
    (`refusal`), a broken stream or a lost connection. Read it within `aclosing`: leaving it
    early then closes the stream at once, and llama.cpp stops writing."""
    try:
        async with client.stream("POST", url, json=body, headers=headers) as response:
            if response.status_code != 200:
                detail = (await response.aread()).decode(errors="replace")[:300]
                raise refusal(response.status_code, detail)
            async for line in response.aiter_lines():
                if not line.startswith("data: "):
                    continue
                try:
                    event = json.loads(line[len("data: ") :])
                except ValueError as error:
                    raise ProviderError(
                        f"The local model sent a broken stream: {line[:80]}"
                    ) from error
                yield event
    except httpx2.HTTPError as error:
        raise ProviderError(f"The local model did not answer: {error}", retryable=True) from error


def gbnf_literal(text: str) -> str:
    """`text` as a GBNF string literal (llama.cpp's grammar format)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def scoring_body(prefix: str, suffix: str, fill: str) -> dict[str, Any]:
    """An /infill request whose only allowed answer is `fill` (a grammar of that one string),
    reporting each token's log-probability before the grammar masked the others: their sum is
    how likely the model finds `fill` in the gap, ended (the end-of-fill token counts)."""
    return {
        "input_prefix": prefix,
        "input_suffix": suffix,
        "input_extra": [],
        "prompt": "",
        "grammar": f"root ::= {gbnf_literal(fill)}",
        "n_predict": len(fill.encode()) + 8,  # a token holds at least one byte, plus the end
        "n_probs": 1,
        "temperature": 0,
        "cache_prompt": True,
        "stream": False,
    }


def fill_logprobs(answer: dict[str, Any], fill: str) -> list[float]:
    """Each token's log-probability in a scoring answer (the end-of-fill token last); raises
    ProviderError when the model did not write exactly `fill` (a grammar the server ignored,
    an answer cut short)."""
    if (answer.get("content") or "") != fill:
        raise ProviderError(f"The local model did not score the fill: {answer.get('content')!r}")
    tokens = answer.get("completion_probabilities") or []
    if not tokens:
        raise ProviderError("The local model sent no token probabilities")
    return [float(token.get("logprob", 0.0)) for token in tokens]
