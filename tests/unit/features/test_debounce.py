"""The completion wait: none for a client that asks at pauses, a learned pause for one that
asks after every keystroke, within the user's `debounceMs`."""

from __future__ import annotations

import pytest

from codex_lsp.features.debounce import FREE_MIN_DELAY_S, MIN_DELAY_S, Debounce

URI = "file:///w/a.py"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def typed(debounce: Debounce, clock: Clock, gaps: list[float]) -> None:
    for gap in gaps:
        clock.now += gap
        debounce.changed(URI)


def test_a_request_at_a_pause_is_served_at_once() -> None:
    clock = Clock()
    debounce = Debounce(clock)
    typed(debounce, clock, [0.1] * 10)
    clock.now += 0.4  # the client waited for the pause itself (Neovim, Emacs)
    assert debounce.wait_s(URI, 0.25) == 0.0


def test_a_request_right_after_a_keystroke_waits_the_learned_pause() -> None:
    clock = Clock()
    debounce = Debounce(clock)
    typed(debounce, clock, [0.5] + [0.1] * 9 + [0.12])  # the first key starts the rhythm
    assert debounce.wait_s(URI, 0.25) == pytest.approx(0.1 * 1.5)  # median gap x 1.5
    clock.now += 0.05
    assert debounce.wait_s(URI, 0.25) == pytest.approx(0.1 * 1.5 - 0.05)


def test_an_uneven_typist_gets_past_their_slow_gaps() -> None:
    clock = Clock()
    debounce = Debounce(clock)
    gaps = [0.06 + 0.08 * (n % 11) / 10 for n in range(60)]  # 60-140 ms, a fast human
    typed(debounce, clock, gaps)
    assert debounce.pause_s(1.0) > max(gaps)  # no gap of this rhythm passes for a pause


@pytest.mark.parametrize(
    ("gaps", "bound", "expected"),
    [
        ([0.03] * 8, 0.25, MIN_DELAY_S),  # a very fast typist: at least the floor
        ([0.4] * 8, 0.25, 0.25),  # a slow one: never past the user's bound
        ([0.1] * 2, 0.25, 0.25),  # too little rhythm yet: the bound
        ([2.0] * 8, 0.25, 0.25),  # long gaps are pauses, not rhythm
    ],
    ids=["fast-typist-floor", "slow-typist-bound", "not-learned-yet", "pauses-ignored"],
)
def test_the_learned_pause_stays_within_bounds(
    gaps: list[float], bound: float, expected: float
) -> None:
    clock = Clock()
    debounce = Debounce(clock)
    typed(debounce, clock, gaps)
    assert debounce.pause_s(bound) == pytest.approx(expected)


def test_a_document_never_typed_in_waits_nothing() -> None:
    assert Debounce(Clock()).wait_s(URI, 0.25) == 0.0


def test_a_model_that_costs_no_money_may_start_at_a_lower_floor() -> None:
    clock = Clock()
    debounce = Debounce(clock)
    typed(debounce, clock, [0.03] * 8)  # a very fast typist: the floor decides
    assert debounce.wait_s(URI, 0.25, FREE_MIN_DELAY_S) == pytest.approx(FREE_MIN_DELAY_S)
    assert debounce.wait_s(URI, 0.25) == pytest.approx(MIN_DELAY_S)
    typed(debounce, clock, [0.1] * 40)  # a rhythm above both floors: the same learned pause
    assert debounce.wait_s(URI, 0.25, FREE_MIN_DELAY_S) == debounce.wait_s(URI, 0.25)
