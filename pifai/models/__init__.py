"""All ORM models, imported so Base.metadata is complete (Alembic, drift check)."""

from pifai.models.migration import InlineMigration
from pifai.models.organization import Organization
from pifai.models.product import Product
from pifai.models.user import User

__all__ = ["InlineMigration", "Organization", "Product", "User"]
