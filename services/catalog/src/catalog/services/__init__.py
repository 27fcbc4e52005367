"""The catalog's data access: keyword-only functions taking the session first.

All SQL lives here; writes own their transaction and end with ``writes.commit_write``: the
export's version advanced, then the chassis' ``finish_write`` (commit, then wake the outbox
relay, then invalidate cache groups).
"""
