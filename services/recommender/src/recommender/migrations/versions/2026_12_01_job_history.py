"""the training graph's run history

Revision ID: 20261201_0003
Revises: 20261126_0002
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_0003"
down_revision: str | None = "20261126_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUN_STATES = "'queued', 'running', 'succeeded', 'failed'"
TASK_STATES = "'pending', 'running', 'retrying', 'succeeded', 'kept', 'failed', 'cancelled'"


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("graph", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("trigger", sa.String(length=100), nullable=False),
        sa.Column("force", sa.Boolean(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("active_graph", sa.String(length=100), nullable=True),
        sa.CheckConstraint(f"state IN ({RUN_STATES})", name=op.f("ck_job_runs_state_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
        sa.UniqueConstraint("active_graph", name=op.f("uq_job_runs_active_graph")),
    )
    op.create_index(
        op.f("ix_job_runs_graph_created_at"), "job_runs", ["graph", "created_at"], unique=False
    )
    op.create_table(
        "job_task_runs",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("task", sa.String(length=63), nullable=False),
        sa.Column("graph", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=True),
        sa.Column("reason_text", sa.String(length=400), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("inputs_version", sa.String(length=200), nullable=True),
        sa.Column("upstream_keys", sa.JSON(), nullable=True),
        sa.Column("output_key", sa.String(length=64), nullable=True),
        sa.Column("output", sa.JSON(), nullable=True),
        sa.Column("kept_from", sa.String(length=40), nullable=True),
        sa.Column("produced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lost_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(f"state IN ({TASK_STATES})", name=op.f("ck_job_task_runs_state_known")),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["job_runs.id"],
            name=op.f("fk_job_task_runs_run_id_job_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "task", name=op.f("pk_job_task_runs")),
    )
    op.create_index(
        op.f("ix_job_task_runs_graph_task_finished_at"),
        "job_task_runs",
        ["graph", "task", "finished_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_job_task_runs_state_lost_after"),
        "job_task_runs",
        ["state", "lost_after"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_job_task_runs_state_lost_after"), table_name="job_task_runs")
    op.drop_index(op.f("ix_job_task_runs_graph_task_finished_at"), table_name="job_task_runs")
    op.drop_table("job_task_runs")
    op.drop_index(op.f("ix_job_runs_graph_created_at"), table_name="job_runs")
    op.drop_table("job_runs")
