"""popular share of each algorithm's recommendations

Revision ID: 20261207_0004
Revises: 20261201_0003
Create Date: 2026-12-07 12:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_0004"
down_revision: str | None = "20261201_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("algorithm_metrics") as batch:
        batch.add_column(sa.Column("popular_share", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("algorithm_metrics") as batch:
        batch.drop_column("popular_share")
