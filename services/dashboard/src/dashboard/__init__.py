"""SoundStream dashboard (Streamlit)."""

__version__ = "0.1.0"
