"""What the routes call: keyword-only functions taking the session first."""
