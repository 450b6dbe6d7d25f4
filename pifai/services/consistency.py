"""A product's cross-item consistency: the snapshot of its PIF (items, formula, the rule
engine's findings, the label warnings the restricted lists require, what item 10 covers)
through the pure rules of ``pifai.ai.consistency``. Computed on request from the items
as they are, so it is re-run whenever an item changes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.consistency import (
    Alert,
    FormulaLine,
    PifSnapshot,
    RequiredWarning,
    check_consistency,
    keys,
)
from pifai.ai.ingredient_validator import IngredientDictionary
from pifai.ai.ingredient_validator.names import name_variants
from pifai.ai.regulatory import CheckResult
from pifai.ai.safety.drafts import DRAFT_KIND
from pifai.models.ingredient import ProductIngredient
from pifai.services.claims.records import latest_acknowledgement_for_org
from pifai.services.compliance import check_formula_of, product_formula
from pifai.services.ingredients.formula import list_product_ingredients
from pifai.services.pif.items import get_documents_for_org
from pifai.services.reference import ReferenceData


def formula_aliases(row: ProductIngredient, dictionary: IngredientDictionary) -> frozenset[str]:
    names: list[str | None] = [row.inci, *name_variants(row.raw_name)]
    entry = dictionary.match(row.inci or row.raw_name).entry
    if entry is not None:
        names += [entry.inci, *entry.synonyms, *entry.zh_names, *entry.derived_zh]
    return keys(names)


def required_warnings(check: CheckResult) -> list[RequiredWarning]:
    """The TFDA entries' label warnings for the formula's ingredients (the EU's wording
    binds in the EU, not on a Taiwanese label)."""
    out = []
    for resolution in check.resolved:
        for entry in resolution.entries:
            if entry.authority == "TFDA" and entry.warnings:
                out.append(
                    RequiredWarning(
                        resolution.inci_name or resolution.input,
                        entry.warnings,
                        entry.entry_ref,
                        entry.authority,
                    )
                )
    return out


def toxicology_covered(item10: Mapping[str, Any]) -> frozenset[str]:
    """Ingredients the item-10 draft has at least one finding or conclusion for."""
    draft = item10.get(DRAFT_KIND) or {}
    covered = [
        str(row.get("ingredient"))
        for row in draft.get("ingredients") or []
        if row.get("conclusions") or any(e.get("findings") for e in row.get("endpoints") or [])
    ]
    return keys(covered)


async def product_snapshot(
    session: AsyncSession,
    product_id: uuid.UUID,
    org_id: uuid.UUID,
    reference: ReferenceData,
    *,
    today: date | None = None,
) -> PifSnapshot:
    product, formula = await product_formula(session, product_id, org_id)
    rows = await list_product_ingredients(session, product.id, org_id)
    check, _ = await check_formula_of(session, product, formula, reference)
    dictionary = await reference.dictionary(session)
    documents = await get_documents_for_org(session, product.id, org_id)
    items = {d.item_number: dict(d.content or {}) for d in documents}
    lines = [
        FormulaLine(
            label=item.name or item.cas or row.raw_name,
            concentration_pct=row.concentration,
            function=row.function,
            aliases=formula_aliases(row, dictionary),
        )
        for item, row in zip(formula, rows, strict=True)
    ]
    acknowledged = await latest_acknowledgement_for_org(session, product.id, org_id)
    return PifSnapshot(
        product_name=product.name,
        product_name_en=product.name_en,
        items=items,
        formula=lines,
        findings=check.findings,
        required_warnings=required_warnings(check),
        toxicology_covered=toxicology_covered(items.get(10, {})),
        today=today or datetime.now(UTC).date(),
        claims_acknowledged=None
        if acknowledged is None
        else {
            "id": str(acknowledged.id),
            "acknowledged_at": acknowledged.acknowledged_at.isoformat(),
            "result": acknowledged.result,
        },
    )


def summary(alerts: Iterable[Alert]) -> dict[str, Any]:
    listed = list(alerts)
    counts = {
        s: sum(1 for a in listed if a.severity == s) for s in ("blocking", "error", "warning")
    }
    return {
        "signable": counts["blocking"] == 0,
        "counts": counts,
        "alerts": [a.to_dict() for a in listed],
    }


async def product_consistency(
    session: AsyncSession,
    product_id: uuid.UUID,
    org_id: uuid.UUID,
    reference: ReferenceData,
    *,
    today: date | None = None,
) -> dict[str, Any]:
    snapshot = await product_snapshot(session, product_id, org_id, reference, today=today)
    return consistency_of(product_id, snapshot)


def consistency_of(product_id: uuid.UUID, snapshot: PifSnapshot) -> dict[str, Any]:
    """The consistency answer for an already built snapshot."""
    return {
        "product_id": str(product_id),
        "checked_on": snapshot.today.isoformat(),
        **summary(check_consistency(snapshot)),
    }
