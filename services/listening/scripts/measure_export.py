"""Time ``GET /export/snapshot`` over loopback HTTP on a synthetic set the size of HetRec 2011.

92,834 listens and 25,434 friendship rows (12,717 pairs) over 1,892 users and 17,632 artists,
in a fresh database (SQLite in a temporary directory, or the empty database given), served by
uvicorn in this process. ``--loaded`` measures a database that already holds data instead (for
example the real data after ``soundstream-admin import``). Prints the best and median of
several full downloads.

    uv run python services/listening/scripts/measure_export.py [--database-url URL] [--loaded]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn
from sqlalchemy import insert

from listening.config import Settings
from listening.db import MIGRATIONS
from listening.main import create_app
from listening.models import ArtistRef, Friendship, Listen, User
from soundstream_common.db import create_db_engine

USERS, ARTISTS, LISTENS, PAIRS = 1892, 17632, 92834, 12717


def populate(url: str, seed: int = 7) -> None:
    """Fill a migrated database with a synthetic data set of the real one's size."""
    rng = np.random.default_rng(seed)
    engine = create_db_engine(url)
    MIGRATIONS.upgrade(engine)
    listens: set[tuple[int, int]] = set()
    while len(listens) < LISTENS:
        users = rng.integers(1, USERS + 1, LISTENS)
        artists = rng.zipf(1.3, LISTENS) % ARTISTS + 1
        listens.update(zip(users.tolist(), artists.tolist(), strict=True))
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < PAIRS:
        a, b = (int(v) for v in rng.integers(1, USERS + 1, 2))
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    weights = rng.lognormal(5.5, 1.6, LISTENS).astype(np.int64) + 1
    with engine.begin() as conn:
        conn.execute(insert(User), [{"id": i} for i in range(1, USERS + 1)])
        conn.execute(insert(ArtistRef), [{"id": i} for i in range(1, ARTISTS + 1)])
        conn.execute(
            insert(Listen),
            [
                {"user_id": u, "artist_id": a, "weight": int(w)}
                for (u, a), w in zip(sorted(listens)[:LISTENS], weights, strict=True)
            ],
        )
        conn.execute(
            insert(Friendship),
            [{"user_id": a, "friend_id": b} for x, y in pairs for a, b in ((x, y), (y, x))],
        )
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(url: str, runs: int) -> tuple[list[float], dict[str, Any]]:
    settings = Settings(database_url=url, redis_url="", log_level="WARNING", log_json=False)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), port=port, log_level="warning", log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    timings = []
    trailer: dict[str, Any] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(runs):
                started = time.perf_counter()
                body = bytearray()
                with client.stream("GET", "/export/snapshot") as response:
                    response.raise_for_status()
                    for chunk in response.iter_bytes():
                        body += chunk
                timings.append(time.perf_counter() - started)
                trailer = json.loads(body[body.rindex(b"\n", 0, len(body) - 1) + 1 :])
                assert trailer["type"] == "end", trailer
    finally:
        server.should_exit = True
        thread.join()
    return timings, trailer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: SQLite, temporary)")
    parser.add_argument("--loaded", action="store_true", help="the database already has data")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'listening.db'}"
        if not args.loaded:
            populate(url)
        timings, counts = measure(url, args.runs)
    print(
        f"{counts['listens']} listens + {counts['friendships']} friendship rows: "
        f"best {min(timings) * 1000:.0f} ms, median {statistics.median(timings) * 1000:.0f} ms "
        f"over {len(timings)} downloads"
    )


if __name__ == "__main__":
    main()
