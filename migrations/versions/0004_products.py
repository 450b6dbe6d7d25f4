"""products: item-1 fields, the 16 PIF items, file versions, extracted text

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pifai.core.tenancy import tenant_rls_sql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRODUCT_TYPES = (
    "'leave_on_face', 'leave_on_body', 'leave_on_hair', 'rinse_off_skin', "
    "'rinse_off_hair', 'eye_area', 'lip', 'oral', 'nail'"
)
ITEM_STATUSES = (
    "'missing', 'uploaded', 'ai_processing', 'ai_draft_ready', 'human_reviewed', 'approved'"
)


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["org_id"], ["organizations.id"], name=f"fk_{table}_org_id_organizations",
        ondelete="CASCADE",
    )


def _product_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["product_id"], ["products.id"], name=f"fk_{table}_product_id_products",
        ondelete="CASCADE",
    )


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=f"fk_{table}_{column}_users", ondelete="SET NULL"
    )


def _ts(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    for name, type_ in (
        ("name_en", sa.String(500)),
        ("category", sa.String(100)),
        ("dosage_form", sa.String(100)),
        ("intended_use", sa.Text()),
        ("manufacturer_name", sa.String(300)),
        ("manufacturer_address", sa.String(500)),
        ("notification_number", sa.String(40)),
        ("first_signed_at", sa.DateTime(timezone=True)),
        ("archived_at", sa.DateTime(timezone=True)),
        ("created_by", sa.Uuid()),
    ):
        op.add_column("products", sa.Column(name, type_))
    op.add_column("products", sa.Column("product_type", sa.String(30), nullable=False, server_default="leave_on_face"))
    op.add_column("products", sa.Column("children_under_3", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("products", sa.Column("pif_status", sa.String(30), nullable=False, server_default="draft"))
    for column in ("product_type", "children_under_3", "pif_status"):
        op.alter_column("products", column, server_default=None)
    op.create_foreign_key("fk_products_created_by_users", "products", "users", ["created_by"], ["id"], ondelete="SET NULL")
    op.create_check_constraint("ck_products_product_type", "products", f"product_type IN ({PRODUCT_TYPES})")
    op.create_check_constraint(
        "ck_products_pif_status", "products",
        "pif_status IN ('draft', 'in_review', 'revision_requested', 'signed', 'archived')",
    )
    op.create_index("ix_products_org_id_created_at", "products", ["org_id", "created_at"])

    op.create_table(
        "pif_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("confidence", sa.Float()),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("updated_by", sa.Uuid()),
        _ts("created_at"),
        _ts("updated_at"),
        sa.CheckConstraint("item_number BETWEEN 1 AND 16", name="ck_pif_documents_item_number"),
        sa.CheckConstraint(f"status IN ({ITEM_STATUSES})", name="ck_pif_documents_status"),
        sa.CheckConstraint("confidence IS NULL OR confidence BETWEEN 0 AND 1", name="ck_pif_documents_confidence"),
        _org_fk("pif_documents"),
        _product_fk("pif_documents"),
        _user_fk("pif_documents", "updated_by"),
        sa.PrimaryKeyConstraint("id", name="pk_pif_documents"),
        sa.UniqueConstraint("product_id", "item_number", name="uq_pif_documents_product_id_item_number"),
    )
    op.create_index("ix_pif_documents_org_id", "pif_documents", ["org_id"])

    op.create_table(
        "pif_files",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(300), nullable=False),
        sa.Column("original_filename", sa.String(500), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("key_id", sa.String(32)),
        sa.Column("uploaded_by", sa.Uuid()),
        _ts("created_at"),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        _org_fk("pif_files"),
        _product_fk("pif_files"),
        sa.ForeignKeyConstraint(["document_id"], ["pif_documents.id"], name="fk_pif_files_document_id_pif_documents", ondelete="CASCADE"),
        _user_fk("pif_files", "uploaded_by"),
        sa.PrimaryKeyConstraint("id", name="pk_pif_files"),
        sa.UniqueConstraint("document_id", "version", name="uq_pif_files_document_id_version"),
    )
    op.create_index("ix_pif_files_org_id", "pif_files", ["org_id"])
    op.create_index("ix_pif_files_product_id_item_number", "pif_files", ["product_id", "item_number"])

    op.create_table(
        "document_texts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _org_fk("document_texts"),
        _product_fk("document_texts"),
        sa.ForeignKeyConstraint(["file_id"], ["pif_files.id"], name="fk_document_texts_file_id_pif_files", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_document_texts"),
    )
    op.create_index("ix_document_texts_org_id", "document_texts", ["org_id"])
    op.create_index("ix_document_texts_product_id", "document_texts", ["product_id"])
    op.create_index("ix_document_texts_file_id", "document_texts", ["file_id"])
    for table in ("pif_documents", "pif_files", "document_texts"):
        for statement in tenant_rls_sql(table):
            op.execute(statement)
    # The RAG back-fill looks across tenants for products without a knowledge base; it
    # gets ids only, and updates each product in a session scoped to its organisation.
    op.execute(
        """
        CREATE FUNCTION products_without_kb(p_limit integer)
        RETURNS TABLE (product_id uuid, org_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT id, org_id FROM products
          WHERE rag_kb_id IS NULL AND archived_at IS NULL
          ORDER BY created_at LIMIT p_limit
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION products_without_kb(integer)")
    op.drop_table("document_texts")
    op.drop_table("pif_files")
    op.drop_table("pif_documents")
    op.drop_index("ix_products_org_id_created_at", "products")
    op.drop_constraint("ck_products_pif_status", "products")
    op.drop_constraint("ck_products_product_type", "products")
    op.drop_constraint("fk_products_created_by_users", "products")
    for column in (
        "pif_status", "children_under_3", "product_type", "created_by", "archived_at",
        "first_signed_at", "notification_number", "manufacturer_address", "manufacturer_name",
        "intended_use", "dosage_form", "category", "name_en",
    ):
        op.drop_column("products", column)
