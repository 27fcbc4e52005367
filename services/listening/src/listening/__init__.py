"""Listening service: users, listens (plays per artist) and the friendship graph."""

__version__ = "0.1.0"
