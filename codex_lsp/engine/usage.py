"""Token and dollar accounting: one entry per model call, totals per session and per day.

Today's spend is also kept in a small JSON file in the user's cache directory, so a daily
budget holds across server restarts, editors running their own servers, and `check` runs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from codex_lsp.files import exclusive_lock, replace_file
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
    """Dollars spent today, shared by every codex-lsp process through a file.

    Each addition is a read-modify-write under a lock, written atomically. A file that cannot
    be read never counts as $0: the last total this process knew stands in for it, and with
    none the total is unknown (None), which a budget counts as spent. Such a file is left as
    it is for the user to look at, unless it was last written before today.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: tuple[str, float] | None = None  # (day, total) last read, written or added
        self._warned: set[str] = set()

    def add(self, day: str, dollars: float) -> float | None:
        """Add to today's total; the new total, or None when no shared total is known."""
        path = self.path
        if path is None:
            return None
        self._make_folder(path.parent)
        with exclusive_lock(path.with_name(path.name + ".lock")):
            on_file = self._load(path, day)
            if on_file is not None:
                self._store(path, day, on_file + dollars)
        known = on_file if on_file is not None else self._known_on(day)
        return None if known is None else self._remember(day, known + dollars)

    def read(self, day: str) -> float | None:
        """Today's total: the file's, else the last known, else None (unknown)."""
        if self.path is None:
            return 0.0
        on_file = self._load(self.path, day)
        return self._known_on(day) if on_file is None else self._remember(day, on_file)

    def _known_on(self, day: str) -> float | None:
        return self._known[1] if self._known and self._known[0] == day else None

    def _remember(self, day: str, total: float) -> float:
        self._known = (day, total)
        return total

    def _load(self, path: Path, day: str) -> float | None:
        """The file's total for `day`: 0.0 for none or another day's, None when unreadable."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            return 0.0
        except (OSError, ValueError) as error:
            return self._unreadable(path, day, str(error))
        if not isinstance(data, dict) or not isinstance(data.get("day"), str):
            return self._unreadable(path, day, "not a spend record")
        if data["day"] != day:
            return 0.0
        cost = data.get("cost_usd")
        if isinstance(cost, bool) or not isinstance(cost, int | float) or not 0 <= cost < math.inf:
            return self._unreadable(path, day, f"cost_usd is {cost!r}")
        return float(cost)

    def _unreadable(self, path: Path, day: str, reason: str) -> float | None:
        if _modified_before(path, day):
            return 0.0  # written before today: whatever it held is not today's spend
        self._warn_once(
            "read",
            f"cannot read today's spend from {path} ({reason}); fix or remove the file: until "
            "then a daily budget takes the last total read, or counts today's spend as unknown "
            "(spent)",
        )
        return None

    def _store(self, path: Path, day: str, total: float) -> None:
        data = json.dumps({"day": day, "cost_usd": total}).encode()
        try:
            replace_file(path, data)
        except OSError as error:
            self._warn_once("write", f"could not record today's spend in {path}: {error}")

    def _make_folder(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._warn_once("write", f"could not record today's spend in {folder}: {error}")

    def _warn_once(self, kind: str, text: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            log.warning("%s", text)


def _modified_before(path: Path, day: str) -> bool:
    try:
        modified = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    except OSError:
        return False
    return modified < day


class BackgroundDailySpend(DailySpend):
    """Adds in a worker thread: the lock can wait for another process and the atomic write
    syncs to disk, neither of which may hold a server's event loop. Returns the total known
    in memory meanwhile."""

    def __init__(self, path: Path | None) -> None:
        super().__init__(path)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spend")

    def add(self, day: str, dollars: float) -> float | None:
        known = self._known_on(day)
        self._writer.submit(super().add, day, dollars)
        return None if known is None else self._remember(day, known + dollars)


def daily_spend(background: bool = False) -> DailySpend:
    """The spend file every codex-lsp process on this machine shares: servers and `check`."""
    path = user_cache_dir() / "spend.json"
    return BackgroundDailySpend(path) if background else DailySpend(path)


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
        shared = self.daily.add(self.day, entry.cost_usd)
        self.cost_today_usd = max(self.cost_today_usd + entry.cost_usd, shared or 0.0)
        return entry

    def count_avoided(self, cache_name: str) -> None:
        self.avoided[cache_name] = self.avoided.get(cache_name, 0) + 1

    @property
    def cached_ratio(self) -> float:
        return self.cached_tokens / self.input_tokens if self.input_tokens else 0.0

    def spent_today(self) -> float:
        """Today's spend in every process; infinite while it is unknown (a broken spend file)."""
        self._roll_day()
        shared = self.daily.read(self.day)
        return math.inf if shared is None else max(self.cost_today_usd, shared)

    def _roll_day(self) -> None:
        today = dt.date.today().isoformat()
        if today != self.day:
            self.day, self.cost_today_usd = today, 0.0

    def totals(self) -> dict[str, Any]:
        # Not asdict(): it deep-copies every field, the shared spend file's writer included.
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "daily"}
        data["avoided"] = dict(self.avoided)
        data["cached_ratio"] = round(self.cached_ratio, 4)
        return data
