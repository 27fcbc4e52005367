"""Field types and schema helpers the services' request models share."""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: object) -> object:
    """Only ``YYYY-MM-DD`` text (or a date) names a day: Pydantic alone would read ``0`` or
    ``"1700000000"`` as a Unix time and answer for 1970 or 2023."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


IsoDay = Annotated[datetime.date, BeforeValidator(_iso_day)]
"""A calendar day given as ``YYYY-MM-DD`` (query parameters and bodies alike)."""


def omitted_not_null(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of a field that may be left out but never given as null (a
    partial update's "new name"): the document shows its type without the null."""
    variants = schema.pop("anyOf", [])
    schema.pop("default", None)
    schema.update(next(v for v in variants if v.get("type") != "null"))
