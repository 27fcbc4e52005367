"""Service functions of the listening API: keyword-only, session first, all SQL lives here."""
