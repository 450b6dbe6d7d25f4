"""session check: an access token dies with its sign-in session

Access tokens name the refresh-token family they were issued for (claim ``sid``). The
principal check that rides on each API transaction's BEGIN now also fails when that
family was revoked: by logging out, by a password reset, by deactivation, or because a
used refresh token was presented again. Such a token was accepted until it expired.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHECK = """
CREATE FUNCTION pifai_check_principal(p_user uuid, p_org uuid, p_role text{session_arg})
RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
BEGIN
  -- Scope the transaction first (SET LOCAL semantics): users is under RLS too.
  PERFORM set_config('app.current_org_id', p_org::text, true);
  PERFORM 1 FROM users
   WHERE id = p_user AND org_id = p_org AND role = p_role AND is_active;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the access token no longer matches an active account'
      USING ERRCODE = '28000';
  END IF;{session_check}
END
$$
"""

_SESSION_CHECK = """
  IF p_session IS NOT NULL AND EXISTS (
    SELECT 1 FROM refresh_tokens
     WHERE family_id = p_session AND org_id = p_org AND revoked_at IS NOT NULL
  ) THEN
    RAISE EXCEPTION 'the access token''s session has ended' USING ERRCODE = '28000';
  END IF;"""


def upgrade() -> None:
    op.execute(_CHECK.format(session_arg=", p_session uuid", session_check=_SESSION_CHECK))
    op.execute("DROP FUNCTION pifai_check_principal(uuid, uuid, text)")


def downgrade() -> None:
    op.execute(_CHECK.format(session_arg="", session_check=""))
    op.execute("DROP FUNCTION pifai_check_principal(uuid, uuid, text, uuid)")
