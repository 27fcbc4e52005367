"""Publishing domain events the way the catalog's and listening service's relays do, and
driving a consumer until they are handled."""

from __future__ import annotations

from typing import Any

import redis

from recommender.consumer import RecommenderConsumer
from soundstream_common.events import Event, stream_for
from soundstream_testing import wait_until

DEADLINE_SECONDS = 30.0


def publish(client: redis.Redis, producer: str, event_type: str, payload: dict[str, Any]) -> None:
    """XADD one event to the producer's stream (as the outbox relay writes it)."""
    event = Event(type=event_type, payload=payload, producer=producer)
    client.xadd(stream_for(producer), event.to_fields())  # type: ignore[arg-type]


def consume(consumer: RecommenderConsumer, expected: int) -> None:
    """Run the consumer until ``expected`` events were handled (bounded)."""
    handled = 0

    def all_handled() -> bool:
        nonlocal handled
        if handled < expected:
            handled += consumer.run_once()
        return handled >= expected

    wait_until(
        all_handled,
        timeout=DEADLINE_SECONDS,
        what=lambda: f"{expected} events handled (only {handled})",
        poll=0,  # each call blocks on the streams for a while itself
    )
