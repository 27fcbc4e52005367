"""Repository-wide pytest configuration: shared fixtures from the service chassis."""

pytest_plugins = ["soundstream_common.testing"]
