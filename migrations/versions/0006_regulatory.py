"""regulatory: regulated-substance entries (TFDA, EU, ECHA) and their import runs

Global reference data: no org_id, no row-level security.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUTHORITIES = "authority IN ('TFDA', 'EU', 'ECHA')"
_LIST_TYPES = (
    "list_type IN ('prohibited', 'restricted', 'preservative', 'colorant', 'uv_filter', "
    "'classification')"
)


def upgrade() -> None:
    op.create_table(
        "regulatory_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("authority", sa.String(10), nullable=False),
        sa.Column("list_type", sa.String(20), nullable=False),
        sa.Column("entry_ref", sa.String(100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("names", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("cas_numbers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rule", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("verification_note", sa.Text()),
        sa.Column("effective_date", sa.Date()),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(_AUTHORITIES, name=op.f("ck_regulatory_entries_authority")),
        sa.CheckConstraint(_LIST_TYPES, name=op.f("ck_regulatory_entries_list_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regulatory_entries")),
        sa.UniqueConstraint("key", name=op.f("uq_regulatory_entries_key")),
    )
    op.create_index(
        "ix_regulatory_entries_authority_list_type",
        "regulatory_entries",
        ["authority", "list_type"],
    )
    op.create_table(
        "regulatory_imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("authority", sa.String(10), nullable=False),
        sa.Column("list_type", sa.String(20)),
        sa.Column("scope", sa.String(100), nullable=False),
        sa.Column("file_name", sa.Text()),
        sa.Column("file_sha256", sa.String(64)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("requested_by", sa.Uuid()),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status IN ('running', 'done', 'failed')", name=op.f("ck_regulatory_imports_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regulatory_imports")),
    )
    op.create_index("ix_regulatory_imports_started_at", "regulatory_imports", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_regulatory_imports_started_at", table_name="regulatory_imports")
    op.drop_table("regulatory_imports")
    op.drop_index("ix_regulatory_entries_authority_list_type", table_name="regulatory_entries")
    op.drop_table("regulatory_entries")
