"""Small SQL helpers shared by the service functions."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Executable
from sqlalchemy.orm import Session


def affected_rows(session: Session, statement: Executable) -> int:
    """Execute an UPDATE/DELETE and return how many rows it touched."""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def driver_cursor(connection: Connection, *, server_side_name: str | None = None) -> Any:
    """A cursor of the DB-API driver beneath ``connection``, for reads too big for ORM rows.

    With ``server_side_name`` on PostgreSQL it is a named (server-side) cursor, which fetches
    in batches instead of loading the whole result.
    """
    driver: Any = connection.connection.driver_connection
    if server_side_name and connection.dialect.name == "postgresql":
        return driver.cursor(name=server_side_name)
    return driver.cursor()
