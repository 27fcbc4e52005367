"""Run or keep: TTL, definition fingerprint and inputs, at chosen moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from soundstream_taskgraph import UNCHANGED, Reason, Task, TaskContext
from soundstream_taskgraph.decide import Facts, Result, decide
from soundstream_taskgraph.fingerprint import code_digest, task_fingerprint

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FACTS = Facts(fingerprint="f1", inputs_version="e-1", upstream_keys={"snapshot": "k1"})


def result(age: timedelta, **changes: object) -> Result:
    values: dict[str, object] = {
        "run_id": "3f2a9c1e77",
        "fingerprint": "f1",
        "inputs_version": "e-1",
        "upstream_keys": {"snapshot": "k1"},
        "output_key": "out",
        "output": {"path": "x"},
        "produced_at": NOW - age,
    }
    values.update(changes)
    return Result(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("previous", "ttl", "reason", "text"),
    [
        (
            result(timedelta(hours=2)),
            timedelta(hours=24),
            Reason.TTL_NOT_ELAPSED,
            "TTL not elapsed: the result of run 3f2a9c1e is 2.0 h old (TTL 24.0 h), "
            "definition and inputs unchanged",
        ),
        (
            result(timedelta(hours=25)),
            timedelta(hours=24),
            Reason.TTL_ELAPSED,
            "TTL elapsed: the result of run 3f2a9c1e is 25.0 h old (TTL 24.0 h)",
        ),
        (result(timedelta(days=400)), UNCHANGED, Reason.UNCHANGED, "unchanged since run 3f2a9c1e"),
        (
            result(timedelta(hours=2), fingerprint="f0"),
            timedelta(hours=24),
            Reason.DEFINITION_CHANGED,
            "definition changed since run 3f2a9c1e",
        ),
        (
            result(timedelta(hours=2), inputs_version="e-0"),
            UNCHANGED,
            Reason.INPUTS_CHANGED,
            "inputs changed since run 3f2a9c1e: e-0 -> e-1",
        ),
        (
            result(timedelta(hours=2), upstream_keys={"snapshot": "k0"}),
            UNCHANGED,
            Reason.INPUTS_CHANGED,
            "inputs changed since run 3f2a9c1e: new result of snapshot",
        ),
        (None, timedelta(hours=24), Reason.FIRST, "first run: no earlier result"),
        (result(timedelta(0)), None, Reason.ALWAYS, "runs every time (no TTL)"),
    ],
)
def test_the_decision_and_its_reason(
    previous: Result | None, ttl: timedelta | None, reason: Reason, text: str
) -> None:
    decision = decide(facts=FACTS, previous=previous, ttl=ttl, now=NOW)

    assert (decision.reason, decision.text) == (reason, text)
    assert decision.keep == (reason in (Reason.TTL_NOT_ELAPSED, Reason.UNCHANGED))


def test_forced_runs_whatever_the_ttl() -> None:
    decision = decide(
        facts=FACTS, previous=result(timedelta(0)), ttl=UNCHANGED, now=NOW, force=True
    )
    assert decision.reason == Reason.FORCED
    assert not decision.keep


def test_equal_facts_make_equal_result_keys() -> None:
    same = Facts(fingerprint="f1", inputs_version="e-1", upstream_keys={"snapshot": "k1"})
    assert FACTS.output_key == same.output_key
    assert FACTS.output_key != Facts("f1", "e-2", {"snapshot": "k1"}).output_key


def test_fingerprints_see_code_and_params_not_layout() -> None:
    def work(ctx: TaskContext) -> dict[str, int]:
        return {"n": ctx.params["n"] * 2}

    def reworded(ctx: TaskContext) -> dict[str, int]:
        """A docstring and a comment do not change what it does."""
        # doubled
        return {
            "n": ctx.params["n"] * 2,
        }

    def changed(ctx: TaskContext) -> dict[str, int]:
        return {"n": ctx.params["n"] * 3}

    base = Task("work", work, params={"n": 1})
    assert code_digest(work) == code_digest(reworded)
    assert code_digest(work) != code_digest(changed)
    assert task_fingerprint(base) != task_fingerprint(Task("work", work, params={"n": 2}))
    assert task_fingerprint(base) != task_fingerprint(Task("work", changed, params={"n": 1}))
    assert task_fingerprint(base) == task_fingerprint(Task("work", work, params={"n": 1}))


def test_a_module_in_code_counts_with_its_source() -> None:
    import soundstream_taskgraph.decide as module

    def work(ctx: TaskContext) -> None:
        return None

    with_module = Task("work", work, code=(module,))
    assert task_fingerprint(with_module) != task_fingerprint(Task("work", work))
    assert code_digest(module) == code_digest(module)


def test_params_must_be_json() -> None:
    def work(ctx: TaskContext) -> None:
        return None

    with pytest.raises(TypeError):
        task_fingerprint(Task("work", work, params={"when": object()}))


def test_a_result_that_is_gone_is_made_again() -> None:
    decision = decide(
        facts=FACTS, previous=result(timedelta(0)), ttl=UNCHANGED, now=NOW, available=False
    )
    assert decision.reason == Reason.RESULT_MISSING
    assert decision.text == "the result of run 3f2a9c1e is no longer available"
    assert not decision.keep
