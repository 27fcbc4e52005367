"""Models: trained versions and their metrics, the training pipeline, retraining on demand."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, data, graphs
from dashboard.config import get_settings
from dashboard.ui import gateway_errors

TASK_KEY = "retrain_task"
FLASH_KEY = "retrain_flash"
FINISHED = {"SUCCESS", "FAILURE", "REVOKED"}
METRICS = ["ndcg_at_10", "precision_at_10", "recall_at_10", "coverage"]


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
    if len(versions) > 1:
        metric = st.segmented_control("Metric", METRICS, default="ndcg_at_10", key="models_metric")
        st.plotly_chart(
            charts.metric_history(history(versions), metric or "ndcg_at_10"), key="models_history"
        )

st.subheader("Training pipeline")
api_key = get_settings().api_key_value() or st.text_input(
    "Admin API key", type="password", key="models_key", help="Needed to start a retraining."
)
task_id: str | None = st.session_state.get(TASK_KEY)


@st.fragment(run_every=2.0 if task_id else None)
def pipeline_panel() -> None:
    """The DAG, coloured by the running task's step states while it runs."""
    with gateway_errors():
        states: dict[str, str] = {}
        current = st.session_state.get(TASK_KEY)
        if current:
            task = data.task(current, api_key or None)
            states = {str(k): str(v) for k, v in (task.get("steps") or {}).items()}
            done = sum(state in ("done", "skipped") for state in states.values())
            st.progress(done / max(1, len(states)), f"Retraining: {task['state'].lower()}")
            if task["state"] in FINISHED:
                del st.session_state[TASK_KEY]
                data.models.clear()
                data.current_model.clear()
                result = (task.get("result") or {}).get("status")
                st.session_state[FLASH_KEY] = (
                    ("success", f"Training finished: {result}.")
                    if task["state"] == "SUCCESS"
                    else ("error", f"Training failed: {task.get('error')}")
                )
                st.rerun()
        st.plotly_chart(
            graphs.pipeline_figure(steps["steps"], steps["edges"], states), key="models_dag"
        )
        st.caption(
            "Steps of one level run in parallel. During a retraining they turn amber while "
            "running and green when done; hover a step for what it does."
        )


pipeline_panel()
start = st.button(
    "Retrain now",
    icon=":material/model_training:",
    type="primary",
    disabled=not api_key or bool(task_id),
    help=None if api_key else "Enter an admin API key first",
)
if start:
    st.session_state[TASK_KEY] = data.start_retrain(api_key or None)
    st.rerun()
with st.expander("What each step does"):
    st.dataframe(pd.DataFrame(steps["steps"]), hide_index=True)
