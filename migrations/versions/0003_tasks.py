"""tasks: the queue's rows, under RLS, plus the sweeper's cross-tenant functions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pifai.core.tenancy import tenant_rls_sql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text())),
        sa.Column("error", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("progress", sa.SmallInteger(), nullable=False),
        sa.Column("progress_message", sa.Text()),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("created_by", sa.Uuid()),
        sa.Column("claim_token", sa.Uuid()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'processing', 'done', 'failed', 'cancelled')",
            name=op.f("ck_tasks_status"),
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_tasks_progress_range")),
        sa.CheckConstraint("attempts >= 0 AND max_attempts >= 1", name=op.f("ck_tasks_attempts")),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f("fk_tasks_org_id_organizations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_tasks_created_by_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    op.create_index("ix_tasks_org_id_created_at", "tasks", ["org_id", "created_at"])
    op.create_index(
        "uq_tasks_org_id_kind_idempotency_key",
        "tasks",
        ["org_id", "kind", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL AND status IN ('pending', 'processing')"),
    )
    op.create_index(
        "ix_tasks_pending_created_at", "tasks", ["created_at"], postgresql_where=sa.text("status = 'pending'")
    )
    for statement in tenant_rls_sql("tasks"):
        op.execute(statement)

    # The sweeper works across tenants: these return or touch only the ids it needs.
    # Never-published pending rows past the grace period (enqueue's XADD failed), and
    # pending rows long overdue (their stream entry may have been lost with Redis data).
    op.execute(
        """
        CREATE FUNCTION tasks_undelivered(p_grace_seconds double precision,
                                          p_stale_seconds double precision, p_limit integer)
        RETURNS TABLE (task_id uuid, org_id uuid, kind text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT t.id, t.org_id, t.kind::text FROM tasks t
          WHERE t.status = 'pending'
            AND ((t.published_at IS NULL
                  AND t.created_at < now() - make_interval(secs => p_grace_seconds))
              OR coalesce(t.next_attempt_at, t.published_at, t.created_at)
                  < now() - make_interval(secs => p_stale_seconds))
          ORDER BY t.created_at
          LIMIT p_limit
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION tasks_mark_published(p_ids uuid[]) RETURNS integer
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          WITH marked AS (
            UPDATE tasks SET published_at = now()
            WHERE id = ANY(p_ids) AND status = 'pending'
            RETURNING 1
          )
          SELECT count(*)::integer FROM marked
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION tasks_mark_published(uuid[])")
    op.execute("DROP FUNCTION tasks_undelivered(double precision, double precision, integer)")
    op.drop_table("tasks")
