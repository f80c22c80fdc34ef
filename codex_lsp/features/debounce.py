"""How long an automatic completion waits before it calls the model: nothing when the user has
already paused (a client that asks at pauses), else a pause learned from the user's own typing
rhythm (a client that asks after every keystroke), never longer than `debounceMs`.

A fixed wait taxes every suggestion of a client that debounces itself (Neovim, Emacs, most
setups) for nothing; a learned one lets a fast typist's burst cost one call, not one per key.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Callable

MIN_DELAY_S = 0.1  # tabby-agent adapts between 100 and 1000 ms
# For a model that costs no money (the embedded one): a gap taken for a pause by mistake costs a
# little CPU, and the next keystroke cancels its call.
FREE_MIN_DELAY_S = 0.05
RHYTHM_FACTOR = 1.5  # a gap this much longer than the user's usual one is a pause
SLOW_GAP_FACTOR = 1.25  # ... or this much longer than their slow (90th percentile) one
TYPING_GAP_S = 1.0  # longer gaps are pauses, not typing rhythm
GAPS_KEPT = 64


class Debounce:
    """Per document: when it last changed; for the user: the usual gap between keystrokes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_change: dict[str, float] = {}
        self._gaps: deque[float] = deque(maxlen=GAPS_KEPT)

    def changed(self, uri: str) -> None:
        now = self._clock()
        last = self._last_change.get(uri)
        if last is not None and now - last < TYPING_GAP_S:
            self._gaps.append(now - last)
        self._last_change[uri] = now

    def forget(self, uri: str) -> None:
        self._last_change.pop(uri, None)

    def pause_s(self, bound_s: float, floor_s: float = MIN_DELAY_S) -> float:
        """The quiet time after a keystroke that counts as a pause: learned, within bounds."""
        if len(self._gaps) < 4:
            return bound_s
        # Past the slow end of the user's rhythm too: a gap mid-word must not pass for a pause
        # (each would be a model call); the median alone is too close to a steady typist's.
        slow = statistics.quantiles(self._gaps, n=10)[-1] * SLOW_GAP_FACTOR
        usual = max(statistics.median(self._gaps) * RHYTHM_FACTOR, slow)
        return min(bound_s, max(floor_s, usual))

    def wait_s(self, uri: str, bound_s: float, floor_s: float = MIN_DELAY_S) -> float:
        """How long a request arriving now should wait: what remains of the pause since the
        document's last change (0 when the user has paused already, or never typed)."""
        last = self._last_change.get(uri)
        if last is None:
            return 0.0
        return max(0.0, self.pause_s(bound_s, floor_s) - (self._clock() - last))
