"""Figures from one replay, read from what the fake OpenAI server billed.

Dollars come from the model card (`card_for`) and the project's own `cost_usd`, applied to the
fake's usage per request (input, cached, cache-write and output tokens; output tokens counted
with the fake's tokenizer, as the fake bills them). The fake bills with `TOKENIZERS[name]`:
o200k_base by default (what OpenAI bills for codex-mini's family), or the fake's own
approximation, which counts code about twice as many tokens as o200k_base does and so makes
the 1,024-token caching minimum and the 128-token steps half as large as they are.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict, deque
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from benchmarks.run import RunResult
from codex_lsp.engine import tokens
from codex_lsp.engine.usage import cost_usd
from codex_lsp.providers.base import Usage
from codex_lsp.providers.cards import card_for
from tests.fake_openai import RequestRecord, Tokenizer, approx_tokenize
from tests.fake_openai.prompt import responses_prompt

TOKENIZERS: dict[str, Tokenizer] = {"o200k": tokens.encode, "approx": approx_tokenize}

ROUTING_PREFIX_TOKENS = 256  # the fake's (and OpenAI's) routing prefix
BLOCK_TOKENS = 128
MIN_CACHED_TOKENS = 1024
WINDOW_S = 60.0
COMPARE_WITH_LAST = 32  # earlier prompts (same cache key) searched for the best prefix hit


@dataclass
class Totals:
    calls: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    write_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    def add(self, record: RequestRecord, tokenizer: Tokenizer) -> None:
        self.calls += 1
        self.input_tokens += record.input_tokens
        self.cached_tokens += record.cached_tokens
        self.write_tokens += record.cache_write_tokens
        self.output_tokens += output_tokens(record, tokenizer)
        self.cost_usd += record_cost(record, tokenizer)

    @property
    def cached_ratio(self) -> float:
        return self.cached_tokens / self.input_tokens if self.input_tokens else 0.0


@dataclass
class Figures:
    label: str
    completion: Totals
    overall: Totals
    by_schema: dict[str, Totals]
    keystrokes: int
    pauses: int
    lsp_requests: int
    avoided: dict[str, int]
    peak_prefix_rpm: int  # per prompt_cache_key and prefix: what one cache machine sees
    peak_prefix_any_key_rpm: int  # per prefix over all keys: what the typist sends
    repeat_calls: int
    repeat_same_answer: bool
    seconds: float
    calls_while_typing: int = 0  # completion calls that started between pauses
    cut_streams: int = 0  # completion answers the server stopped reading before their end
    key_gap_ms: tuple[float, float] = (0.0, 0.0)  # p99 and max between keystrokes of a burst
    max_calls_per_pause: int = 0  # most completion calls in one typing-then-pause interval
    lost_to_changes: float = 0.0  # share of completion input tokens: prompt differed
    lost_to_routing: float = 0.0  # share lost to per-prefix overflow / routing
    first_change: dict[str, int] = field(default_factory=dict)

    @property
    def usd_per_100_completions(self) -> float:
        return 100 * self.completion.cost_usd / self.pauses if self.pauses else 0.0

    @property
    def usd_per_lsp_request(self) -> float:
        return self.overall.cost_usd / self.lsp_requests if self.lsp_requests else 0.0

    @property
    def calls_per_100_keystrokes(self) -> float:
        return 100 * self.completion.calls / self.keystrokes if self.keystrokes else 0.0

    @property
    def calls_per_pause(self) -> float:
        return self.completion.calls / self.pauses if self.pauses else 0.0


def output_tokens(record: RequestRecord, tokenizer: Tokenizer) -> int:
    return len(tokenizer(record.output_text))


def record_cost(record: RequestRecord, tokenizer: Tokenizer) -> float:
    usage = Usage(
        input_tokens=record.input_tokens,
        cached_tokens=record.cached_tokens,
        cache_write_tokens=record.cache_write_tokens,
        output_tokens=output_tokens(record, tokenizer),
        model=record.model or "",
    )
    return cost_usd(usage, card_for(record.model or ""))


def model_calls(records: Iterable[RequestRecord]) -> list[RequestRecord]:
    return [r for r in records if r.path.endswith(("/responses", "/chat/completions"))]


def totals(records: Iterable[RequestRecord], tokenizer: Tokenizer) -> Totals:
    result = Totals()
    for record in records:
        result.add(record, tokenizer)
    return result


def figures(result: RunResult) -> Figures:
    tokenizer = TOKENIZERS[result.spec.tokenizer]
    calls = model_calls(result.records)
    completions = [r for r in calls if r.task == "completion"]
    by_schema: dict[str, list[RequestRecord]] = defaultdict(list)
    for record in calls:
        by_schema[record.task or "?"].append(record)
    figs = Figures(
        label=f"{result.spec.layout} / {result.spec.regime} ({result.spec.model})",
        completion=totals(completions, tokenizer),
        overall=totals(calls, tokenizer),
        by_schema={name: totals(items, tokenizer) for name, items in sorted(by_schema.items())},
        keystrokes=result.stats.keystrokes,
        pauses=result.stats.pauses,
        lsp_requests=result.stats.lsp_requests,
        avoided=dict(result.usage.get("avoided") or {}),
        peak_prefix_rpm=peak_prefix_rpm(calls, tokenizer),
        peak_prefix_any_key_rpm=peak_prefix_rpm(calls, tokenizer, by_key=False),
        repeat_calls=result.repeat.calls_second,
        repeat_same_answer=result.repeat.same_answer,
        seconds=result.seconds,
    )
    per_pause, figs.calls_while_typing = calls_by_pause(completions, result.stats.pause_windows)
    figs.max_calls_per_pause = max(per_pause.values(), default=0)
    figs.cut_streams = sum(1 for r in completions if r.disconnected)
    figs.key_gap_ms = key_gaps(result.stats.key_gaps_s)
    explain_misses(figs, completions, tokenizer, implicit=result.spec.regime == "implicit")
    return figs


def key_gaps(gaps_s: list[float]) -> tuple[float, float]:
    """How regular the simulated typing was: p99 and max interval, in ms."""
    if not gaps_s:
        return 0.0, 0.0
    ordered = sorted(gaps_s)
    return 1000 * ordered[int(0.99 * (len(ordered) - 1))], 1000 * ordered[-1]


def calls_by_pause(
    records: Iterable[RequestRecord], windows: list[tuple[float, float]]
) -> tuple[Counter[int], int]:
    """Assign each call to the pause that ends its interval (typing, then the pause); also
    count the calls that started while the person was still typing."""
    ordered = sorted(windows)
    ends = [end for _, end in ordered]
    per_pause: Counter[int] = Counter()
    while_typing = 0
    for record in records:
        index = bisect.bisect_left(ends, record.received_at)
        per_pause[index] += 1
        if index >= len(ordered) or record.received_at < ordered[index][0]:
            while_typing += 1
    return per_pause, while_typing


# --- rate per prefix --------------------------------------------------------------------
def routing_key(
    record: RequestRecord, tokenizer: Tokenizer, by_key: bool = True
) -> tuple[str | None, tuple[Hashable, ...]]:
    prompt = responses_prompt(record.body, tokenizer)
    return prompt.cache_key if by_key else None, tuple(prompt.tokens[:ROUTING_PREFIX_TOKENS])


def peak_prefix_rpm(
    records: Sequence[RequestRecord], tokenizer: Tokenizer, by_key: bool = True
) -> int:
    """Most requests any one (prompt_cache_key, first-256-token prefix) got in 60 seconds;
    with `by_key` False, any one prefix whatever the key."""
    times: dict[tuple[str | None, tuple[Hashable, ...]], list[float]] = defaultdict(list)
    for record in records:
        times[routing_key(record, tokenizer, by_key)].append(record.received_at)
    return max((_peak_in_window(sorted(t)) for t in times.values()), default=0)


def _peak_in_window(times: list[float]) -> int:
    window: deque[float] = deque()
    peak = 0
    for at in times:
        window.append(at)
        while window[0] <= at - WINDOW_S:
            window.popleft()
        peak = max(peak, len(window))
    return peak


# --- where the misses come from -----------------------------------------------------------
def explain_misses(
    figs: Figures, completions: list[RequestRecord], tokenizer: Tokenizer, implicit: bool
) -> None:
    """Split uncached completion tokens into 'the prompt changed' (beyond the best prefix any
    recent prompt with the same cache key could give) and 'routing/overflow', and count which
    prompt part first differs between consecutive completion prompts."""
    prompts = [responses_prompt(r.body, tokenizer) for r in completions]
    total = sum(len(p.tokens) for p in prompts) or 1
    best_possible = 0
    for index, prompt in enumerate(prompts):
        same_key = [e.tokens for e in prompts[:index] if e.cache_key == prompt.cache_key]
        best_possible += _best_hit(prompt.tokens, same_key[-COMPARE_WITH_LAST:])
        if index:
            label = _first_changed_part(prompts[index - 1].texts, prompt.texts)
            figs.first_change[label] = figs.first_change.get(label, 0) + 1
    figs.lost_to_changes = (total - best_possible) / total
    if implicit:
        actual = sum(r.cached_tokens for r in completions)
        figs.lost_to_routing = max(best_possible - actual, 0) / total


def _best_hit(tokens: Sequence[Hashable], earlier: Sequence[Sequence[Hashable]]) -> int:
    """The most an implicit cache could serve: the longest shared prefix in 128-token blocks."""
    best = 0
    for other in earlier:
        limit = min(len(tokens), len(other)) // BLOCK_TOKENS * BLOCK_TOKENS
        shared = 0
        while (
            shared < limit
            and tokens[shared : shared + BLOCK_TOKENS] == other[shared : shared + BLOCK_TOKENS]
        ):
            shared += BLOCK_TOKENS
        best = max(best, shared)
    return best if best >= MIN_CACHED_TOKENS else 0


def part_label(index: int, text: str) -> str:
    """A short name for prompt segment `index` (schema, instructions, then input blocks)."""
    if index == 0:
        return "schema"
    if index == 1:
        return "instructions"
    head = text.strip().split("\n", 1)[0][:28]
    return f"input[{index - 2}] {head!r}"


def _first_changed_part(old: list[str], new: list[str]) -> str:
    for index, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return part_label(index, b)
    if len(old) != len(new):
        return "number of parts"
    return "identical"
