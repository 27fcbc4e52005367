"""Benchmarks of the import and the HTTP APIs; ``python -m benchmarks.run_all`` runs them all.

Each module runs on its own as ``python -m benchmarks.<module>`` and prints its results;
results are also written as JSON under ``var/benchmarks/``. See docs/benchmarks.md.
"""
