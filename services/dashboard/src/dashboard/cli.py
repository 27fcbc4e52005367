"""Console entry point ``dashboard``: serve the Streamlit app (filled in by the dashboard work)."""
