"""The runner's supervisor on its own: a child that cannot even be started again counts as a
quick exit (restarted with backoff, then named), never a crash of the whole runner."""

from __future__ import annotations

import sys
import time

import pytest

from soundstream_admin.children import POLL_SECONDS, Child, Output
from soundstream_admin.stack import ServiceSpec, StackError
from soundstream_admin.supervisor import Supervisor


def test_a_child_that_cannot_start_again_is_retried_then_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = ServiceSpec(name="flaky", command=(sys.executable, "-c", "raise SystemExit(3)"))
    out = Output(width=5)
    starts: list[str] = []

    def start(spec: ServiceSpec) -> Child:
        starts.append(spec.name)
        raise StackError(f"{spec.name}: cannot start 'python': [Errno 12] no memory")

    first = Child(spec, None, {}, out)
    first.process.wait()
    supervisor = Supervisor([first], start, out, max_restarts=2)
    supervisor_error = None
    try:
        while supervisor_error is None:
            try:
                supervisor.check()
            except StackError as exc:
                supervisor_error = exc
            time.sleep(POLL_SECONDS)  # the runner's own poll interval between rounds
    finally:
        supervisor.close()

    said = capsys.readouterr().out
    assert "flaky exited (exit code 3)" in said
    assert "restart 1 of at most 2 in a row" in said
    assert "flaky could not start again (flaky: cannot start 'python'" in said
    assert "restart 2 of at most 2 in a row" in said
    assert len(starts) == 2
    assert "flaky could not start again" in str(supervisor_error)
    assert "3 times in a row" in str(supervisor_error)
