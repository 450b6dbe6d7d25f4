"""assessor grants: an organisation lets an outside Safety Assessor (a user of another
organisation) review named products; row-level security enforces the grant

The principal check now also sets ``app.current_user_id``. Each table an assessor's
review reads or writes gets a second permissive policy, ``via_assessor_grant``, that
admits the rows of a product the signed-in user holds an active, unexpired grant for;
the granting organisation's audit log accepts that user's records. The grant rows are
the granting organisation's, readable by their assessor; an invitation is accepted only
through ``pifai_accept_assessor_grants`` (by its token, for the signed-in user's own
verified address).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pifai.core.tenancy import assessor_grant_sql, tenant_rls_sql

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USER = "NULLIF(current_setting('app.current_user_id', true), '')::uuid"
# Tables of a product that its review shows or changes (column naming the product).
GRANTED_TABLES = {
    "products": "id",
    "pif_documents": "product_id",
    "pif_files": "product_id",
    "document_texts": "product_id",
    "product_ingredients": "product_id",
    "pif_versions": "product_id",
    "safety_assessments": "product_id",
    "compliance_alerts": "product_id",
    "sa_reviews": "product_id",
    "sa_review_comments": "product_id",
}

_CHECK = """
CREATE OR REPLACE FUNCTION pifai_check_principal(
  p_user uuid, p_org uuid, p_role text, p_session uuid)
RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
BEGIN
  -- Scope the transaction first (SET LOCAL semantics): users is under RLS too.
  PERFORM set_config('app.current_org_id', p_org::text, true);
  PERFORM set_config('app.current_user_id', {user_value}, true);
  PERFORM 1 FROM users
   WHERE id = p_user AND org_id = p_org AND role = p_role AND is_active;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the access token no longer matches an active account'
      USING ERRCODE = '28000';
  END IF;
  IF p_session IS NOT NULL AND EXISTS (
    SELECT 1 FROM refresh_tokens
     WHERE family_id = p_session AND org_id = p_org AND revoked_at IS NOT NULL
  ) THEN
    RAISE EXCEPTION 'the access token''s session has ended' USING ERRCODE = '28000';
  END IF;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "assessor_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("invited_by", sa.Uuid()),
        sa.Column("assessor_user_id", sa.Uuid()),
        sa.Column("assessor_org_id", sa.Uuid()),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("accepted_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('invited', 'active', 'revoked')", name=op.f("ck_assessor_grants_status")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_assessor_grants_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"],
            name=op.f("fk_assessor_grants_product_id_products"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"], ["users.id"],
            name=op.f("fk_assessor_grants_invited_by_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessor_grants")),
    )  # fmt: skip
    op.create_index(op.f("ix_assessor_grants_org_id"), "assessor_grants", ["org_id"])
    op.create_index(op.f("ix_assessor_grants_token_sha256"), "assessor_grants", ["token_sha256"])
    op.create_index(
        "ix_assessor_grants_assessor_product",
        "assessor_grants",
        ["assessor_user_id", "product_id"],
    )
    for statement in tenant_rls_sql("assessor_grants"):
        op.execute(statement)
    op.execute(f"CREATE POLICY own_grant ON assessor_grants FOR SELECT USING (assessor_user_id = {USER})")

    op.execute(_CHECK.format(user_value="p_user::text"))
    # SECURITY DEFINER: read the grants without their own policies (no recursion), and
    # only to answer for the signed-in user.
    op.execute(
        f"""
        CREATE FUNCTION pifai_granted_product(p_product uuid) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT EXISTS (
            SELECT 1 FROM assessor_grants
             WHERE product_id = p_product AND assessor_user_id = {USER}
               AND status = 'active' AND (expires_at IS NULL OR expires_at > now()))
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION pifai_granted_org(p_org uuid) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT EXISTS (
            SELECT 1 FROM assessor_grants
             WHERE org_id = p_org AND assessor_user_id = {USER}
               AND status = 'active' AND (expires_at IS NULL OR expires_at > now()))
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION pifai_accept_assessor_grants(p_token_sha256 text)
        RETURNS TABLE (grant_id uuid, org_id uuid, product_id uuid)
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          UPDATE assessor_grants g
             SET status = 'active', assessor_user_id = u.id, assessor_org_id = u.org_id,
                 accepted_at = now(), updated_at = now()
            FROM users u
           WHERE u.id = {USER} AND u.is_active AND u.role = 'sa'
             AND u.email_verified_at IS NOT NULL AND lower(u.email) = lower(g.email)
             AND g.token_sha256 = p_token_sha256 AND g.status = 'invited'
             AND g.org_id <> u.org_id
             AND (g.expires_at IS NULL OR g.expires_at > now())
          RETURNING g.id, g.org_id, g.product_id
        $$
        """
    )
    # Who a review's notices go to, also when the reviewer is an outside assessor (who
    # cannot read the organisation's users): addresses only, of the caller's own
    # organisation or one that granted them a product.
    op.execute(
        """
        CREATE FUNCTION pifai_mail_recipients(p_org uuid, p_roles text[])
        RETURNS TABLE (email text, locale text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT u.email::text, u.locale::text FROM users u
           WHERE u.org_id = p_org AND u.role = ANY (p_roles) AND u.is_active
             AND u.email_verified_at IS NOT NULL
             AND (p_org = NULLIF(current_setting('app.current_org_id', true), '')::uuid
                  OR pifai_granted_org(p_org))
           ORDER BY u.email
        $$
        """
    )
    # Named after tenant_isolation: permissive policies are OR-ed in name order, so the
    # plain tenant comparison is evaluated first.
    for table, column in GRANTED_TABLES.items():
        op.execute(assessor_grant_sql(table, column))
    op.execute(
        "CREATE POLICY via_assessor_grant ON organizations FOR SELECT "
        "USING (pifai_granted_org(id))"
    )
    op.execute(
        "CREATE POLICY via_assessor_grant ON audit_logs FOR INSERT "
        "WITH CHECK (pifai_granted_org(org_id))"
    )


def downgrade() -> None:
    for table in (*GRANTED_TABLES, "organizations", "audit_logs"):
        op.execute(f"DROP POLICY via_assessor_grant ON {table}")
    op.execute("DROP FUNCTION pifai_mail_recipients(uuid, text[])")
    op.execute("DROP FUNCTION pifai_accept_assessor_grants(text)")
    op.execute("DROP FUNCTION pifai_granted_org(uuid)")
    op.execute("DROP FUNCTION pifai_granted_product(uuid)")
    op.execute(_CHECK.format(user_value="''"))
    op.drop_table("assessor_grants")
