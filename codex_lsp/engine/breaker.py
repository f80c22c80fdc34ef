"""When the backend may be called again, and the outage the user hears about once: a circuit
breaker per model caller, pure state on an injected clock (the caller reports each outcome)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]

FAILURE_THRESHOLD = 3  # backend faults in a row that open the breaker
FIRST_COOL_DOWN_S = 2.0  # without a retry-after, cool-downs double from here...
MAX_COOL_DOWN_S = 60.0  # ...up to this
MAX_HOLD_S = 600.0  # a longer retry-after is likelier a broken header than a plan

# Notices dedupe by key for the whole session, and callers are rebuilt on settings changes:
# outage numbers are unique in the process so each outage gets its own message.
_OUTAGE_NUMBERS = itertools.count(1)


@dataclass(frozen=True)
class Outage:
    """Why calls are held back: `kind` is "rate-limit", "backend", "auth" or "no-model"."""

    kind: str
    reason: str  # a sentence from the failure that opened it
    number: int

    @property
    def key(self) -> str:
        return f"outage:{self.kind}:{self.number}"


class Breaker:
    """Stops calls to a failing backend for a cool-down, then lets one probe call through
    (half-open); the probe's success closes it, its failure opens it again for longer.

    It opens after FAILURE_THRESHOLD backend faults in a row, or at once when the backend names
    a pause (retry-after).
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.failures = 0
        self._openings = 0  # cool-downs since the last success: the backoff's exponent
        self._until = 0.0
        self.probing = False
        self.outage: Outage | None = None

    def remaining_s(self) -> float:
        return max(0.0, self._until - self._clock()) if self.outage else 0.0

    def admit(self) -> bool:
        """May a call go now? The first one after a cool-down becomes the probe."""
        if self.outage is None:
            return True
        if self.probing or self._clock() < self._until:
            return False
        self.probing = True
        return True

    def close(self) -> None:
        self.failures = self._openings = 0
        self.probing = False
        self.outage = None

    def release(self) -> None:
        """A call ended without a verdict on the backend (cancelled before it answered)."""
        self.probing = False

    def fault(self, kind: str, reason: str, retry_after_s: float | None) -> None:
        self.failures += 1
        if retry_after_s is None and self.outage is None and self.failures < FAILURE_THRESHOLD:
            return
        if retry_after_s is None:
            hold = min(FIRST_COOL_DOWN_S * 2**self._openings, MAX_COOL_DOWN_S)
        else:
            hold = min(retry_after_s, MAX_HOLD_S)
        self._openings += 1
        self.open(kind, reason, hold)

    def open(self, kind: str, reason: str, hold_s: float) -> None:
        """Hold calls for `hold_s` (math.inf: until this caller is replaced)."""
        self.probing = False
        self._until = self._clock() + hold_s
        number = self.outage.number if self.outage else next(_OUTAGE_NUMBERS)
        self.outage = Outage(kind, reason, number)
