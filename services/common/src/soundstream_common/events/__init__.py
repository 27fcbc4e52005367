"""Durable domain events between services: a transactional outbox relayed to Redis Streams.

- :mod:`~soundstream_common.events.contract` declares every event as a typed payload
  (``ArtistDeleted``, ``UserDeleted``, ``ListensChanged`` ...) with the service producing it.
- A service records an event in its own ``event_outbox`` table in the same transaction as the
  change (``events.record(session, ArtistDeleted(artist_id=7))``, see
  :mod:`~soundstream_common.events.publish`), so a rolled-back change never publishes and a
  committed one is never lost.
- :class:`~soundstream_common.events.outbox.OutboxRelay` moves committed events to the
  producer's stream ``soundstream:events:<producer>`` (at least once; retried while Redis is
  down).
- :class:`~soundstream_common.events.consumer.EventConsumer` reads the streams of the events a
  service handles (methods marked ``@handles(ArtistDeleted)``, see
  :mod:`~soundstream_common.events.handlers`) in its own consumer group, so events published
  while it was stopped are processed when it starts; a handler that keeps failing moves the
  event to ``soundstream:dlq:<group>``.
Handlers must be idempotent.
"""

from soundstream_common.events.envelope import Event, dead_letter_stream, stream_for

__all__ = ["Event", "dead_letter_stream", "stream_for"]
