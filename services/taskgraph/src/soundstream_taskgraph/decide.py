"""Whether a task runs or keeps its last result, and why (a pure function of the facts).

A result is the output of a successful run of the task together with what it was made from:
the task's definition fingerprint, the version of its outside inputs and the result keys of
its dependencies. The task keeps its last result when none of these changed and the result
is younger than the task's TTL; otherwise it runs. The reason is written to the run's log
and history in words ("unchanged since run 3f2a…", "TTL not elapsed", "definition changed").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from soundstream_taskgraph.declare import UNCHANGED
from soundstream_taskgraph.fingerprint import digest


class Reason(StrEnum):
    """Why a task ran (the first seven) or kept its last result (the last two)."""

    FORCED = "forced"
    ALWAYS = "always"
    FIRST = "first"
    DEFINITION_CHANGED = "definition_changed"
    INPUTS_CHANGED = "inputs_changed"
    TTL_ELAPSED = "ttl_elapsed"
    RESULT_MISSING = "result_missing"
    TTL_NOT_ELAPSED = "ttl_not_elapsed"
    UNCHANGED = "unchanged"

    @property
    def kept(self) -> bool:
        return self in (Reason.TTL_NOT_ELAPSED, Reason.UNCHANGED)


@dataclass(frozen=True)
class Result:
    """A successful result of a task (made in run ``run_id``, at ``produced_at``)."""

    run_id: str
    fingerprint: str
    inputs_version: str | None
    upstream_keys: Mapping[str, str]
    output_key: str
    output: Mapping[str, Any] | None
    produced_at: datetime


@dataclass(frozen=True)
class Facts:
    """What the task would be made from now."""

    fingerprint: str
    inputs_version: str | None
    upstream_keys: Mapping[str, str]

    @property
    def output_key(self) -> str:
        """The key of the result these facts make: equal facts, equal key (tasks are
        reproducible from their definition and inputs)."""
        return digest(
            {
                "fingerprint": self.fingerprint,
                "inputs": self.inputs_version,
                "upstream": dict(sorted(self.upstream_keys.items())),
            }
        )


@dataclass(frozen=True)
class Decision:
    reason: Reason
    text: str
    previous: Result | None

    @property
    def keep(self) -> bool:
        return self.reason.kept


def short(run_id: str) -> str:
    return run_id[:8]


def format_age(age: timedelta) -> str:
    seconds = max(0, int(age.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86_400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"


def decide(
    *,
    facts: Facts,
    previous: Result | None,
    ttl: timedelta | None,
    now: datetime,
    force: bool = False,
    available: bool = True,
) -> Decision:
    """Run or keep, for a task with ``ttl`` whose last result is ``previous`` (``available``:
    that result can still be used)."""
    if force:
        return Decision(Reason.FORCED, "forced: every task of the run runs", previous)
    if ttl is None:
        return Decision(Reason.ALWAYS, "runs every time (no TTL)", previous)
    if previous is None:
        return Decision(Reason.FIRST, "first run: no earlier result", None)
    since = f"run {short(previous.run_id)}"
    if previous.fingerprint != facts.fingerprint:
        return Decision(Reason.DEFINITION_CHANGED, f"definition changed since {since}", previous)
    if previous.inputs_version != facts.inputs_version:
        text = f"inputs changed since {since}: {previous.inputs_version} -> {facts.inputs_version}"
        return Decision(Reason.INPUTS_CHANGED, text, previous)
    changed = sorted(
        name
        for name in set(previous.upstream_keys) | set(facts.upstream_keys)
        if previous.upstream_keys.get(name) != facts.upstream_keys.get(name)
    )
    if changed:
        text = f"inputs changed since {since}: new result of {', '.join(changed)}"
        return Decision(Reason.INPUTS_CHANGED, text, previous)
    age = now - previous.produced_at
    if not available:
        text = f"the result of {since} is no longer available"
        return Decision(Reason.RESULT_MISSING, text, previous)
    if ttl == UNCHANGED:
        return Decision(Reason.UNCHANGED, f"unchanged since {since}", previous)
    if age >= ttl:
        text = (
            f"TTL elapsed: the result of {since} is {format_age(age)} old (TTL {format_age(ttl)})"
        )
        return Decision(Reason.TTL_ELAPSED, text, previous)
    text = (
        f"TTL not elapsed: the result of {since} is {format_age(age)} old "
        f"(TTL {format_age(ttl)}), definition and inputs unchanged"
    )
    return Decision(Reason.TTL_NOT_ELAPSED, text, previous)
