"""API keys and the analytics warehouse: each SDK method sends its operation's request, the
same from both clients."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from .operation_calls import Call, check_async_call, check_sync_call, operations_of

KEY = {"id": "k4", "name": "ci", "scopes": ["read"], "created_at": "2026-11-26T00:00:00Z"}
EXTRACTOR = {"name": "tags_daily", "description": "d", "kind": "daily", "table": "t", "version": 1}
EXTRACTOR |= {"personal": False}
EXPORT_RUN = {
    "started_at": "2026-12-07T00:00:00Z",
    "finished_at": "2026-12-07T00:00:01Z",
    "dry_run": True,
    "rows": 0,
}
QUALITY = {"id": 7, "created_at": "2026-12-07T00:00:00Z", "as_of": "2026-12-07"}

CALLS: dict[str, Call] = {
    "keys.create": Call(
        (),
        {"name": "ci", "scopes": ["read", "write"]},
        {},
        KEY | {"key": "sk-1"},
        body={"name": "ci", "scopes": ["read", "write"]},
        status=201,
    ),
    "keys.list": Call((), {}, {}, [KEY]),
    "analytics.extractors": Call((), {}, {}, [EXTRACTOR]),
    "analytics.run": Call(
        (),
        {"from_": dt.date(2009, 1, 1), "to": dt.date(2009, 1, 31), "dry_run": True},
        {},
        EXPORT_RUN,
        body={"from": "2009-01-01", "to": "2009-01-31", "dry_run": True},
        status=201,
    ),
    "analytics.runs": Call((), {"limit": 5}, {}, [EXPORT_RUN], {"limit": "5"}),
    "analytics.queries": Call((), {}, {}, [{"name": "tag_trend", "description": "d"}]),
    "analytics.query": Call(
        ("tag_trend",),
        {"tag": "rock", "from_": dt.date(2008, 1, 1)},
        {"name": "tag_trend"},
        {"query": "tag_trend", "columns": ["day"], "rows": [{"day": "2008-01-01"}]},
        {"tag": "rock", "from": "2008-01-01"},
    ),
    "analytics.create_quality_report": Call((), {}, {}, QUALITY, status=201),
    "analytics.quality_history": Call((), {"limit": 3}, {}, [QUALITY], {"limit": "3"}),
    "analytics.latest_quality_report": Call((), {}, {}, QUALITY),
    "analytics.quality_report": Call((7,), {}, {"report_id": 7}, QUALITY),
    "analytics.quality_report_html": Call((7,), {}, {"report_id": 7}, "<html></html>"),
    "keys.revoke": Call(("k4",), {}, {"key_id": "k4"}, None, status=204),
}


def test_every_admin_operation_has_a_sample_call_and_vice_versa() -> None:
    assert set(CALLS) == operations_of("admin")


@pytest.mark.parametrize("sdk_method", sorted(CALLS))
def test_sync_method_sends_its_operation(api: Any, sdk_method: str) -> None:
    check_sync_call(api, sdk_method, CALLS[sdk_method])


@pytest.mark.anyio
@pytest.mark.parametrize("sdk_method", sorted(CALLS))
async def test_async_method_sends_the_same_request(api: Any, sdk_method: str) -> None:
    await check_async_call(api, sdk_method, CALLS[sdk_method])
