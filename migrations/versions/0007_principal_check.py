"""principal check: an access token's user still active, in its organisation, with its role

Sent with each API transaction's BEGIN (pifai.core.tenancy), so a request is
authenticated without loading the user row; it also sets the transaction's tenant scope
(one statement instead of two). A security-invoker function: it sees only the users
row-level security lets the scoped transaction see.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLSTATE 28000 (invalid_authorization_specification) is what the API turns into 401.
    op.execute(
        """
        CREATE FUNCTION pifai_check_principal(p_user uuid, p_org uuid, p_role text)
        RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
        BEGIN
          -- Scope the transaction first (SET LOCAL semantics): users is under RLS too.
          PERFORM set_config('app.current_org_id', p_org::text, true);
          PERFORM 1 FROM users
           WHERE id = p_user AND org_id = p_org AND role = p_role AND is_active;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'the access token no longer matches an active account'
              USING ERRCODE = '28000';
          END IF;
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION pifai_check_principal(uuid, uuid, text)")
