"""deleted artists and users

Revision ID: 20261126_0002
Revises: 20261126_0001
Create Date: 2026-11-26 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261126_0002"
down_revision: str | None = "20261126_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deleted_entities",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("entity_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('artist', 'user')", name=op.f("ck_deleted_entities_kind_known")
        ),
        sa.PrimaryKeyConstraint("kind", "entity_id", name=op.f("pk_deleted_entities")),
    )


def downgrade() -> None:
    op.drop_table("deleted_entities")
