"""identity: users' auth fields, tokens, super admins, hash-chained audit log, RLS

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pifai.core.tenancy import tenant_rls_sql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPE = "NULLIF(current_setting('app.current_org_id', true), '')::uuid"


def upgrade() -> None:
    op.add_column("users", sa.Column("full_name", sa.String(200), nullable=False, server_default=""))
    op.add_column("users", sa.Column("locale", sa.String(10), nullable=False, server_default="zh-TW"))
    op.add_column("users", sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("users", sa.Column("email_verified_at", sa.DateTime(timezone=True)))
    op.add_column("users", sa.Column("totp_enabled", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("users", sa.Column("totp_last_step", sa.BigInteger()))
    for column in ("full_name", "locale", "is_active", "totp_enabled"):
        op.alter_column("users", column, server_default=None)
    op.create_unique_constraint(op.f("uq_users_email"), "users", ["email"])
    op.create_check_constraint(op.f("ck_users_locale"), "users", "locale IN ('zh-TW', 'en')")
    op.create_check_constraint(op.f("ck_users_email_lowercase"), "users", "email = lower(email)")

    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f("fk_refresh_tokens_org_id_organizations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_refresh_tokens_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    op.create_index(op.f("ix_refresh_tokens_org_id"), "refresh_tokens", ["org_id"])
    op.create_index(op.f("ix_refresh_tokens_user_id"), "refresh_tokens", ["user_id"])
    op.create_index(op.f("ix_refresh_tokens_family_id"), "refresh_tokens", ["family_id"])

    op.create_table(
        "email_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("purpose IN ('verify_email', 'reset_password', 'invite')", name=op.f("ck_email_tokens_purpose")),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f("fk_email_tokens_org_id_organizations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_email_tokens_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_tokens_token_hash")),
    )
    op.create_index(op.f("ix_email_tokens_org_id"), "email_tokens", ["org_id"])
    op.create_index(op.f("ix_email_tokens_user_id"), "email_tokens", ["user_id"])

    op.create_table(
        "super_admins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_super_admins_email_lowercase")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_super_admins")),
        sa.UniqueConstraint("email", name=op.f("uq_super_admins_email")),
    )

    op.create_table(
        "audit_logs",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("org_id", sa.Uuid()),
        sa.Column("actor_type", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.Uuid()),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("resource_type", sa.String(50)),
        sa.Column("resource_id", sa.String(100)),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.Column("user_agent", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name=op.f("fk_audit_logs_org_id_organizations"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_logs")),
    )
    op.create_index("ix_audit_logs_org_id_created_at", "audit_logs", ["org_id", "created_at"])
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Boolean(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id", name=op.f("ck_audit_chain_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.execute("INSERT INTO audit_chain_head (id, hash) VALUES (true, '')")
    op.execute("CREATE SEQUENCE audit_logs_id_seq OWNED BY audit_logs.id")
    # Same text hashed on insert (trigger) and on verification (pifai audit verify).
    op.execute(
        """
        CREATE FUNCTION audit_row_hash(a audit_logs) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
          SELECT encode(sha256(convert_to(concat_ws('|',
            a.prev_hash, a.id::text, coalesce(a.org_id::text, ''), a.actor_type,
            coalesce(a.actor_id::text, ''), a.action, coalesce(a.resource_type, ''),
            coalesce(a.resource_id, ''), a.details::text, coalesce(a.ip, ''),
            coalesce(a.user_agent, ''),
            to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
          ), 'UTF8')), 'hex')
        $$
        """
    )
    # SECURITY DEFINER: the app role has no rights on audit_chain_head or the sequence.
    # Locking the head row serialises inserts so ids follow the chain order.
    op.execute(
        """
        CREATE FUNCTION audit_logs_chain() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE prev text;
        BEGIN
          SELECT hash INTO prev FROM audit_chain_head WHERE id FOR UPDATE;
          NEW.id := nextval('audit_logs_id_seq');
          NEW.created_at := date_trunc('microseconds', clock_timestamp());
          NEW.prev_hash := prev;
          NEW.hash := audit_row_hash(NEW);
          UPDATE audit_chain_head SET hash = NEW.hash WHERE id;
          RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_logs_chain BEFORE INSERT ON audit_logs "
        "FOR EACH ROW EXECUTE FUNCTION audit_logs_chain()"
    )
    # Login and forgot-password know an e-mail, not yet an organisation: this returns
    # only the ids needed to scope the session, nothing else crosses tenants.
    op.execute(
        """
        CREATE FUNCTION auth_find_user(p_email text) RETURNS TABLE (user_id uuid, org_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
          SELECT id, org_id FROM users WHERE email = lower(p_email)
        $$
        """
    )

    for table in ("users", "refresh_tokens", "email_tokens", "products"):
        for statement in tenant_rls_sql(table):
            op.execute(statement)
    for statement in tenant_rls_sql("organizations", org_column="id"):
        op.execute(statement)
    op.execute("ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_read ON audit_logs FOR SELECT USING (org_id = {SCOPE})")
    op.execute(
        "CREATE POLICY tenant_append ON audit_logs FOR INSERT "
        f"WITH CHECK (org_id IS NULL OR org_id = {SCOPE})"
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION auth_find_user(text)")
    op.execute("DROP TRIGGER audit_logs_chain ON audit_logs")
    op.execute("DROP FUNCTION audit_logs_chain()")
    op.drop_table("audit_chain_head")
    op.execute("DROP FUNCTION audit_row_hash(audit_logs)")
    op.drop_table("audit_logs")
    op.drop_table("super_admins")
    op.drop_table("email_tokens")
    op.drop_table("refresh_tokens")
    for table in ("users", "products", "organizations"):
        op.execute(f"DROP POLICY tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_constraint(op.f("ck_users_email_lowercase"), "users")
    op.drop_constraint(op.f("ck_users_locale"), "users")
    op.drop_constraint(op.f("uq_users_email"), "users")
    for column in ("totp_last_step", "totp_enabled", "email_verified_at", "is_active", "locale", "full_name"):
        op.drop_column("users", column)
