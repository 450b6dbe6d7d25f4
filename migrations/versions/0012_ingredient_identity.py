"""ingredient identity at scale: derived Chinese names, IECIC facts, shipped-load record

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

`ingredients.zh_derived` holds Traditional Chinese names derived from China's IECIC 2021
(converted by OpenCC, Taiwan phrases): lower confidence than the curated `zh_name`, which
they never replace. `ingredients.iecic` keeps the IECIC entries behind them (serial,
simplified name, historical maximum use, note), facts with their source and not limits.
The name columns widen to 2,500 characters: CosIng's longest names pass 2,000.
`reference_loads` records the hash of each shipped data set loaded, so a start where
nothing changed skips the load. The search-text trigger now also covers `zh_derived`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_TEXT_FUNCTION = """
CREATE OR REPLACE FUNCTION ingredients_search_text() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_text := lower(concat_ws(' ',
        NEW.inci_name,
        array_to_string(NEW.synonyms, ' '),
        NEW.zh_name,
        array_to_string(NEW.zh_derived, ' '),
        array_to_string(NEW.cas_numbers, ' ')
    ));
    RETURN NEW;
END
$$
"""

OLD_SEARCH_TEXT_FUNCTION = """
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

TRIGGER = """
CREATE TRIGGER ingredients_search_text
BEFORE INSERT OR UPDATE OF inci_name, synonyms, zh_name, {extra}cas_numbers ON ingredients
FOR EACH ROW EXECUTE FUNCTION ingredients_search_text()
"""


def upgrade() -> None:
    # The trigger names inci_name: it goes while the column widens (the longest CosIng
    # names, multi-plant ferments, run past 2,000 characters) and comes back covering
    # zh_derived too.
    op.execute("DROP TRIGGER IF EXISTS ingredients_search_text ON ingredients")
    for column in ("inci_name", "inci_key"):
        op.alter_column("ingredients", column, type_=sa.String(2500), existing_nullable=False)
    op.add_column(
        "ingredients",
        sa.Column("zh_derived", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    )
    op.add_column("ingredients", sa.Column("iecic", postgresql.JSONB(astext_type=sa.Text())))
    op.execute(SEARCH_TEXT_FUNCTION)
    op.execute(TRIGGER.format(extra="zh_derived, "))
    op.create_table(
        "reference_loads",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_reference_loads")),
    )


def downgrade() -> None:
    op.drop_table("reference_loads")
    op.execute("DROP TRIGGER IF EXISTS ingredients_search_text ON ingredients")
    op.drop_column("ingredients", "iecic")
    op.drop_column("ingredients", "zh_derived")
    for column in ("inci_name", "inci_key"):
        op.alter_column("ingredients", column, type_=sa.String(500), existing_nullable=False)
    op.execute(OLD_SEARCH_TEXT_FUNCTION)
    op.execute(TRIGGER.format(extra=""))
