"""super-admin TOTP: a super admin signs in with a password and a one-time code

Super admins created before this revision have no secret yet and cannot sign in until
`pifai admin reset-totp EMAIL` gives them one.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("super_admins", sa.Column("totp_secret", sa.Text(), nullable=True))
    op.add_column("super_admins", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("super_admins", "totp_last_step")
    op.drop_column("super_admins", "totp_secret")
