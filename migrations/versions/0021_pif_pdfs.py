"""pif pdfs: the generated PIF documents (tenant table, forced RLS)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pifai.core.tenancy import tenant_rls_sql

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pif_pdfs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("task_id", sa.Uuid()),
        sa.Column("sha256", sa.String(64)),
        sa.Column("storage_key", sa.String(300)),
        sa.Column("size_bytes", sa.BigInteger()),
        sa.Column("page_count", sa.Integer()),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("not_embedded", postgresql.JSONB(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("filename", sa.String(500)),
        sa.Column("created_by", sa.Uuid()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status IN ('pending', 'done', 'failed')", name=op.f("ck_pif_pdfs_status")
        ),
        sa.CheckConstraint("version_number >= 0", name=op.f("ck_pif_pdfs_version_number")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_pif_pdfs_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"],
            name=op.f("fk_pif_pdfs_product_id_products"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_pif_pdfs_task_id_tasks"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"],
            name=op.f("fk_pif_pdfs_created_by_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pif_pdfs")),
    )  # fmt: skip
    op.create_index(op.f("ix_pif_pdfs_org_id"), "pif_pdfs", ["org_id"])
    op.create_index(
        "ix_pif_pdfs_product_id_version_number", "pif_pdfs", ["product_id", "version_number"]
    )
    for statement in tenant_rls_sql("pif_pdfs"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("pif_pdfs")
