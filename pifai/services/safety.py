"""A product's safety assessment: its stored formula through the safety engine, with the
rule engine's findings as hard gates and the shipped toxicology reference data."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.safety import assess, gates_from_check
from pifai.ai.safety.reference_inputs import constants, exposure_for, toxicology_for
from pifai.ai.toxicology import reference
from pifai.services.compliance import check_formula_of, product_formula
from pifai.services.reference import ReferenceData

TOXICOLOGY_DATA = "pifai/data/toxicology (SCCS/1647/22 exposure rows, NOAELs, TTC, conclusions)"


async def assess_product(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID, reference: ReferenceData
) -> dict[str, Any]:
    """The engine's result for the product's current formula, with the data versions it
    was decided on. Computed on request: nothing is stored."""
    product, items = await product_formula(session, product_id, org_id)
    check, store_version = await check_formula_of(session, product, items, reference)
    result = assess(
        items,
        exposure_for(product.product_type, product.sccs_category),
        constants(),
        toxicology_for(items),
        gates_from_check(check),
    )
    return {
        "product_id": str(product.id),
        "product_type": product.product_type,
        **result.to_dict(),
        "data_versions": {"regulatory": store_version, "toxicology": TOXICOLOGY_DATA},
    }


def exposure_category_list() -> list[dict[str, Any]]:
    """The SCCS categories a product may be given, with their exposure and source."""
    return [
        {
            "key": c.key,
            "name": c.name,
            "use": c.use,
            "relative_daily_exposure_mg_kg_bw_day": c.relative_daily_exposure_mg_kg_bw_day,
            "retention_factor": c.retention_factor,
            "source": ", ".join(p for p in (c.source.document, c.source.table, c.source.row) if p),
            "verified": c.verified,
        }
        for c in reference.exposure_categories()
    ]
