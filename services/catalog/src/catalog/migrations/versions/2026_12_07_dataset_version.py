"""dataset version: the export's ETag

Revision ID: 20261207_0003
Revises: 20261126_0002
Create Date: 2026-12-07 15:00:00.000000
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_0003"
down_revision: str | None = "20261126_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dataset_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_dataset_version_single_row")),
        sa.CheckConstraint("version >= 0", name=op.f("ck_dataset_version_version_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_version")),
    )
    dataset_version = sa.table(
        "dataset_version",
        sa.column("id", sa.Integer()),
        sa.column("epoch", sa.String()),
        sa.column("version", sa.BigInteger()),
    )
    # A fresh epoch per database: an ETag of a rebuilt database never matches an old one.
    op.bulk_insert(dataset_version, [{"id": 1, "epoch": uuid.uuid4().hex, "version": 1}])


def downgrade() -> None:
    op.drop_table("dataset_version")
