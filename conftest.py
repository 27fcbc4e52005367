"""Repository-wide pytest configuration: the chassis' fixtures (databases, Redis, data) and
the whole-stack fixtures of the local runner."""

pytest_plugins = ["soundstream_common.testing", "soundstream_admin.testing"]
