"""Products with their 16 PIF items, as the service makes them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.tenancy import scope_session
from pifai.models.organization import Organization
from pifai.models.product import Product
from pifai.services.pif import new_documents
from pifai.services.pif.versions import new_draft


async def create_product(session: AsyncSession, org: Organization, **overrides: Any) -> Product:
    await scope_session(session, org.id)
    product = Product(
        id=overrides.pop("id", uuid.uuid4()),
        org_id=org.id,
        name=overrides.pop("name", f"保濕乳液 {uuid.uuid4().hex[:4]}"),
        product_type=overrides.pop("product_type", "leave_on_face"),
        **overrides,
    )
    session.add(product)
    await session.flush()
    session.add_all([*new_documents(org.id, product.id), new_draft(org.id, product.id)])
    await session.flush()
    return product
