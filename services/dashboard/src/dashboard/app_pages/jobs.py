"""Jobs: the scheduled work's graphs coloured by state, the last runs, durations over time."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.config import get_settings
from dashboard.ui import gateway_errors

RUN_KEY = "jobs_run"
RUNS_SHOWN = 50
STATE_LEGEND = (
    "green: ran and succeeded · blue: kept its last result (unchanged) · amber: running · "
    "orange: waiting for a retry · red: failed · grey: cancelled or not reached · white: "
    "never run"
)


def seconds(value: Any) -> str:
    return "" if value is None else f"{value:.1f} s"


def run_label(run: dict[str, Any]) -> str:
    counts = run.get("counts", {})
    ran, kept = counts.get("succeeded", 0), counts.get("kept", 0)
    return (
        f"{run['created_at'][:19].replace('T', ' ')} · {run['state']} · {run['trigger']} · "
        f"{ran} ran, {kept} kept"
    )


def tasks_table(tasks: list[dict[str, Any]]) -> pd.DataFrame:
    rows = [
        {
            "task": task["task"],
            "state": task["state"],
            "attempts": task["attempts"],
            "duration": seconds(task.get("duration_seconds")),
            "why": task.get("error") or task.get("reason_text") or "",
        }
        for task in tasks
    ]
    return pd.DataFrame(rows, columns=["task", "state", "attempts", "duration", "why"])


def durations(runs: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per task that ran (not kept) in a run: the run's start, and how long it took."""
    rows = [
        {"task": task["task"], "run_started": run["created_at"], "duration_seconds": seconds}
        for run in runs
        for task in run["tasks"]
        if task["state"] == "succeeded" and (seconds := task.get("duration_seconds")) is not None
    ]
    frame = pd.DataFrame(rows, columns=["task", "run_started", "duration_seconds"])
    frame["run_started"] = pd.to_datetime(frame["run_started"])
    return frame.sort_values("run_started")


st.title("Jobs")
st.caption(
    "Scheduled work, declared once as task graphs and run by Celery workers. A task keeps "
    "its last result while its code, parameters and inputs are unchanged."
)

graphs = data.job_graphs()
if not graphs:
    st.info("No service declares a task graph.")
    st.stop()
names = [graph["name"] for graph in graphs]
name = st.selectbox("Graph", names, key="jobs_graph")
graph = graphs[names.index(name or names[0])]
api_key = get_settings().api_key_value() or st.text_input(
    "Admin API key", type="password", key="jobs_key", help="Needed to start a run."
)
following: str | None = st.session_state.get(RUN_KEY)


@st.fragment(run_every=2.0 if following else None)
def picture() -> None:
    """The graph drawn by Graphviz, each task coloured by its state (live while a run the
    page started is going on)."""
    with gateway_errors():
        current = st.session_state.get(RUN_KEY)
        if current:
            run = data.job_run(current, api_key or None)
            st.progress(
                sum(t["state"] in ("succeeded", "kept") for t in run["tasks"])
                / max(1, len(run["tasks"])),
                f"Run {current[:8]}: {run['state']}",
            )
            if run["state"] in ("succeeded", "failed"):
                del st.session_state[RUN_KEY]
                data.clear_jobs()
                st.rerun()
        st.graphviz_chart(data.job_picture(graph["name"]), width="stretch")
        st.caption(STATE_LEGEND)


picture()
left, right = st.columns([3, 2], gap="large")
with left:
    st.markdown(f"**{graph['name']}** — {graph.get('description', '')}")
    declared = pd.DataFrame(
        [
            {
                "task": task["name"],
                "level": task["level"],
                "after": ", ".join(task["depends_on"]),
                "schedule": task.get("runs_on") or "",
                "last": (task.get("last") or {}).get("state", "never run"),
                "took": seconds((task.get("last") or {}).get("duration_seconds")),
                "why": (task.get("last") or {}).get("reason_text") or "",
            }
            for task in graph["tasks"]
        ]
    )
    st.dataframe(declared, hide_index=True)
with right:
    for schedule in graph.get("schedules", []):
        when = schedule["next_run_at"][:16].replace("T", " ")
        st.metric(f"Next {schedule['label']}", f"{when} UTC", border=True)
    force = st.toggle("Force (run every task)", key="jobs_force")
    if st.button(
        "Run now",
        icon=":material/play_arrow:",
        type="primary",
        disabled=not api_key or bool(following),
        help=None if api_key else "Enter an admin API key first",
    ):
        st.session_state[RUN_KEY] = data.start_job(graph["name"], api_key or None, force=force)
        st.rerun()

runs = data.job_runs(graph["name"], RUNS_SHOWN)
st.subheader("Last runs")
if not runs:
    st.info("This graph has not run yet.")
    st.stop()
st.dataframe(
    pd.DataFrame(
        [
            {
                "started": run["created_at"][:19].replace("T", " "),
                "state": run["state"],
                "trigger": run["trigger"],
                "took": seconds(run.get("duration_seconds")),
                "ran": run.get("counts", {}).get("succeeded", 0),
                "kept": run.get("counts", {}).get("kept", 0),
                "error": run.get("error") or "",
            }
            for run in runs
        ]
    ),
    hide_index=True,
)
chosen = st.selectbox(
    "Run", range(len(runs)), format_func=lambda i: run_label(runs[i]), key="jobs_run_choice"
)
st.dataframe(tasks_table(runs[chosen or 0]["tasks"]), hide_index=True)
timeline = durations(runs)
if not timeline.empty:
    st.plotly_chart(charts.task_durations(timeline), key="jobs_durations")
