"""The public API fuzzed from its own OpenAPI document: schemathesis against the gateway of a
whole stack (its own data, Redis and ports: the fuzzing writes and deletes), once with an
admin key and once without one. Each run's report goes to ``var/test-artifacts/fuzz/``.

Every check runs (``--checks all``) but for ``positive_data_acceptance``, which takes any
value a schema allows as one the API must accept. The API refuses some on purpose, for rules
a JSON Schema cannot state: a malformed opaque cursor, ``from`` after ``to``, a day before
2002 or after today, ``ids`` beside the list's own parameters, 1.0 for an integer in the
listening service's strict bodies. Everything else must hold: no 5xx, every answer as
documented (status, content type, headers, schema), schema-violating input refused,
authentication honoured, ``Allow`` right on a 405.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from soundstream_testing.stack import LiveStack, running_stack, train_first_model

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "fuzz"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
EXAMPLES_PER_OPERATION = int(os.environ.get("SOUNDSTREAM_FUZZ_EXAMPLES", "60"))
MIN_CASES = {"with a key": 3000, "without a key": 2000}
SEED = 20261207
LIMITS = {f"GATEWAY_RATE_LIMIT_{scope}": "1000000000" for scope in ("ANONYMOUS", "READ", "ADMIN")}


@pytest.fixture(scope="module")
def fuzzed_stack(tmp_path_factory: pytest.TempPathFactory, hetrec_dir: Path) -> Iterator[LiveStack]:
    redis_url = os.environ.get("SOUNDSTREAM_TEST_FUZZ_REDIS_URL", DEFAULT_REDIS_URL)
    root = tmp_path_factory.mktemp("fuzzed-stack")
    with running_stack(root, hetrec_dir, redis_url, extra=LIMITS) as stack:
        train_first_model(stack)
        yield stack


def schemathesis(stack: LiveStack, *headers: str) -> subprocess.Popen[str]:
    """One schemathesis run in a process of its own, with one worker thread: hypothesis
    parses lambdas' source with ``ast``, which is not safe across threads on CPython 3.11
    (a spurious "AST constructor recursion depth mismatch"); parallelism comes from
    running both callers' processes at once instead."""
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        stack.url("gateway", "/openapi.json"),
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        *(argument for header in headers for argument in ("-H", header)),
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # schemathesis keeps its cache where it runs
    return subprocess.Popen(
        command, cwd=ARTIFACTS, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


@pytest.fixture(scope="module")
def fuzz_runs(fuzzed_stack: LiveStack) -> Iterator[dict[str, tuple[int, str]]]:
    """Both callers fuzzed at the same time, each in its own process."""
    runs = {
        "with a key": schemathesis(fuzzed_stack, f"X-API-Key: {fuzzed_stack.admin_key}"),
        "without a key": schemathesis(fuzzed_stack),
    }
    try:
        results = {}
        for who, run in runs.items():
            output, _ = run.communicate(timeout=1400)
            results[who] = (run.returncode, output)
        yield results
    finally:
        for run in runs.values():
            if run.poll() is None:
                run.kill()
                run.wait()


def findings(output: str) -> str:
    """The report's failures and errors (what broke, with a reproducing call) before the rest:
    a long report's tail alone shows only the warnings and the summary."""
    start = min(
        (at for heading in (" FAILURES ", " ERRORS ") if (at := output.find(heading)) >= 0),
        default=max(0, len(output) - 12000),
    )
    end = output.find(" WARNINGS ", start)
    return output[start : end if end >= 0 else None][:20000] + "\n...\n" + output[-3000:]


def generated(output: str) -> int:
    found = re.search(r"(\d+) generated", output)
    assert found, output[-3000:]
    return int(found.group(1))


@pytest.mark.timeout(1500)
@pytest.mark.parametrize("who", ["with a key", "without a key"])
def test_the_api_holds_to_its_document(fuzz_runs: dict[str, tuple[int, str]], who: str) -> None:
    status, output = fuzz_runs[who]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / f"schemathesis-{who.replace(' ', '-')}.txt"
    report.write_text(output, encoding="utf-8")
    assert status == 0, f"see {report}\n" + findings(output)
    assert generated(output) >= MIN_CASES[who], output[-3000:]
