"""Trends & data quality: the warehouse's daily activity and growth, the quality report and
its trend."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, warehouse

st.title("Trends & data quality")
st.caption(
    "Daily statistics from the analytics warehouse (exported from the services every day) "
    "and the data-quality report. Tag assignments carry dates; listens carry none in the "
    "data set, so plays appear only as the platform's counts per day observed. The data has "
    "no location: there is no geographic distribution to show, only the temporal one."
)

if not warehouse.warehouse_ready():
    with st.spinner("First export of the warehouse (the whole history, a few seconds)…"):
        warehouse.bring_warehouse_up_to_date()
if warehouse.latest_quality_report() is None:
    with st.spinner("First data-quality report…"):
        warehouse.create_quality_report()

actions = st.columns([1, 1, 4])
if actions[0].button("Export new days", icon=":material/sync:"):
    run = warehouse.bring_warehouse_up_to_date()
    st.toast(f"{run['rows']:,} rows exported")
if actions[1].button("New quality report", icon=":material/fact_check:"):
    warehouse.create_quality_report()

activity = warehouse.daily_activity()
st.subheader("Daily activity")
if activity.empty:
    st.info("The warehouse holds no days yet.", icon=":material/hourglass_empty:")
else:
    dated = activity[activity["assignments"] > 0]
    kpis = st.columns(4)
    kpis[0].metric("Days with tagging", f"{len(dated):,}")
    kpis[1].metric("Tag assignments (dated)", f"{int(activity['total_assignments'].iloc[-1]):,}")
    kpis[2].metric("Taggers", f"{int(activity['total_taggers'].iloc[-1]):,}")
    busiest = activity.sort_values("assignments", ascending=False).iloc[0]
    kpis[3].metric(
        "Busiest day",
        str(busiest["day"].date()),
        help=f"{int(busiest['assignments']):,} assignments",
    )
    left, right = st.columns(2, gap="large")
    left.plotly_chart(charts.monthly_activity(activity))
    right.plotly_chart(charts.running_totals(activity))

cohorts = warehouse.tagger_cohorts()
growth = warehouse.growth()
with st.expander("Cohorts of taggers and the platform's growth"):
    st.dataframe(cohorts, hide_index=True)
    if growth.empty:
        st.caption("The platform's counts appear from the first day observed on.")
    else:
        st.dataframe(growth, hide_index=True)

report = warehouse.latest_quality_report()
st.subheader("Dominant genres")
genres = warehouse.genre_tags(warehouse.warehouse_top_tags(), report)
if not genres.empty:
    st.plotly_chart(charts.genre_bar(genres))

st.subheader("Data quality")
if report is not None:
    summary = report["summary"]
    cells = st.columns(4)
    cells[0].metric("Orphans across services", f"{summary['orphans']:,}")
    cells[1].metric("Impossible dates", f"{summary['impossible_dates']:,}")
    cells[2].metric("Tag variant groups", f"{summary['tag_variant_groups']:,}")
    cells[3].metric("Non-genre tags", f"{summary['non_genre_tags']:,}")
    detail = report["report"]
    left, right = st.columns(2, gap="large")
    left.markdown("**Orphans**")
    left.dataframe(
        [{"check": k.replace("_", " "), "rows": v} for k, v in detail["orphans"].items()],
        hide_index=True,
    )
    right.markdown("**Tag variants** (canonical form first)")
    right.dataframe(
        [
            {"canonical": g["canonical"], "variants": ", ".join(v["value"] for v in g["variants"])}
            for g in detail["tag_variants"][:30]
        ],
        hide_index=True,
    )
    history = warehouse.quality_history()
    if len(history) > 1:
        st.plotly_chart(
            charts.quality_trend(history, ["orphans", "duplicates", "impossible_dates"])
        )
    st.caption(
        f"Report {report['id']} of {report['created_at'][:16]} (data as of {report['as_of']})."
    )
