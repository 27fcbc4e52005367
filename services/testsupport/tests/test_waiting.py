"""``wait_until``: the first truthy value, or a failure naming what never happened."""

from __future__ import annotations

import itertools

import pytest

from soundstream_testing import wait_until


def test_returns_the_first_truthy_value_of_the_condition() -> None:
    answers = iter([None, 0, "", "ready", "later"])
    assert wait_until(lambda: next(answers), what="an answer", poll=0) == "ready"


def test_fails_after_the_timeout_saying_what_it_waited_for() -> None:
    with pytest.raises(pytest.fail.Exception, match="waiting for the moon"):
        wait_until(lambda: False, timeout=0.05, what="the moon", poll=0.01)


def test_a_described_failure_is_worked_out_when_it_happens() -> None:
    polls = itertools.count()
    with pytest.raises(pytest.fail.Exception, match=r"the moon \(after [1-9]\d* polls\)"):
        wait_until(
            lambda: next(polls) < 0,
            timeout=0.05,
            what=lambda: f"the moon (after {next(polls)} polls)",
            poll=0.01,
        )


def test_ignored_errors_count_as_not_yet() -> None:
    attempts = iter([ConnectionError("refused"), ConnectionError("refused"), None])

    def answer() -> bool:
        refused = next(attempts)
        if refused is not None:
            raise refused
        return True

    assert wait_until(answer, what="a server", poll=0, ignoring=(ConnectionError,)) is True


def test_the_last_ignored_error_is_shown_in_the_failure() -> None:
    def refused() -> bool:
        raise ConnectionError("refused")

    with pytest.raises(pytest.fail.Exception, match=r"last error: ConnectionError\('refused'\)"):
        wait_until(refused, timeout=0.05, what="a server", poll=0.01, ignoring=(ConnectionError,))


def test_other_errors_fail_at_once() -> None:
    def broken() -> bool:
        raise ValueError("not a waiting matter")

    with pytest.raises(ValueError, match="not a waiting matter"):
        wait_until(broken, what="anything", ignoring=(ConnectionError,))
