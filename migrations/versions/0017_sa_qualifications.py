"""sa qualifications: a Safety Assessor's certificate reference, issuing body, validity and
optional encrypted certificate file (tenant table, forced RLS); one current row per user

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pifai.core.tenancy import tenant_rls_sql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sa_qualifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("certificate_reference", sa.String(200), nullable=False),
        sa.Column("issuing_body", sa.String(300), nullable=False),
        sa.Column("valid_from", sa.Date()),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("file_storage_key", sa.String(512)),
        sa.Column("file_name", sa.String(255)),
        sa.Column("file_content_type", sa.String(100)),
        sa.Column("file_size_bytes", sa.BigInteger()),
        sa.Column("file_sha256", sa.String(64)),
        sa.Column("file_encrypted", sa.Boolean(), nullable=False),
        sa.Column("file_key_id", sa.String(32)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("replaced_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_sa_qualifications_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"],
            name=op.f("fk_sa_qualifications_user_id_users"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sa_qualifications")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_sa_qualifications_org_id"), "sa_qualifications", ["org_id"], unique=False
    )
    # One current qualification per user; replaced rows stay as history.
    op.create_index(
        "uq_sa_qualifications_current_user",
        "sa_qualifications",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("replaced_at IS NULL"),
    )
    for statement in tenant_rls_sql("sa_qualifications"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("sa_qualifications")
