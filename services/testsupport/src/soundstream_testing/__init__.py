"""Test support for SoundStream: pytest plugins and helpers, never installed in an image.

- ``soundstream_testing.stores``: databases on SQLite and PostgreSQL, a Redis database (plugin).
- ``soundstream_testing.hetrec``: the real HetRec 2011 data set (plugin).
- ``soundstream_testing.stack``: the whole stack, started by the local runner (plugin).
- ``soundstream_testing.browser``: headless Chromium.
- ``soundstream_testing.dashboard``: running and reading the dashboard's pages.
- :func:`wait_until`: the one way a test waits for something to happen.
"""

from soundstream_testing.waiting import wait_until

__all__ = ["wait_until"]
