"""toxicology cache: public sources' answers per ingredient, shared by every tenant

``toxicology_cache`` is a global table like ``ingredients`` (no org_id, no RLS): it holds
what PubChem or ECHA answered about an ingredient, never tenant data. The application
role gets SELECT, INSERT, UPDATE, DELETE through the grant on all tables.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "toxicology_cache",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ingredient", sa.String(300), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "fetched_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_toxicology_cache")),
        sa.UniqueConstraint(
            "ingredient", "source", name=op.f("uq_toxicology_cache_ingredient_source")
        ),
    )


def downgrade() -> None:
    op.drop_table("toxicology_cache")
