"""Offline evaluation: the HetRec loader, the seeded holdout, metrics, tuning and the report."""
