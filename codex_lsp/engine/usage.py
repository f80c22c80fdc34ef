"""Token and dollar accounting: one entry per model call, totals per session and per day.

Today's spend is also kept in a small JSON file in the user's cache directory, so a daily
budget holds across server restarts and across editors running their own servers.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codex_lsp.providers.base import Usage
from codex_lsp.providers.cards import ModelCard

log = logging.getLogger(__name__)


def user_cache_dir() -> Path:
    """`CODEX_LSP_CACHE_DIR`, else `$XDG_CACHE_HOME/codex-lsp`, else `~/.cache/codex-lsp`."""
    override = os.environ.get("CODEX_LSP_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "codex-lsp"


class DailySpend:
    """Dollars spent today, shared through a file; unreadable or missing counts as zero."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def add(self, day: str, dollars: float) -> float:
        total = self.read(day) + dollars
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps({"day": day, "cost_usd": total}))
                tmp.replace(self.path)
            except OSError as error:
                log.warning("could not record today's spend in %s: %s", self.path, error)
        return total

    def read(self, day: str) -> float:
        if self.path is None:
            return 0.0
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return 0.0
        if not isinstance(data, dict) or data.get("day") != day:
            return 0.0
        cost = data.get("cost_usd")
        return float(cost) if isinstance(cost, int | float) else 0.0


def cost_usd(usage: Usage, card: ModelCard) -> float:
    """Dollars for one call: cached input at the cached price, writes at the write price."""
    uncached = max(usage.input_tokens - usage.cached_tokens - usage.cache_write_tokens, 0)
    write_price = card.cache_write_price if card.cache_write_price is not None else card.input_price
    total = (
        uncached * card.input_price
        + usage.cached_tokens * card.cached_input_price
        + usage.cache_write_tokens * write_price
        + usage.output_tokens * card.output_price
    )
    return total / 1_000_000


@dataclass
class CallRecord:
    feature: str
    model: str
    input_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    output_tokens: int
    reasoning_tokens: int
    cost_usd: float


@dataclass
class Ledger:
    """Running totals; `avoided` counts requests answered without a model call, per cache."""

    calls: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float = 0.0
    avoided: dict[str, int] = field(default_factory=dict)
    day: str = field(default_factory=lambda: dt.date.today().isoformat())
    cost_today_usd: float = 0.0
    daily: DailySpend = field(default_factory=lambda: DailySpend(None), repr=False)

    def record(self, feature: str, usage: Usage, card: ModelCard) -> CallRecord:
        entry = CallRecord(
            feature,
            usage.model or card.name,
            usage.input_tokens,
            usage.cached_tokens,
            usage.cache_write_tokens,
            usage.output_tokens,
            usage.reasoning_tokens,
            cost_usd(usage, card),
        )
        self._roll_day()
        self.calls += 1
        self.input_tokens += usage.input_tokens
        self.cached_tokens += usage.cached_tokens
        self.cache_write_tokens += usage.cache_write_tokens
        self.output_tokens += usage.output_tokens
        self.reasoning_tokens += usage.reasoning_tokens
        self.cost_usd += entry.cost_usd
        self.cost_today_usd = max(
            self.cost_today_usd + entry.cost_usd, self.daily.add(self.day, entry.cost_usd)
        )
        return entry

    def count_avoided(self, cache_name: str) -> None:
        self.avoided[cache_name] = self.avoided.get(cache_name, 0) + 1

    @property
    def cached_ratio(self) -> float:
        return self.cached_tokens / self.input_tokens if self.input_tokens else 0.0

    def spent_today(self) -> float:
        self._roll_day()
        return max(self.cost_today_usd, self.daily.read(self.day))

    def _roll_day(self) -> None:
        today = dt.date.today().isoformat()
        if today != self.day:
            self.day, self.cost_today_usd = today, 0.0

    def totals(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "daily"}
        data["cached_ratio"] = round(self.cached_ratio, 4)
        return data
