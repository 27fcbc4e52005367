"""Every dashboard page against the live stack (AppTest): it renders without an error, shows
its key widgets and figures, and what it shows agrees with the gateway."""

from __future__ import annotations

import pytest

from dashboard.config import get_settings
from soundstream import SoundStream
from soundstream_testing import wait_until
from soundstream_testing.dashboard import (
    PAGES,
    assert_clean,
    card_names,
    figure_titled,
    figures,
    html_blocks,
    open_page,
    values,
)
from soundstream_testing.stack import LiveStack

pytestmark = [pytest.mark.realdata, pytest.mark.usefixtures("dashboard_stack")]

KNOWN_USER = 2  # 50 artists, 13 friends in HetRec 2011


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_figures_and_no_error(page: str) -> None:
    app = open_page(page, rec_user=KNOWN_USER)
    assert_clean(app)
    assert app.title, "every page has a title"
    assert figures(app), "every page draws at least one figure"


def test_overview_shows_the_data_set_and_ranks_the_top_artists(sdk: SoundStream) -> None:
    app = open_page("overview")
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Users"] == "1,892"
    assert metrics["Friendships"] == "12,717"
    assert metrics["Model version"] == sdk.models.current().version[:8]
    assert figure_titled(app, "How often a user plays an artist")
    assert figure_titled(app, "Lorenz curve of plays per artist — Gini 0.")
    by_plays = app.dataframe[0].value
    assert list(by_plays["rank"]) == list(range(1, 11))
    assert by_plays["name"].iloc[0] == "Britney Spears"  # most plays in HetRec 2011

    app.segmented_control(key="top_by").set_value("listeners").run()
    assert_clean(app)
    by_listeners = app.dataframe[0].value
    assert by_listeners["name"].iloc[0] == "Lady Gaga"  # most listeners
    assert list(by_listeners["listeners"]) == sorted(by_listeners["listeners"], reverse=True)


def test_recommendations_show_named_artists_the_user_has_not_heard(sdk: SoundStream) -> None:
    app = open_page("recommendations", rec_user=KNOWN_USER)
    names = card_names(app)
    assert len(names) == 12  # the default number of suggestions
    assert not [name for name in names if name.startswith("Artist ")], names
    heard = {sdk.artists.get(listen.artist_id).name for listen in sdk.listens.list(KNOWN_USER)}
    assert not set(names) & heard
    assert [b for b in app.button if b.label == "Hide"], "each card can be hidden"
    assert [b for b in app.button if b.label.startswith("User ")], "similar users are offered"
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Artists"] == "50"


def test_hiding_a_card_removes_it_and_tells_the_recommender(sdk: SoundStream) -> None:
    user = 3
    app = open_page("recommendations", rec_user=user)
    first = card_names(app)[0]
    hide = next(b for b in app.button if b.label == "Hide")
    artist_id = int(str(hide.key).rsplit("-", 1)[1])
    hide.click().run()
    assert_clean(app)
    assert first not in card_names(app)
    suggested = sdk.recommendations.for_user(user, k=30).items
    assert artist_id not in {item.artist_id for item in suggested}


def test_cold_start_suggests_artists_from_seed_artists_and_tags() -> None:
    app = open_page("recommendations", rec_user=KNOWN_USER)
    before = len(card_names(app))
    app.multiselect(key="cold_artists").set_value([289])  # Britney Spears
    app.multiselect(key="cold_tags").set_value(["jazz"])
    app.run()
    assert_clean(app)
    cold = card_names(app)[before:]
    assert len(cold) == 9  # the default for a new listener
    assert "Britney Spears" not in cold


def test_search_combines_tags_with_all_or_any_and_filters_by_popularity(
    sdk: SoundStream,
) -> None:
    app = open_page("search")
    assert app.multiselect(key="search_tags").value == ["rock", "80s"]
    every = app.dataframe[0].value
    expected = sdk.search.artists(tags=["rock", "80s"], match="all")
    assert app.subheader[0].value.startswith(f"{expected.total:,} artists")
    assert all("rock (" in tags and "80s (" in tags for tags in every["matched_tags"])
    assert app.get("download_button"), "results can be exported"

    app.segmented_control(key="search_match").set_value("any").run()
    assert_clean(app)
    anyone = sdk.search.artists(tags=["rock", "80s"], match="any")
    assert anyone.total is not None
    assert expected.total is not None
    assert anyone.total > expected.total
    assert app.subheader[0].value.startswith(f"{anyone.total:,} artists")

    app.select_slider(key="search_listeners").set_value((100, 1000)).run()
    assert_clean(app)
    popular = app.dataframe[0].value
    assert len(popular) > 0
    assert popular["listeners"].min() >= 100


def test_tags_show_two_clouds_timelines_and_similar_tags() -> None:
    app = open_page("tags")
    dominant, niche = html_blocks(app, "ss-cloud")
    assert ">rock</a>" in dominant
    assert ">rock</a>" not in niche
    timeline = figure_titled(app, "Assignments per year")
    assert [trace["name"] for trace in timeline["data"]] == ["rock", "pop", "electronic", "indie"]
    similar = figure_titled(app, "Similar tags")
    assert values(similar["data"][0]["y"]), "similar tags are listed"

    app.segmented_control(key="tags_granularity").set_value("month").run()
    app.segmented_control(key="tags_measure").set_value("share").run()
    assert_clean(app)
    share = figure_titled(app, "Share of all tag assignments per month")
    shares = values(share["data"][0]["y"])
    assert shares
    assert all(0 <= value <= 1 for value in shares)


def test_social_relates_friends_to_diversity_and_draws_an_ego_network() -> None:
    app = open_page("social", social_user=KNOWN_USER)
    scatter = figure_titled(app, "Friends vs distinct artists")
    assert len(values(scatter["data"][0]["x"])) == 1892  # one dot per user
    assert scatter["data"][-1]["name"] == "trend (least squares)"
    assert figure_titled(app, "Degree distribution")
    ego = figure_titled(app, f"User {KNOWN_USER} and 13 friends")
    assert len(values(ego["data"][1]["x"])) == 14
    assert "relationship" in app.info[0].value


def test_without_an_admin_key_the_models_page_asks_for_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DASHBOARD_API_KEY")
    get_settings.cache_clear()
    app = open_page("models")
    assert_clean(app)
    retrain = next(b for b in app.button if b.label == "Retrain now")
    assert retrain.disabled

    app.text_input(key="models_key").input("not-a-key").run()
    retrain = next(b for b in app.button if b.label == "Retrain now")
    assert not retrain.disabled
    retrain.click().run()
    assert not app.exception
    assert [e.value for e in app.error if "refused the request (401)" in e.value]


def test_models_show_the_four_quality_figures_the_api_reports(sdk: SoundStream) -> None:
    app = open_page("models")
    assert_clean(app)
    versions = sdk.models.list()
    shown = versions[0]  # the page opens on the newest version
    quality = shown.quality
    assert quality is not None
    assert quality.lift_over_als is not None
    assert quality.popular_share_at_10 is not None
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["NDCG@10"] == f"{quality.ndcg_at_10:.4f}"
    assert metrics["Lift over tuned ALS"] == f"{quality.lift_over_als:+.1%}"
    assert metrics["Coverage@10"] == f"{quality.coverage:.1%}"
    assert metrics["Popular share@10"] == f"{quality.popular_share_at_10:.1%}"
    per_version = next(
        frame.value for frame in app.dataframe if "Lift over tuned ALS" in frame.value.columns
    )
    assert len(per_version) == len(versions)
    row = per_version[per_version["version"] == shown.version[:8]].iloc[0]
    assert row["NDCG@10"] == metrics["NDCG@10"]
    assert row["Popular share@10"] == metrics["Popular share@10"]


@pytest.mark.timeout(600)
def test_models_show_metrics_the_pipeline_and_retrain_with_live_progress(
    dashboard_stack: LiveStack,
) -> None:
    app = open_page("models")
    assert figure_titled(app, "Offline metrics per algorithm")
    dag = figures(app)[-1]
    assert "publish" in dag["data"][1]["text"]
    retrain = next(b for b in app.button if b.label == "Retrain now")
    assert not retrain.disabled, "the admin key unlocks retraining"

    retrain.click().run()
    assert_clean(app)
    progress = app.get("progress")
    assert progress, "a running retraining shows its progress"
    assert "Retraining" in str(progress[0].proto.text)

    def finished() -> bool:
        app.run(timeout=60)  # the page polls the task every 2 s; do the same
        assert_clean(app)
        return bool(app.success)

    wait_until(
        finished,
        timeout=480,
        what=lambda: f"the retraining to finish:\n{dashboard_stack.output()[-2000:]}",
        poll=2.0,
    )
    assert "Training finished" in app.success[0].value


@pytest.mark.timeout(600)
def test_jobs_draw_the_training_graph_by_state_list_runs_and_run_it_again(
    sdk: SoundStream,
) -> None:
    app = open_page("jobs")
    assert_clean(app)
    graph = sdk.jobs.graph("recommender.training")
    [picture] = app.get("graphviz_chart")
    dot = str(picture.proto.spec)
    for task in graph.tasks:
        assert f'"{task.name}" [label="{task.name}\\n' in dot
    for dependency, task_name in graph.edges:
        assert f'"{dependency}" -> "{task_name}";' in dot
    assert 'fillcolor="#a5d6a7"' in dot, "the first training's steps are drawn succeeded"
    runs_table = app.dataframe[1].value
    assert len(runs_table) == sdk.jobs.runs(graph="recommender.training").total
    assert figure_titled(app, "Task durations over time")

    run_now = next(b for b in app.button if b.label == "Run now")
    assert not run_now.disabled, "the admin key unlocks starting a run"
    run_now.click().run()
    assert_clean(app)
    assert app.get("progress"), "a run started here shows its progress"

    def ended() -> bool:
        app.run(timeout=60)  # the page polls the run every 2 s; do the same
        assert_clean(app)
        return not app.get("progress")

    wait_until(ended, timeout=480, what="the run started here to end", poll=2.0)
    latest = sdk.jobs.runs(graph="recommender.training", limit=1).items[0]
    assert latest.state == "succeeded"
    assert {task.state for task in latest.tasks} <= {"succeeded", "kept"}
    assert all(task.reason_text for task in latest.tasks), "each task says why it ran or not"
    assert app.dataframe[1].value["state"].iloc[0] == "succeeded"
