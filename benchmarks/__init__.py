"""Benchmarks of the import and the HTTP APIs; ``python -m benchmarks.run_all`` runs them all.

Each module runs on its own as ``python -m benchmarks.<module>`` and prints its results;
results are also written as JSON under ``var/benchmarks/``. See docs/benchmarks.md.
"""

import os

# The benchmarks start local stacks the way `make dev` does: development settings (no
# deployment secrets needed; see soundstream_common.secret_rules).
os.environ.setdefault("SOUNDSTREAM_ENVIRONMENT", "development")
