"""compliance alerts: products re-checked after a regulatory import changed an entry

``compliance_alerts`` and ``compliance_notifications`` are tenant tables (forced RLS);
``regulatory_imports.rechecks`` records the re-checks an import queued.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pifai.core.tenancy import tenant_rls_sql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSONB = postgresql.JSONB(astext_type=sa.Text())


def _created_at() -> sa.Column[sa.DateTime]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    op.add_column("regulatory_imports", sa.Column("rechecks", _JSONB, nullable=True))
    op.create_table(
        "compliance_alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        _created_at(),
        sa.Column("findings", _JSONB, nullable=False),
        sa.Column("changes", _JSONB, nullable=False),
        sa.Column("data_version", sa.Text(), nullable=False),
        sa.Column("store_version", sa.String(200), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
        sa.Column("acknowledged_by", sa.Uuid()),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_compliance_alerts_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"],
            name=op.f("fk_compliance_alerts_product_id_products"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["regulatory_imports.id"],
            name=op.f("fk_compliance_alerts_import_id_regulatory_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"], ["users.id"],
            name=op.f("fk_compliance_alerts_acknowledged_by_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_alerts")),
        sa.UniqueConstraint(
            "import_id", "product_id", name=op.f("uq_compliance_alerts_import_id_product_id")
        ),
    )  # fmt: skip
    op.create_index(
        "ix_compliance_alerts_org_id_created_at", "compliance_alerts", ["org_id", "created_at"]
    )
    op.create_index(
        "ix_compliance_alerts_product_id_created_at",
        "compliance_alerts",
        ["product_id", "created_at"],
    )
    op.create_index(op.f("ix_compliance_alerts_import_id"), "compliance_alerts", ["import_id"])
    op.create_table(
        "compliance_notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        _created_at(),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_compliance_notifications_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["regulatory_imports.id"],
            name=op.f("fk_compliance_notifications_import_id_regulatory_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_notifications")),
        sa.UniqueConstraint(
            "org_id", "import_id", name=op.f("uq_compliance_notifications_org_id_import_id")
        ),
    )  # fmt: skip
    for table in ("compliance_alerts", "compliance_notifications"):
        for statement in tenant_rls_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("compliance_notifications")
    op.drop_table("compliance_alerts")
    op.drop_column("regulatory_imports", "rechecks")
