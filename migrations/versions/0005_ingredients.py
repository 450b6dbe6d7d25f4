"""ingredients (global reference data) and product_ingredients (tenant data, RLS)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

`ingredients.search_text` is kept by a trigger and indexed with pg_trgm when the server
has it (else a btree prefix index: the embedded server has no pg_trgm);
`pifai_array_union` merges arrays in first-seen order (the CosIng importer).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pifai.core.tenancy import tenant_rls_sql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMPTY = sa.text("'{}'")

ARRAY_UNION = """
CREATE OR REPLACE FUNCTION pifai_array_union(a text[], b text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(x ORDER BY n), '{}')
    FROM (
        SELECT x, min(n) AS n
        FROM unnest(coalesce(a, '{}') || coalesce(b, '{}')) WITH ORDINALITY AS t(x, n)
        WHERE x IS NOT NULL AND x <> ''
        GROUP BY x
    ) AS u
$$
"""

# pg_trgm where the server has it (PostgreSQL contrib; the embedded pgserver build lacks
# it): a trigram index for substring and similarity search. Otherwise a btree index of the
# same name serves prefix search (the ORM model names the index; Alembic's drift check
# compares names and columns, not access methods).
SEARCH_INDEX = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX ix_ingredients_search_text ON ingredients
            USING gin (search_text gin_trgm_ops);
    ELSE
        CREATE INDEX ix_ingredients_search_text ON ingredients (search_text text_pattern_ops);
    END IF;
END
$$
"""

SEARCH_TEXT_FUNCTION = """
CREATE OR REPLACE FUNCTION ingredients_search_text() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_text := lower(concat_ws(' ',
        NEW.inci_name,
        array_to_string(NEW.synonyms, ' '),
        NEW.zh_name,
        array_to_string(NEW.cas_numbers, ' ')
    ));
    RETURN NEW;
END
$$
"""

SEARCH_TEXT_TRIGGER = """
CREATE TRIGGER ingredients_search_text
BEFORE INSERT OR UPDATE OF inci_name, synonyms, zh_name, cas_numbers ON ingredients
FOR EACH ROW EXECUTE FUNCTION ingredients_search_text()
"""


def upgrade() -> None:
    op.execute(ARRAY_UNION)
    op.create_table(
        "ingredients",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("inci_name", sa.String(500), nullable=False),
        sa.Column("inci_key", sa.String(500), nullable=False),
        sa.Column("cas_numbers", postgresql.ARRAY(sa.String(12)), server_default=EMPTY, nullable=False),
        sa.Column("ec_numbers", postgresql.ARRAY(sa.String(12)), server_default=EMPTY, nullable=False),
        sa.Column("functions", postgresql.ARRAY(sa.Text()), server_default=EMPTY, nullable=False),
        sa.Column("synonyms", postgresql.ARRAY(sa.Text()), server_default=EMPTY, nullable=False),
        sa.Column("zh_name", sa.String(200)),
        sa.Column("category", sa.String(30)),
        sa.Column("description", sa.Text()),
        sa.Column("restriction", sa.Text()),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("source", sa.Text()),
        sa.Column("verified", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("cosing_ref", sa.String(20)),
        sa.Column("cosing_updated", sa.Date()),
        sa.Column("name_keys", postgresql.ARRAY(sa.Text()), server_default=EMPTY, nullable=False),
        sa.Column("search_text", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("origin IN ('curated', 'cosing')", name=op.f("ck_ingredients_origin")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingredients")),
        sa.UniqueConstraint("inci_key", name=op.f("uq_ingredients_inci_key")),
    )
    op.execute(SEARCH_INDEX)
    op.create_index("ix_ingredients_name_keys", "ingredients", ["name_keys"], postgresql_using="gin")
    op.create_index("ix_ingredients_cas_numbers", "ingredients", ["cas_numbers"], postgresql_using="gin")
    op.execute(SEARCH_TEXT_FUNCTION)
    op.execute(SEARCH_TEXT_TRIGGER)

    op.create_table(
        "product_ingredients",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("ingredient_id", sa.Uuid()),
        sa.Column("raw_name", sa.Text(), nullable=False),
        sa.Column("inci", sa.String(500), nullable=False),
        sa.Column("cas", sa.String(12)),
        sa.Column("concentration", sa.Numeric(9, 6)),
        sa.Column("is_balance", sa.Boolean(), nullable=False),
        sa.Column("function", sa.Text()),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("confidence", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("match_method", sa.String(10), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("notes", postgresql.ARRAY(sa.Text()), server_default=EMPTY, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "concentration IS NULL OR (concentration >= 0 AND concentration <= 100)",
            name=op.f("ck_product_ingredients_concentration_range"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_product_ingredients_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"],
            name=op.f("fk_product_ingredients_product_id_products"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ingredient_id"], ["ingredients.id"],
            name=op.f("fk_product_ingredients_ingredient_id_ingredients"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_ingredients")),
    )
    op.create_index(op.f("ix_product_ingredients_org_id"), "product_ingredients", ["org_id"])
    op.create_index(
        op.f("ix_product_ingredients_ingredient_id"), "product_ingredients", ["ingredient_id"]
    )
    op.create_index(
        "ix_product_ingredients_product_id_sort_order",
        "product_ingredients",
        ["product_id", "sort_order"],
    )
    for statement in tenant_rls_sql("product_ingredients"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("product_ingredients")
    op.drop_table("ingredients")
    op.execute("DROP FUNCTION IF EXISTS ingredients_search_text()")
    op.execute("DROP FUNCTION IF EXISTS pifai_array_union(text[], text[])")
