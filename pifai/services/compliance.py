"""A product's compliance: its stored formula (PIF item 3) against the regulatory store,
for its product type."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.regulatory import CheckResult, FormulaItem
from pifai.models.product import Product
from pifai.services.ingredients import list_product_ingredients
from pifai.services.products import get_product_for_org
from pifai.services.reference import ReferenceData


async def product_formula(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> tuple[Product, list[FormulaItem]]:
    """The product and its formula rows as the rule engine reads them."""
    product = await get_product_for_org(session, product_id, org_id)
    rows = await list_product_ingredients(session, product.id, org_id)
    items = [
        FormulaItem(
            name=row.inci or row.raw_name,
            cas=row.cas,
            concentration_pct=row.concentration,
            function=row.function,
        )
        for row in rows
    ]
    return product, items


async def check_product(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID, reference: ReferenceData
) -> tuple[CheckResult, str]:
    """The findings and the version of the store they were checked against. A product of
    another organisation is "not found" (the products ACL gate)."""
    product, items = await product_formula(session, product_id, org_id)
    return await check_formula_of(session, product, items, reference)


async def check_formula_of(
    session: AsyncSession, product: Product, items: list[FormulaItem], reference: ReferenceData
) -> tuple[CheckResult, str]:
    snapshot = await reference.snapshot(session)
    result = snapshot.check(items, product.product_type, children_under_3=product.children_under_3)
    return result, snapshot.version
