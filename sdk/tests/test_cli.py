"""The ``soundstream`` command: tables, JSON, errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

import httpx
import pytest
from rich.console import Console

from soundstream.cli import build_parser, run

RECS = {
    "user_id": 2,
    "source": "model",
    "model_version": "v7",
    "items": [
        {
            "artist_id": 89,
            "score": 0.91234,
            "name": "Röyksopp",
            "top_tags": [{"id": 1, "value": "electronic", "count": 9}],
            "reasons": [{"kind": "friends", "strength": 0.5, "text": "3 friends listen to it"}],
        },
        {"artist_id": 90, "score": 0.5, "name": "Air"},
    ],
}


def console() -> Console:
    return Console(file=io.StringIO(), width=160, color_system=None)


def output(out: Console) -> str:
    file = out.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def test_recommend_prints_a_table_with_names_and_reasons(api: Any) -> None:
    api.answer(api.json(RECS))
    out = console()
    assert run(["recommend", "2", "-k", "2", "--explain"], client=api.client(), console=out) == 0
    text = output(out)
    assert "Recommendations for user 2 (source: model)" in text
    assert "Röyksopp" in text
    assert "0.912" in text
    assert "electronic" in text
    assert "3 friends listen to it" in text
    params = api.requests[0].url.params
    assert (params["k"], params["exclude_listened"], params["explain"]) == ("2", "true", "true")


def test_json_output_is_machine_readable(api: Any) -> None:
    api.answer(api.json(RECS))
    out = console()
    assert run(["--json", "recommend", "2"], client=api.client(), console=out) == 0
    data = json.loads(output(out))
    assert [item["artist_id"] for item in data["items"]] == [89, 90]


def test_search_lists_hits_and_unknown_tags(api: Any) -> None:
    hit = {"id": 72, "name": "Depeche Mode", "listeners": 282, "plays": 1301308}
    hit |= {"relevance": 9.42, "is_placeholder": False, "matched_tags": []}
    body = {"items": [hit], "total": 1, "limit": 20, "next_cursor": None, "match": "all"}
    api.answer(api.json(body | {"tags": ["80s"], "unknown_tags": ["nosuchtag"]}))
    out = console()
    argv = ["search", "--tag", "80s", "--tag", "nosuchtag"]
    assert run(argv, client=api.client(), console=out) == 0
    text = output(out)
    assert "Depeche Mode" in text
    assert "9.42" in text
    assert "Unknown tags: nosuchtag" in text
    assert api.requests[0].url.params.get_list("tag") == ["80s", "nosuchtag"]


def test_top_artists_shows_the_names_the_answer_carries_in_one_request(api: Any) -> None:
    items = [
        {"rank": 1, "artist_id": 289, "listeners": 522, "plays": 2393140, "name": "Britney Spears"}
    ]
    api.answer(httpx.Response(200, json={"items": items, "total": 1, "limit": 1}))
    out = console()
    assert run(["top-artists", "--limit", "1"], client=api.client(), console=out) == 0
    assert "Britney Spears" in output(out)
    assert "2393140" in output(out)
    assert [r.url.path for r in api.requests] == ["/v1/stats/artists/top"]


def test_stats_overview_and_user(api: Any) -> None:
    overview = {"users": 1892, "listens": 92834, "artists": 17632, "artists_with_listens": 17632}
    overview |= {"friendships": 12717, "friendship_rows": 25434, "plays": 69, "dataset_version": 1}
    api.answer(api.json(overview))
    out = console()
    assert run(["stats"], client=api.client(), console=out) == 0
    assert "92,834" in output(out)

    stats = {"user_id": 2, "plays": 168737, "artists": 50, "entropy": 3.2, "friends": 24}
    api.answer(api.json(stats | {"percentiles": {"plays": 0.97}}))
    out = console()
    assert run(["stats", "--user", "2"], client=api.client(), console=out) == 0
    assert "168737" in output(out)
    assert "0.97" in output(out)


RUN: dict[str, Any] = {
    "id": "r-9",
    "graph": "recommender.training",
    "state": "running",
    "trigger": "api",
    "force": False,
    "counts": {},
    "created_at": "2026-12-01T03:00:00Z",
    "tasks": [
        {"task": "snapshot", "state": "kept", "attempts": 0, "reason_text": "TTL not elapsed"},
        {"task": "publish", "state": "running", "attempts": 1},
    ],
}


def test_retrain_waits_for_the_run(api: Any) -> None:
    accepted = {"run_id": "r-9", "graph": "recommender.training", "status_url": "/jobs/runs/r-9"}
    done = RUN | {"state": "succeeded", "duration_seconds": 3.5}
    done["tasks"] = [
        RUN["tasks"][0],
        {
            "task": "publish",
            "state": "succeeded",
            "attempts": 1,
            "duration_seconds": 2.25,
            "reason_text": "forced",
        },
    ]
    api.answer(api.json(accepted, status=202), api.json(RUN), api.json(done))
    out = console()
    argv = ["retrain", "--force", "--wait", "--poll", "0.5"]
    assert run(argv, client=api.client(api_key="admin"), console=out) == 0
    text = output(out)
    assert "Run r-9 of recommender.training: succeeded (api)" in text
    assert "TTL not elapsed" in text
    assert "2.2 s" in text
    assert api.requests[0].url.params["force"] == "true"
    assert api.requests[1].url.path == "/v1/jobs/runs/r-9"
    assert api.sleeps == [0.5]


def test_jobs_runs_lists_what_ran_and_what_was_kept(api: Any) -> None:
    finished = RUN | {"state": "succeeded", "counts": {"kept": 8, "succeeded": 1}}
    api.answer(api.json({"items": [finished], "total": 1, "limit": 5, "next_cursor": None}))
    out = console()
    argv = ["jobs", "runs", "--graph", "recommender.training", "--limit", "5"]
    assert run(argv, client=api.client(), console=out) == 0
    text = output(out)
    assert "Runs (1 in all)" in text
    assert "r-9" in text
    assert "succeeded" in text
    params = api.requests[0].url.params
    assert (params["graph"], params["limit"]) == ("recommender.training", "5")


def test_jobs_export_writes_the_picture(api: Any, tmp_path: Any) -> None:
    svg = b'<?xml version="1.0"?><svg></svg>'
    api.answer(httpx.Response(200, content=svg, headers={"content-type": "image/svg+xml"}))
    target = tmp_path / "training.svg"
    out = console()
    argv = ["jobs", "export", "--format", "svg", "-o", str(target)]
    assert run(argv, client=api.client(), console=out) == 0
    assert target.read_bytes() == svg
    request = api.requests[0]
    assert request.url.path == "/v1/jobs/graphs/recommender.training/export"
    assert request.url.params["format"] == "svg"


def test_jobs_start_only_some_tasks(api: Any) -> None:
    accepted = {"run_id": "r-10", "graph": "recommender.training", "status_url": "/jobs/runs/r-10"}
    api.answer(api.json(accepted, status=202))
    out = console()
    argv = ["jobs", "start", "--task", "train_als", "--task", "matrices"]
    assert run(argv, client=api.client(api_key="admin"), console=out) == 0
    assert "Run r-10 of recommender.training queued" in output(out)
    assert api.requests[0].url.params.get_list("task") == ["train_als", "matrices"]


def test_api_errors_exit_1_with_the_request_id(api: Any) -> None:
    api.answer(
        api.problem(403, detail="This key lacks the admin scope.", headers={"X-Request-ID": "r-1"})
    )
    out = console()
    assert run(["retrain"], client=api.client(), console=out) == 1
    assert "Error 403: This key lacks the admin scope." in output(out)
    assert "request id: r-1" in output(out)


def test_connection_errors_exit_1(api: Any) -> None:
    api.answer(httpx.ConnectError("refused"))
    out = console()
    assert run(["stats"], client=api.client(max_retries=0), console=out) == 1
    assert "Could not connect" in output(out)


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["search"])
    assert caught.value.code == 2


def without_rich(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` run in a fresh interpreter where Rich cannot be imported (no ``cli`` extra)."""
    blocked = "import sys; sys.modules['rich'] = None\n"
    return subprocess.run(
        [sys.executable, "-c", blocked + code], capture_output=True, text=True, timeout=60
    )


def test_the_client_needs_no_rich() -> None:
    result = without_rich(
        "from soundstream import SoundStream\n"
        "with SoundStream(base_url='http://127.0.0.1:9', api_key='k') as client:\n"
        "    assert client.artists is not None\n"
    )
    assert result.returncode == 0, result.stderr


def test_the_command_without_rich_says_how_to_install_it() -> None:
    result = without_rich("from soundstream.cli import main\nmain()\n")
    assert result.returncode == 1
    assert 'pip install "soundstream-sdk[cli]"' in result.stderr
    assert "Traceback" not in result.stderr
