"""Token and dollar accounting: one entry per model call, totals per session and per day, each
also broken down by feature (the `ModelRequest.feature` names: completion, diagnostics,
code_action).

Today's spend is also kept in a small JSON file in the user's cache directory, so a daily
budget holds across server restarts, editors running their own servers, and `check` runs:

    {"day": "2025-06-01", "cost_usd": 0.42,
     "features": {"completion": {"calls": 120, "input_tokens": 900000,
                                 "cached_tokens": 820000, "cost_usd": 0.31}, ...}}

`day` and `cost_usd` are the budget's; `features` is only the bill's breakdown. A file without
it (written by an older codex-lsp) still reads, and what it held shows as spend not broken down
by feature; a breakdown that cannot be read is dropped, never the total with it.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import math
import os
import re
import threading
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeGuard

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


class UnreadableSpend(Exception):
    """The spend file holds no total that can be read. The message says why without quoting the
    file, which is not ours alone to show."""


@dataclass
class FeatureSpend:
    """One feature's calls, input tokens (of them, how many the provider had cached) and dollars."""

    calls: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0

    def add(self, call: CallRecord) -> None:
        self.calls += 1
        self.input_tokens += call.input_tokens
        self.cached_tokens += call.cached_tokens
        self.cost_usd += call.cost_usd

    def plus(self, other: FeatureSpend) -> FeatureSpend:
        return FeatureSpend(
            self.calls + other.calls,
            self.input_tokens + other.input_tokens,
            self.cached_tokens + other.cached_tokens,
            self.cost_usd + other.cost_usd,
        )

    @property
    def cached_ratio(self) -> float:
        """The share of input tokens billed at the cached price."""
        return cached_share(self.cached_tokens, self.input_tokens)

    def to_json(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "cached_tokens": self.cached_tokens,
            "cost_usd": self.cost_usd,
        }

    def summary(self) -> dict[str, Any]:
        """As the `codexLsp/usage` notification and command report it."""
        return {**self.to_json(), "cached_ratio": round(self.cached_ratio, 4)}


@dataclass
class DaySpend:
    """One day's record in the spend file: the total, and what of it each feature spent."""

    day: str
    cost_usd: float = 0.0
    features: dict[str, FeatureSpend] = field(default_factory=dict)
    problem: str | None = None  # why the file's per-feature figures were dropped, if they were

    def add(self, call: CallRecord) -> None:
        self.cost_usd += call.cost_usd
        # Only names the reader accepts are written, or one odd name would drop the breakdown.
        name = call.feature if _FEATURE_NAME.fullmatch(call.feature) else "other"
        self.features.setdefault(name, FeatureSpend()).add(call)

    def by_feature(self) -> FeatureSpend:
        """Every feature's figures added up."""
        total = FeatureSpend()
        for spend in self.features.values():
            total = total.plus(spend)
        return total

    @property
    def not_by_feature(self) -> float:
        """Dollars the breakdown does not cover: spent under a codex-lsp that kept none, or in
        a breakdown that could not be read. Sums of the same additions in another order differ
        in the last bits, which is not spend."""
        rest = self.cost_usd - self.by_feature().cost_usd
        return rest if rest > 1e-9 * max(self.cost_usd, 1.0) else 0.0

    def to_json(self) -> dict[str, Any]:
        features = {name: self.features[name].to_json() for name in sorted(self.features)}
        return {"day": self.day, "cost_usd": self.cost_usd, "features": features}


def read_spend(path: Path, day: str) -> DaySpend:
    """The spend file's record for `day`: empty when there is no file, or it is another day's.
    UnreadableSpend when its total cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return DaySpend(day)
    except (OSError, ValueError) as error:  # ValueError: not UTF-8
        raise UnreadableSpend(str(error)) from None
    return parse_spend(text, day)


def parse_spend(text: str, day: str) -> DaySpend:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # RecursionError: nested too deep
        raise UnreadableSpend(f"not JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("day"), str):
        raise UnreadableSpend("not a spend record")
    if data["day"] != day:
        return DaySpend(day)
    cost = data.get("cost_usd")
    if not _is_dollars(cost):
        raise UnreadableSpend("cost_usd is missing or not a number of dollars")
    features, problem = _parse_features(data.get("features", {}))
    return DaySpend(day, float(cost), features, problem)


_FEATURE_NAME = re.compile(r"[a-z][a-z_]{0,31}")  # a stray key is never shown to the user
_MAX_FEATURES = 64
_MAX_COUNT = 2**63  # keeps every ratio of two counts a float


def _parse_features(raw: object) -> tuple[dict[str, FeatureSpend], str | None]:
    if not isinstance(raw, dict):
        return {}, "features is not an object"
    if len(raw) > _MAX_FEATURES:
        return {}, f"features has more than {_MAX_FEATURES} entries"
    features: dict[str, FeatureSpend] = {}
    for name, figures in raw.items():
        if not _FEATURE_NAME.fullmatch(name):
            return {}, "features has an entry whose name is not a feature's"
        spend = _feature_spend(figures)
        if spend is None:
            return {}, f"features.{name} is not calls, tokens and dollars"
        features[name] = spend
    return features, None


def _feature_spend(figures: object) -> FeatureSpend | None:
    if not isinstance(figures, dict):
        return None
    calls, input_tokens, cached_tokens = (
        figures.get(key) for key in ("calls", "input_tokens", "cached_tokens")
    )
    cost = figures.get("cost_usd")
    if not (_is_count(calls) and _is_count(input_tokens) and _is_count(cached_tokens)):
        return None
    if not _is_dollars(cost):
        return None
    return FeatureSpend(calls, input_tokens, cached_tokens, float(cost))


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _MAX_COUNT


def _is_dollars(value: object) -> TypeGuard[int | float]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return 0 <= float(value) < math.inf  # NaN fails too
    except OverflowError:  # an integer too large for a float
        return False


def written_before(path: Path, day: str) -> bool:
    """Whether `path` was last written before `day` (an ISO date, local time)."""
    try:
        modified = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    except OSError:
        return False
    return modified < day


class DailySpend:
    """Dollars spent today, shared by every codex-lsp process through a file, with each
    feature's share.

    Each addition is a read-modify-write under a lock, written atomically. A file that cannot
    be read never counts as $0: the last total this process knew stands in for it, and with
    none the total is unknown (None), which a budget counts as spent. Such a file is left as
    it is for the user to look at, unless it was last written before today.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: tuple[str, float] | None = None  # (day, total) last read, written or added
        self._read_stamp: tuple[int, int, int] | None = None  # the file as `read` last read it
        self._warned: set[str] = set()

    def add(self, day: str, call: CallRecord) -> float | None:
        """Add a call to today's record; the new total, or None when no shared total is known."""
        return self.add_all(day, [call])

    def add_all(self, day: str, calls: list[CallRecord]) -> float | None:
        """Add calls to today's record in one write; the new total, as `add`."""
        path = self.path
        if path is None:
            return None
        self._make_folder(path.parent)
        with exclusive_lock(path.with_name(path.name + ".lock")):
            on_file = self._load(path, day)
            if on_file is not None:
                for call in calls:
                    on_file.add(call)
                self._store(path, on_file)
        if on_file is not None:
            return self._remember(day, on_file.cost_usd)
        known = self._known_on(day)
        added = sum(call.cost_usd for call in calls)
        return None if known is None else self._remember(day, known + added)

    def read(self, day: str) -> float | None:
        """Today's total: the file's, else the last known, else None (unknown). The file is
        read again only once it changed (a server asks before every call, on its event loop)."""
        if self.path is None:
            return 0.0
        stamp = _stamp(self.path)
        known = self._known_on(day)
        if stamp is not None and stamp == self._read_stamp and known is not None:
            return known
        on_file = self._load(self.path, day)
        self._read_stamp = stamp
        return known if on_file is None else self._remember(day, on_file.cost_usd)

    def _known_on(self, day: str) -> float | None:
        return self._known[1] if self._known and self._known[0] == day else None

    def _remember(self, day: str, total: float) -> float:
        self._known = (day, total)
        return total

    def _load(self, path: Path, day: str) -> DaySpend | None:
        """The file's record for `day`: empty for none or another day's, None when unreadable."""
        try:
            record = read_spend(path, day)
        except UnreadableSpend as error:
            return self._unreadable(path, day, str(error))
        if record.problem is not None:
            self._warn_once(
                "features",
                f"dropped the per-feature figures in {path} ({record.problem}); today's total "
                "still counts, and spend from before shows as not broken down by feature",
            )
        return record

    def _unreadable(self, path: Path, day: str, reason: str) -> DaySpend | None:
        if written_before(path, day):
            return DaySpend(day)  # written before today: whatever it held is not today's spend
        self._warn_once(
            "read",
            f"cannot read today's spend from {path} ({reason}); fix or remove the file: until "
            "then a daily budget takes the last total read, or counts today's spend as unknown "
            "(spent)",
        )
        return None

    def _store(self, path: Path, record: DaySpend) -> None:
        data = json.dumps(record.to_json()).encode()
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


class BackgroundDailySpend(DailySpend):
    """Adds in a timer thread, FLUSH_DELAY_S after a call, every call since the last write in
    one read-modify-write: the lock can wait for another process and the atomic write syncs to
    disk, neither of which may hold a server's event loop; and a write started as a call ends
    would take the interpreter (the GIL) from the loop while it sends the answer. Returns the
    total known in memory meanwhile; `flush` writes what is pending at once (at exit too)."""

    FLUSH_DELAY_S = 2.0

    def __init__(self, path: Path | None) -> None:
        super().__init__(path)
        self._pending: list[tuple[str, CallRecord]] = []
        self._pending_lock = threading.Lock()
        self._write_lock = threading.Lock()  # the file lock may not exclude this process' threads
        self._timer: threading.Timer | None = None
        atexit.register(self.flush)

    def add(self, day: str, call: CallRecord) -> float | None:
        known = self._known_on(day)
        with self._pending_lock:
            self._pending.append((day, call))
            if self._timer is None:
                self._timer = threading.Timer(self.FLUSH_DELAY_S, self.flush)
                self._timer.daemon = True
                self._timer.start()
        return None if known is None else self._remember(day, known + call.cost_usd)

    def flush(self) -> None:
        """Write every pending call now (in the calling thread)."""
        with self._write_lock:
            with self._pending_lock:
                pending, self._pending = self._pending, []
                if self._timer is not None and self._timer is not threading.current_thread():
                    self._timer.cancel()
                self._timer = None
            for day in dict.fromkeys(day for day, _ in pending):
                super().add_all(day, [call for on, call in pending if on == day])


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is written (an atomic write makes a new file)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def spend_file() -> Path:
    """The spend file every codex-lsp process on this machine shares: servers and `check`."""
    return user_cache_dir() / "spend.json"


def daily_spend(background: bool = False) -> DailySpend:
    path = spend_file()
    return BackgroundDailySpend(path) if background else DailySpend(path)


def cached_share(cached_tokens: int, input_tokens: int) -> float:
    """The share of input tokens that were cached, at most 1 (a server may report more)."""
    return min(cached_tokens / input_tokens, 1.0) if input_tokens else 0.0


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
    """Running totals, also per feature; `avoided` counts requests answered without a model
    call, per cache."""

    calls: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float = 0.0
    avoided: dict[str, int] = field(default_factory=dict)
    features: dict[str, FeatureSpend] = field(default_factory=dict)  # by ModelRequest.feature
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
        self.features.setdefault(feature, FeatureSpend()).add(entry)
        shared = self.daily.add(self.day, entry)
        self.cost_today_usd = max(self.cost_today_usd + entry.cost_usd, shared or 0.0)
        return entry

    def count_avoided(self, cache_name: str) -> None:
        self.avoided[cache_name] = self.avoided.get(cache_name, 0) + 1

    @property
    def cached_ratio(self) -> float:
        return cached_share(self.cached_tokens, self.input_tokens)

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
        data["features"] = {name: self.features[name].summary() for name in sorted(self.features)}
        data["cached_ratio"] = round(self.cached_ratio, 4)
        return data
