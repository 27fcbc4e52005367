"""The gateway's own tables: API keys, stored as keyed hashes, never in clear."""

from __future__ import annotations

import datetime

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from soundstream_common.db import UtcDateTime, make_metadata


class Base(DeclarativeBase):
    metadata = make_metadata()


class ApiKey(Base):
    __tablename__ = "api_keys"

    # The public part of the key (``ss_<id>_<secret>``), shown in listings and logs.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # HMAC-SHA256 of the whole key under the gateway's key-hash secret, hex.
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # Space-separated scopes: read, write, admin.
    scopes: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False)
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(UtcDateTime)
