"""Products: the ACL gate and the product lifecycle."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.errors import NotFound
from pifai.models.product import Product


class ProductNotFound(NotFound):
    code = "product_not_found"


async def get_product_for_org(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> Product:
    """The ACL gate: a product of another organisation is "not found", never "forbidden"."""
    product = await session.scalar(
        select(Product).where(Product.id == product_id, Product.org_id == org_id)
    )
    if product is None:
        raise ProductNotFound("No such product.")
    return product
