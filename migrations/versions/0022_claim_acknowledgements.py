"""claim acknowledgements: a label's claims check stored for the record, verdicts as
shown plus the phrase corpus version (tenant table, forced RLS)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pifai.core.tenancy import assessor_grant_sql, tenant_rls_sql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim_acknowledgements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("acknowledged_by", sa.Uuid()),
        sa.Column(
            "acknowledged_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("corpus_sha256", sa.String(64), nullable=False),
        sa.Column("corpus_version", postgresql.JSONB(), nullable=False),
        sa.Column("result", postgresql.JSONB(), nullable=False),
        sa.Column("result_sha256", sa.String(64), nullable=False),
        sa.CheckConstraint(
            "verdict IN ('red', 'pending_data', 'amber', 'gray', 'green')",
            name=op.f("ck_claim_acknowledgements_verdict"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_claim_acknowledgements_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"],
            name=op.f("fk_claim_acknowledgements_product_id_products"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"], ["users.id"],
            name=op.f("fk_claim_acknowledgements_acknowledged_by_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_acknowledgements")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_claim_acknowledgements_org_id"), "claim_acknowledgements", ["org_id"]
    )
    op.create_index(
        "ix_claim_acknowledgements_product_id_acknowledged_at",
        "claim_acknowledgements",
        ["product_id", "acknowledged_at"],
    )
    for statement in tenant_rls_sql("claim_acknowledgements"):
        op.execute(statement)
    # The consistency check a signature runs reads them, for an outside assessor too.
    op.execute(assessor_grant_sql("claim_acknowledgements"))


def downgrade() -> None:
    op.drop_table("claim_acknowledgements")
