"""pif versions: V0 the working draft and the signed snapshots with their hashes (tenant
table, forced RLS); V0 back-filled for every existing product

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pifai.core.tenancy import tenant_rls_sql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pif_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("snapshot", postgresql.JSONB()),
        sa.Column("snapshot_sha256", sa.String(64)),
        sa.Column("formula_sha256", sa.String(64)),
        sa.Column("process_sha256", sa.String(64)),
        sa.Column("packaging_sha256", sa.String(64)),
        sa.Column("signed_at", sa.DateTime(timezone=True)),
        sa.Column("signed_by", sa.Uuid()),
        sa.Column("signer_name", sa.String(300)),
        sa.Column("qualification_ref", sa.String(300)),
        sa.Column("signature_ip", sa.String(64)),
        sa.Column("signature_user_agent", sa.Text()),
        sa.Column("signature_method", sa.String(40)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'signed', 'superseded')", name=op.f("ck_pif_versions_status")
        ),
        sa.CheckConstraint("number >= 0", name=op.f("ck_pif_versions_number")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_pif_versions_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"],
            name=op.f("fk_pif_versions_product_id_products"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["users.id"],
            name=op.f("fk_pif_versions_signed_by_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pif_versions")),
        sa.UniqueConstraint(
            "product_id", "number", name=op.f("uq_pif_versions_product_id_number")
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_pif_versions_org_id"), "pif_versions", ["org_id"])
    for statement in tenant_rls_sql("pif_versions"):
        op.execute(statement)
    # Every product has its working draft V0 (new ones get it in services/products).
    op.execute(
        "INSERT INTO pif_versions (id, org_id, product_id, number, status) "
        "SELECT gen_random_uuid(), org_id, id, 0, 'draft' FROM products"
    )


def downgrade() -> None:
    op.drop_table("pif_versions")
