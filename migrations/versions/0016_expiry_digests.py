"""expiry digests: at most one e-mail per organisation and day (tenant table, forced RLS),
and the ids of the organisations the daily job looks at

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pifai.core.tenancy import tenant_rls_sql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "expiry_digests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("digest_date", sa.Date(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_expiry_digests_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expiry_digests")),
        sa.UniqueConstraint(
            "org_id", "digest_date", name=op.f("uq_expiry_digests_org_id_digest_date")
        ),
    )  # fmt: skip
    for statement in tenant_rls_sql("expiry_digests"):
        op.execute(statement)
    # The daily digest looks across tenants for the organisations with a tracked item that
    # has content; it gets ids only, and reads each in a session scoped to it.
    op.execute(
        """
        CREATE FUNCTION expiry_digest_organizations()
        RETURNS TABLE (org_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT DISTINCT d.org_id FROM pif_documents d
          JOIN products p ON p.id = d.product_id
          WHERE p.archived_at IS NULL AND d.item_number IN (5, 8, 11, 12, 13)
            AND d.content <> '{}'::jsonb
          ORDER BY d.org_id
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION expiry_digest_organizations()")
    op.drop_table("expiry_digests")
