"""products.sccs_category: the SCCS Notes of Guidance product category (item 1)

The safety engine takes the product's daily exposure from its category; a product
without one gets the most conservative category of its product type.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("products", sa.Column("sccs_category", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("products", "sccs_category")
