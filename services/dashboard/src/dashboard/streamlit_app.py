"""SoundStream dashboard: builds the navigation; each page lives in ``app_pages/``."""

from __future__ import annotations

import streamlit as st

from dashboard.config import get_settings
from dashboard.markup import STYLE
from dashboard.ui import gateway_errors

st.set_page_config(page_title="SoundStream Analytics", page_icon="🎧", layout="wide")
st.html(STYLE)

page = st.navigation(
    {
        "Explore": [
            st.Page("app_pages/overview.py", title="Overview", icon=":material/insights:"),
            st.Page("app_pages/search.py", title="Search", icon=":material/manage_search:"),
            st.Page("app_pages/tags.py", title="Tags", icon=":material/sell:"),
            st.Page("app_pages/social.py", title="Social", icon=":material/diversity_3:"),
            st.Page(
                "app_pages/trends.py", title="Trends & data quality", icon=":material/monitoring:"
            ),
        ],
        "Curate": [
            st.Page(
                "app_pages/recommendations.py",
                title="Recommendations",
                icon=":material/recommend:",
            ),
        ],
        "Operate": [
            st.Page("app_pages/models.py", title="Models", icon=":material/model_training:"),
            st.Page("app_pages/jobs.py", title="Jobs", icon=":material/account_tree:"),
        ],
    }
)
st.sidebar.caption(f"Gateway: {get_settings().gateway_url}")

with gateway_errors():
    page.run()
