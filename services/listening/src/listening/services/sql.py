"""Small SQL helpers shared by the service functions."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.orm import Session


def affected_rows(session: Session, statement: Executable) -> int:
    """Execute an UPDATE/DELETE and return how many rows it touched."""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)
