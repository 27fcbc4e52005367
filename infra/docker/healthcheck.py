"""Container health check of every SoundStream image (exit 0 = healthy, 1 = unhealthy).

    healthcheck.py http://127.0.0.1:8001/ready   an HTTP endpoint answers 200
    healthcheck.py redis:CATALOG_REDIS_URL       the Redis named by that variable answers PING
    healthcheck.py celery                        this container's Celery worker answers a ping
    healthcheck.py celery:analytics.celery_app   the same, for the app of that module

Without an argument it checks ``$SOUNDSTREAM_HEALTHCHECK`` (set per image at build time), so the
image's own ``HEALTHCHECK`` fits the process it runs by default. Only the standard library and
the image's own packages are used: the images carry no curl.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 4.0


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def redis_ok(variable: str) -> bool:
    import redis

    url = os.environ.get(variable, "")
    if not url:
        return False
    client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def celery_ok(module: str = "recommender.training.celery_app") -> bool:
    import importlib

    app = importlib.import_module(module).app
    answers = app.control.ping(
        destination=[f"celery@{socket.gethostname()}"], timeout=TIMEOUT_SECONDS
    )
    return bool(answers)


def check(target: str) -> bool:
    if target.startswith(("http://", "https://")):
        return http_ok(target)
    if target.startswith("redis:"):
        return redis_ok(target.removeprefix("redis:"))
    if target == "celery":
        return celery_ok()
    if target.startswith("celery:"):
        return celery_ok(target.removeprefix("celery:"))
    raise SystemExit(f"unknown health check {target!r}")


def main(argv: list[str]) -> int:
    target = argv[1] if len(argv) > 1 else os.environ.get("SOUNDSTREAM_HEALTHCHECK", "")
    if not target:
        print("no health check given (argument or SOUNDSTREAM_HEALTHCHECK)", file=sys.stderr)
        return 1
    healthy = check(target)
    print(f"{target}: {'healthy' if healthy else 'unhealthy'}")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
