"""The whole stack as ``make dev`` runs it: every HTTP service answers through the runner."""

from __future__ import annotations

import httpx

from soundstream_testing.stack import LiveStack, train_first_model


def test_every_http_service_of_the_stack_is_ready(live_stack: LiveStack) -> None:
    with httpx.Client(timeout=10.0) as client:
        for name, url in live_stack.urls.items():
            path = "/_stcore/health" if name == "dashboard" else "/ready"
            response = client.get(url + path)
            assert response.status_code == 200, (name, response.text)


def test_the_stack_serves_the_loaded_data(live_stack: LiveStack) -> None:
    overview = httpx.get(
        live_stack.url("listening", "/stats/overview"),
        headers=live_stack.service_headers,
        timeout=10.0,
    ).json()
    assert overview["users"] == 1892


def test_the_worker_trains_a_first_model_at_start(live_stack: LiveStack) -> None:
    """Nobody asks for a retrain: the worker started one because no model was published, and
    until it published the answers said so."""
    model = train_first_model(live_stack)

    assert model["version"]
    headers = live_stack.service_headers
    # other tests of the session may have retrained since: the start-up run is among the runs
    runs = httpx.get(
        live_stack.url("recommender", "/jobs/runs"),
        params={"limit": 200},
        headers=headers,
        timeout=10.0,
    )
    assert runs.status_code == 200, runs.text
    started = [run for run in runs.json()["items"] if run["trigger"] == "start-up"]
    assert "succeeded" in [run["state"] for run in started]  # retried at most twice
    answer = httpx.get(
        live_stack.url("recommender", "/recommendations/users/2"), headers=headers, timeout=10.0
    )
    assert answer.json()["source"] == "model"


def test_internal_services_of_the_stack_want_its_service_token(live_stack: LiveStack) -> None:
    paths = {"catalog": "/artists", "listening": "/users", "recommender": "/models"}
    for service, path in paths.items():
        refused = httpx.get(live_stack.url(service, path), timeout=10.0)
        assert refused.status_code == 401, service
        assert refused.headers["content-type"] == "application/problem+json"
        served = httpx.get(
            live_stack.url(service, path), headers=live_stack.service_headers, timeout=10.0
        )
        assert served.status_code == 200, service
        assert httpx.get(live_stack.url(service, "/health"), timeout=10.0).status_code == 200
