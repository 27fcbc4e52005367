"""The catalog's data access: keyword-only functions taking the session first.

All SQL lives here; writes own their transaction (commit, then wake the outbox relay, then
invalidate cache groups).
"""
