"""formula rows: the Traditional Chinese name an operator gives a row (the label's name
for it), kept over the dictionary's

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("product_ingredients", sa.Column("zh_name", sa.String(200)))


def downgrade() -> None:
    op.drop_column("product_ingredients", "zh_name")
