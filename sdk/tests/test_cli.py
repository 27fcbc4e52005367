"""The ``soundstream`` command: tables, JSON, errors."""

from __future__ import annotations

import io
import json
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


def test_top_artists_shows_names_from_the_catalog(api: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/stats/artists/top":
            items = [{"rank": 1, "artist_id": 289, "listeners": 522, "plays": 2393140}]
            return httpx.Response(200, json={"items": items, "total": 1, "limit": 1})
        artist = {"id": 289, "name": "Britney Spears", "listeners": 522, "plays": 2393140}
        return httpx.Response(200, json=artist | {"tag_assignments": 0, "top_tags": []})

    api.answer(answer)
    out = console()
    assert run(["top-artists", "--limit", "1"], client=api.client(), console=out) == 0
    assert "Britney Spears" in output(out)
    assert "2393140" in output(out)


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


def test_retrain_waits_for_the_task(api: Any) -> None:
    accepted = {"task_id": "t-9", "status_url": "/v1/tasks/t-9"}
    running = {"task_id": "t-9", "state": "STARTED", "steps": {"train": "STARTED"}}
    done = {"task_id": "t-9", "state": "SUCCESS", "steps": {"train": "SUCCESS"}}
    api.answer(api.json(accepted, status=202), api.json(running), api.json(done))
    out = console()
    argv = ["retrain", "--force", "--wait", "--poll", "0.5"]
    assert run(argv, client=api.client(api_key="admin"), console=out) == 0
    assert "Task t-9: SUCCESS" in output(out)
    assert api.requests[0].url.params["force"] == "true"
    assert api.sleeps == [0.5]


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
