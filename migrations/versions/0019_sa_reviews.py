"""sa reviews: one round of Safety Assessor review per product (submission to signature,
with the signature record) and its comments per item (tenant tables, forced RLS)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pifai.core.tenancy import tenant_rls_sql

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sa_reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("assigned_sa_id", sa.Uuid()),
        sa.Column("submitted_by", sa.Uuid()),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submissions", sa.Integer(), nullable=False),
        sa.Column("engine_assessment", postgresql.JSONB()),
        sa.Column("final_assessment", sa.Text()),
        sa.Column("reviewer_id", sa.Uuid()),
        sa.Column("version_number", sa.Integer()),
        sa.Column("signed_by", sa.Uuid()),
        sa.Column("signer_name", sa.String(300)),
        sa.Column("signer_org_id", sa.Uuid()),
        sa.Column("qualification_ref", sa.String(300)),
        sa.Column("signed_at", sa.DateTime(timezone=True)),
        sa.Column("signature_ip", sa.String(64)),
        sa.Column("signature_user_agent", sa.Text()),
        sa.Column("signature_method", sa.String(40)),
        sa.Column("signed_sha256", sa.String(64)),
        sa.Column("remediation_plan", sa.Text()),
        sa.Column("notified_at", sa.DateTime(timezone=True)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'in_review', 'revision_requested', 'signed')",
            name=op.f("ck_sa_reviews_status"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_sa_reviews_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"],
            name=op.f("fk_sa_reviews_product_id_products"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_sa_id"], ["users.id"],
            name=op.f("fk_sa_reviews_assigned_sa_id_users"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"],
            name=op.f("fk_sa_reviews_submitted_by_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sa_reviews")),
    )  # fmt: skip
    op.create_index(op.f("ix_sa_reviews_org_id"), "sa_reviews", ["org_id"])
    op.create_index(
        "uq_sa_reviews_open_product",
        "sa_reviews",
        ["product_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'signed'"),
    )
    op.create_table(
        "sa_review_comments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("item_number", sa.Integer()),
        sa.Column("author_id", sa.Uuid()),
        sa.Column("author_name", sa.String(300)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "item_number IS NULL OR item_number BETWEEN 1 AND 16",
            name=op.f("ck_sa_review_comments_item"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_sa_review_comments_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["sa_reviews.id"],
            name=op.f("fk_sa_review_comments_review_id_sa_reviews"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"],
            name=op.f("fk_sa_review_comments_product_id_products"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sa_review_comments")),
    )  # fmt: skip
    op.create_index(op.f("ix_sa_review_comments_org_id"), "sa_review_comments", ["org_id"])
    op.create_index(
        op.f("ix_sa_review_comments_review_id"), "sa_review_comments", ["review_id"]
    )
    for table in ("sa_reviews", "sa_review_comments"):
        for statement in tenant_rls_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("sa_review_comments")
    op.drop_table("sa_reviews")
