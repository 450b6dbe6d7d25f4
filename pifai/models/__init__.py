"""All ORM models, imported so Base.metadata is complete (Alembic, drift check)."""

from pifai.models.audit import AuditChainHead, AuditLog
from pifai.models.auth import EmailToken, RefreshToken, SuperAdmin
from pifai.models.migration import InlineMigration
from pifai.models.organization import Organization
from pifai.models.product import Product
from pifai.models.user import User

__all__ = [
    "AuditChainHead",
    "AuditLog",
    "EmailToken",
    "InlineMigration",
    "Organization",
    "Product",
    "RefreshToken",
    "SuperAdmin",
    "User",
]
