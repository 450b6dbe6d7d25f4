"""A product's safety assessment: its stored formula through the safety engine, with the
rule engine's findings as hard gates and the shipped toxicology reference data."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.regulatory import FormulaItem
from pifai.ai.safety import assess, gates_from_check
from pifai.ai.safety.inputs import ingredient_key, row_label
from pifai.ai.safety.reference_inputs import constants, exposure_for, toxicology_for
from pifai.ai.toxicology import pubchem, reference
from pifai.ai.toxicology.sources import SourceStatus
from pifai.models.safety import SafetyAssessment
from pifai.services.compliance import check_formula_of, product_formula
from pifai.services.products import get_product_for_org
from pifai.services.reference import ReferenceData
from pifai.services.toxicology.cache import read_cached

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
        toxicology_for(items, await _cached_smiles(session, items)),
        gates_from_check(check),
    )
    return {
        "product_id": str(product.id),
        "product_type": product.product_type,
        **result.to_dict(),
        "data_versions": {"regulatory": store_version, "toxicology": TOXICOLOGY_DATA},
    }


async def _cached_smiles(session: AsyncSession, items: Sequence[FormulaItem]) -> dict[str, str]:
    """PubChem's SMILES of the rows and of their read-across analogues, where cached."""
    names = [row_label(row) for row in items]
    names += [r.analogue_inci for row in items for r in reference.read_across_for(row.name)]
    cached = await read_cached(session, names, [pubchem.SOURCE])
    smiles = {}
    for key, by_source in cached.items():
        answer = by_source.get(pubchem.SOURCE)
        if answer is not None and answer.result.status is SourceStatus.found:
            value = answer.result.data.get("smiles")
            if isinstance(value, str) and value:
                smiles[ingredient_key(key)] = value
    return smiles


async def record_assessment(
    session: AsyncSession,
    product_id: uuid.UUID,
    org_id: uuid.UUID,
    reference: ReferenceData,
    *,
    task_id: uuid.UUID | None = None,
) -> SafetyAssessment:
    """Assess the product's current formula and keep the result (flushed, not committed)."""
    result = await assess_product(session, product_id, org_id, reference)
    row = SafetyAssessment(
        id=uuid.uuid4(),
        org_id=org_id,
        product_id=product_id,
        task_id=task_id,
        verdict=str(result["verdict"]),
        result=result,
    )
    session.add(row)
    await session.flush()
    return row


async def latest_assessment_for_org(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> SafetyAssessment | None:
    """The product's most recent kept assessment (the product is checked first: another
    organisation's product is "not found")."""
    product = await get_product_for_org(session, product_id, org_id)
    return await session.scalar(
        select(SafetyAssessment)
        .where(SafetyAssessment.org_id == org_id, SafetyAssessment.product_id == product.id)
        .order_by(SafetyAssessment.created_at.desc(), SafetyAssessment.id.desc())
        .limit(1)
    )


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
