"""Models: trained versions and their metrics, the training pipeline, retraining on demand."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, data, graphs
from dashboard.config import get_settings
from dashboard.ui import gateway_errors

RUN_KEY = "retrain_run"
FLASH_KEY = "retrain_flash"
FINISHED = {"succeeded", "failed"}
DONE = {"succeeded", "kept"}
METRICS = ["ndcg_at_10", "precision_at_10", "recall_at_10", "coverage"]
# The four figures ``/models`` reports per version (``quality``): label and meaning. (A
# comment, not a docstring: Streamlit would write a bare string on the page.)
QUALITY = {
    "ndcg_at_10": ("NDCG@10", "The published blend's NDCG@10 on the held-out listens."),
    "lift_over_als": ("Lift over tuned ALS", "The blend's NDCG@10 over the tuned ALS's."),
    "coverage": ("Coverage@10", "Share of the catalogue in the test users' top 10."),
    "popular_share_at_10": (
        "Popular share@10",
        "Share of the top-10 lists among the 100 most played artists.",
    ),
}


def quality_text(name: str, value: float | None) -> str:
    """One quality figure as shown: NDCG to 4 places, the shares as percentages."""
    if value is None:
        return "–"
    if name == "ndcg_at_10":
        return f"{value:.4f}"
    if name == "lift_over_als":
        return f"{value:+.1%}"
    return f"{value:.1%}"


def quality_table(versions: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per version with its four quality figures, as shown."""
    rows = [
        {
            "version": v["version"][:8],
            "trained_at": v["trained_at"][:16].replace("T", " "),
            **{
                label: quality_text(name, (v.get("quality") or {}).get(name))
                for name, (label, _) in QUALITY.items()
            },
        }
        for v in versions
    ]
    columns = ["version", "trained_at", *(label for label, _ in QUALITY.values())]
    return pd.DataFrame(rows, columns=columns)


def history(versions: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per (version, algorithm) with the test metrics."""
    rows = [
        {"version": v["version"][:8], "trained_at": v["trained_at"], **metric}
        for v in versions
        for metric in v.get("metrics", [])
    ]
    return pd.DataFrame(rows, columns=["version", "trained_at", "algorithm", *METRICS])


st.title("Models")
st.caption("Collaborative models retrained in the background; each version keeps its metrics.")

if flash := st.session_state.pop(FLASH_KEY, None):
    kind, text = flash
    (st.success if kind == "success" else st.error)(text)

versions = data.models()
steps = data.pipeline()

if not versions:
    st.info("No model has been trained yet: start the first training below.")
else:
    chosen = st.selectbox(
        "Version",
        range(len(versions)),
        format_func=lambda i: (
            f"{versions[i]['version'][:8]} · {versions[i]['algorithm']} · "
            f"{versions[i]['trained_at'][:16].replace('T', ' ')}"
            + (" · serving" if versions[i].get("current") else "")
        ),
        key="models_version",
    )
    model = versions[chosen]
    facts = st.columns(6)
    facts[0].metric("Algorithm", model["algorithm"], border=True)
    facts[1].metric("Best single", model.get("best_baseline") or "–", border=True)
    facts[2].metric("Users", f"{model['n_users']:,}", border=True)
    facts[3].metric("Artists", f"{model['n_artists']:,}", border=True)
    facts[4].metric("Training", f"{model['training_seconds']:.0f} s", border=True)
    facts[5].metric("Dataset version", model["dataset_version"], border=True)
    st.markdown("**Quality of the published blend** (test split, top 10)")
    quality = model.get("quality") or {}
    for column, (name, (label, meaning)) in zip(
        st.columns(len(QUALITY)), QUALITY.items(), strict=True
    ):
        column.metric(label, quality_text(name, quality.get(name)), help=meaning, border=True)
    left, right = st.columns([3, 2], gap="large")
    left.plotly_chart(charts.metrics_bars(model.get("metrics", [])), key="models_metrics")
    with right:
        table = pd.DataFrame(model.get("metrics", []), columns=["algorithm", *METRICS])
        st.markdown("**Test metrics** (held-out listens, top 10)")
        st.dataframe(
            table.sort_values("ndcg_at_10", ascending=False),
            hide_index=True,
            column_config={
                name: st.column_config.NumberColumn(charts.METRIC_NAMES[name], format="%.3f")
                for name in METRICS
            },
        )
        with st.expander("Configuration"):
            st.json(model.get("configuration", {}))
    with st.expander("Quality per version", expanded=len(versions) > 1):
        st.dataframe(quality_table(versions), hide_index=True)
    if len(versions) > 1:
        metric = st.segmented_control("Metric", METRICS, default="ndcg_at_10", key="models_metric")
        st.plotly_chart(
            charts.metric_history(history(versions), metric or "ndcg_at_10"), key="models_history"
        )

st.subheader("Training pipeline")
api_key = get_settings().api_key_value() or st.text_input(
    "Admin API key", type="password", key="models_key", help="Needed to start a retraining."
)
run_id: str | None = st.session_state.get(RUN_KEY)


def outcome(run: dict[str, Any]) -> tuple[str, str]:
    """The message a finished run leaves: what publishing did, or why the run failed."""
    if run["state"] != "succeeded":
        return "error", f"Training failed: {run.get('error')}"
    published = next((t.get("output") or {} for t in run["tasks"] if t["task"] == "publish"), {})
    kept = sum(task["state"] == "kept" for task in run["tasks"])
    status = published.get("status", "done")
    return "success", f"Training finished: {status} ({kept} of {len(run['tasks'])} steps kept)."


@st.fragment(run_every=2.0 if run_id else None)
def pipeline_panel() -> None:
    """The DAG, coloured by the running run's task states while it runs."""
    with gateway_errors():
        states: dict[str, str] = {}
        current = st.session_state.get(RUN_KEY)
        if current:
            run = data.job_run(current, api_key or None)
            states = {str(task["task"]): str(task["state"]) for task in run["tasks"]}
            done = sum(state in DONE for state in states.values())
            st.progress(done / max(1, len(states)), f"Retraining: {run['state']}")
            if run["state"] in FINISHED:
                del st.session_state[RUN_KEY]
                data.clear_jobs()
                data.current_model.clear()
                st.session_state[FLASH_KEY] = outcome(run)
                st.rerun()
        st.plotly_chart(
            graphs.pipeline_figure(steps["steps"], steps["edges"], states), key="models_dag"
        )
        st.caption(
            "The training graph as it runs; steps of one level run in parallel. During a "
            "retraining they turn amber while running, green when done and blue when they "
            "kept their last result; hover a step for what it does. Every run is on the Jobs "
            "page."
        )


pipeline_panel()
start = st.button(
    "Retrain now",
    icon=":material/model_training:",
    type="primary",
    disabled=not api_key or bool(run_id),
    help=None if api_key else "Enter an admin API key first",
)
if start:
    st.session_state[RUN_KEY] = data.start_retrain(api_key or None)
    st.rerun()
with st.expander("What each step does"):
    st.dataframe(
        pd.DataFrame(steps["steps"], columns=["id", "description", "depends_on", "task"]),
        hide_index=True,
    )
