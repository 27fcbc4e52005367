"""Repository-wide pytest configuration: the test-support package's fixtures (databases, Redis,
the data set) and the whole-stack fixtures of the local runner.

Tests run as development does (``make dev`` sets the same): services accept the settings
tests give them. The tests of the production rules set ``SOUNDSTREAM_ENVIRONMENT`` themselves.
"""

import os

os.environ.setdefault("SOUNDSTREAM_ENVIRONMENT", "development")

pytest_plugins = [
    "soundstream_testing.stores",
    "soundstream_testing.hetrec",
    "soundstream_testing.stack",
]
