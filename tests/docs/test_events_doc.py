"""docs/events.md's table of events says what the contract and the services' handlers do:
every event, its wire type, its producer, its payload's fields and the services consuming it."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from analytics.events import AnalyticsEventHandlers
from catalog.events import CatalogEventHandlers
from listening.events import ListeningEventHandlers
from recommender.events import RecommenderEventHandlers
from soundstream_common.events.contract import EVENTS, DomainEvent
from soundstream_common.events.handlers import EventHandlers

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"

CONSUMERS: dict[str, type[EventHandlers]] = {
    "analytics": AnalyticsEventHandlers,
    "catalog": CatalogEventHandlers,
    "listening": ListeningEventHandlers,
    "recommender": RecommenderEventHandlers,
}


def field_names(model: type[BaseModel]) -> set[str]:
    """The model's fields and, for lists of models, their fields."""
    names = set(model.model_fields)
    for field in model.model_fields.values():
        for argument in getattr(field.annotation, "__args__", ()):
            if isinstance(argument, type) and issubclass(argument, BaseModel):
                names |= field_names(argument)
    return names


def documented() -> dict[str, list[str]]:
    """The table's rows by event class name: type, producer, payload, consumers."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`") and cells[0] != "event":
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_every_event_of_the_contract_is_documented_once() -> None:
    assert sorted(documented()) == sorted(event.__name__ for event in EVENTS)
    assert set(DomainEvent.__subclasses__()) == set(EVENTS)


def test_each_row_says_what_the_contract_declares() -> None:
    rows = documented()
    for event in EVENTS:
        wire_type, producer, payload, _ = rows[event.__name__]
        assert wire_type == f"`{event.TYPE}`"
        assert producer == event.PRODUCER.value
        assert set(re.findall(r'"(\w+)"', payload)) == field_names(event), event.__name__


def test_each_row_names_the_services_that_handle_the_event() -> None:
    rows = documented()
    for event in EVENTS:
        consumers = rows[event.__name__][3]
        named = set(re.findall(r"(?:^|; )(\w+):", consumers))
        handling = {name for name, handlers in CONSUMERS.items() if event in handlers.handled()}
        assert named == handling, event.__name__
