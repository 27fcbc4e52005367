"""The circuit breaker's states, on a clock the test moves."""

from __future__ import annotations

from gateway.breaker import BreakerState, CircuitBreaker


def state(breaker: CircuitBreaker) -> BreakerState:
    return breaker.state  # a call: each check reads the state afresh


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_only() -> None:
    breaker = CircuitBreaker(failure_threshold=3, reset_seconds=5, clock=Clock())
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert state(breaker) is BreakerState.closed
    breaker.record_failure()
    assert state(breaker) is BreakerState.open
    assert not breaker.allow()


def test_half_open_lets_one_trial_through_and_closes_on_success() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_seconds=5, clock=clock)
    breaker.record_failure()
    assert breaker.retry_after() == 5
    clock.now += 5
    assert state(breaker) is BreakerState.half_open
    assert breaker.allow()
    assert not breaker.allow()  # one trial at a time
    breaker.record_success()
    assert state(breaker) is BreakerState.closed
    assert breaker.allow()


def test_a_failed_trial_opens_it_again_for_a_full_period() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=2, reset_seconds=5, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    clock.now += 6
    assert breaker.allow()
    breaker.record_failure()
    assert state(breaker) is BreakerState.open
    assert breaker.retry_after() == 5
    clock.now += 4.9
    assert not breaker.allow()


def test_a_trial_that_tells_nothing_hands_the_trial_to_the_next_call() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_seconds=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow()
    breaker.release()  # e.g. the client went away before the upstream answered
    assert state(breaker) is BreakerState.half_open
    assert breaker.allow()
    breaker.record_success()
    assert state(breaker) is BreakerState.closed
