"""Scoring fills in their own tokenization: what verifies a local review finding's fix.

`infill.scoring_body` forces a fill with a grammar of its characters. llama.cpp then writes, at
each step, the most likely token that keeps to the string, which can be a split the model would
never write: `<=` as `<` then `=` (-16 nats for the `=`), `(attrs` as `(a`, `t`, `trs`.
Such a split costs the line, as written or corrected, many nats it does not deserve, and a
wrong fix then outscores the right line (measured on benchmarks/review, session 9:
`slice_length <= 0` -> `slice_length == 0` gained +14.1 nats as strings, -1.1 in the lines'
own tokens; the right fixes kept their gains, +8.2 and +9.2). Here each fill is first
tokenized by the server (`/tokenize`) and forced as a grammar of those token ids, so its score
is that of the tokens a tokenizer gives the line.
"""

from __future__ import annotations

from contextlib import aclosing

import httpx2

from codex_lsp.providers.base import ProviderError
from codex_lsp.providers.infill import (
    fill_logprobs,
    infill_events,
    llama_endpoint,
    refusal,
    scoring_body,
)


def token_grammar(ids: list[int]) -> str:
    """A GBNF grammar whose only sentence is these token ids, in order (llama.cpp's `<[id]>`)."""
    return "root ::= " + " ".join(f"<[{i}]>" for i in ids)


async def _post(
    client: httpx2.AsyncClient, url: str, body: dict[str, object], headers: dict[str, str]
) -> httpx2.Response:
    try:
        return await client.post(url, json=body, headers=headers)
    except httpx2.HTTPError as error:
        raise ProviderError(f"The local model did not answer: {error}", retryable=True) from error


async def tokenize(
    client: httpx2.AsyncClient, base_url: str, text: str, *, api_key: str | None = None
) -> list[int]:
    """The server's token ids for `text` (no special tokens)."""
    url, headers = llama_endpoint(base_url, api_key, "/tokenize")
    body: dict[str, object] = {"content": text, "add_special": False}
    response = await _post(client, url, body, headers)
    if response.status_code != 200:
        raise ProviderError(f"The local model answered {response.status_code}: tokenize")
    try:
        tokens = response.json()["tokens"]
        return [t if isinstance(t, int) else int(t["id"]) for t in tokens]
    except (ValueError, KeyError, TypeError) as error:
        raise ProviderError("The local model sent broken tokens") from error


async def score_fill_tokens(
    client: httpx2.AsyncClient,
    base_url: str,
    prefix: str,
    suffix: str,
    fills: list[str],
    *,
    api_key: str | None = None,
) -> list[list[float]]:
    """Per-token log-probabilities of each fill between `prefix` and `suffix`, the fill forced
    in its own tokenization; all requests but the first reuse its prompt from the cache."""
    url, headers = llama_endpoint(base_url, api_key)
    scores = []
    for fill in fills:
        ids = await tokenize(client, base_url, fill, api_key=api_key)
        body = scoring_body(prefix, suffix, fill)
        if ids:
            body["grammar"] = token_grammar(ids)
            body["n_predict"] = len(ids) + 2  # the fill's tokens, then the end of the fill
        response = await _post(client, url, body, headers)
        if response.status_code != 200:
            raise refusal(response.status_code, response.text[:300])
        try:
            answer = response.json()
        except ValueError as error:
            raise ProviderError("The local model sent a broken answer") from error
        scores.append(fill_logprobs(answer, fill))
    return scores


async def score_against(
    client: httpx2.AsyncClient,
    base_url: str,
    prefix: str,
    suffix: str,
    written: str,
    fills: list[str],
    margin: float,
    *,
    api_key: str | None = None,
    slot: int | None = None,
    first: bool = False,
) -> tuple[float, list[float | None]]:
    """The summed log-probability of `written` in the gap and of each fill that can still beat
    it by `margin` nats (None for the others): the scores `score_fill_tokens` gives, without
    writing what cannot matter. A fill's running sum only falls (each token's log-probability
    is <= 0), so a fill is stopped once it drops below `written + margin`, and when `written`
    itself scores above `-margin` no fill is asked at all. `first`: only whether one fill
    beats it matters, so the fills after the first that does are not asked (None). All
    requests share one prompt (the gap), read once into the slot's cache (`slot`: pinned, so
    other work does not evict it)."""
    own = await _scored(client, base_url, api_key, prefix, suffix, written, None, slot)
    assert own is not None  # no floor: always scored to the end
    base = sum(own)
    if base > -margin:
        return base, [None] * len(fills)
    out: list[float | None] = [None] * len(fills)
    for index, fill in enumerate(fills):
        logprobs = await _scored(
            client, base_url, api_key, prefix, suffix, fill, base + margin, slot
        )
        if logprobs is not None:
            out[index] = sum(logprobs)
            if first:
                break
    return base, out


async def _scored(
    client: httpx2.AsyncClient,
    base_url: str,
    api_key: str | None,
    prefix: str,
    suffix: str,
    fill: str,
    floor: float | None,
    slot: int | None,
) -> list[float] | None:
    """One fill's token log-probabilities, streamed; None once their sum falls below `floor`
    (the stream is closed there: llama.cpp stops writing)."""
    url, headers = llama_endpoint(base_url, api_key)
    ids = await tokenize(client, base_url, fill, api_key=api_key)
    body = scoring_body(prefix, suffix, fill)
    if ids:
        body["grammar"] = token_grammar(ids)
        body["n_predict"] = len(ids) + 2
    body["stream"] = True
    if slot is not None:
        body["id_slot"] = slot
    logprobs: list[float] = []
    content: list[str] = []
    async with aclosing(infill_events(client, url, body, headers)) as events:
        async for event in events:
            content.append(event.get("content") or "")
            for token in event.get("completion_probabilities") or []:
                logprobs.append(float(token.get("logprob", 0.0)))
            if floor is not None and sum(logprobs) < floor:
                return None  # leaving the block closes the stream
            if event.get("stop"):
                break
    if "".join(content) != fill or not logprobs:
        raise ProviderError(f"The local model did not score the fill: {''.join(content)!r}")
    return logprobs
