"""Ingredient dictionary search, and a product's formula rows (read, operator correction)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.api.deps import (
    CurrentPrincipal,
    MetaDep,
    OrgSession,
    PageDep,
    ReferenceDep,
    TransactionalRoute,
)
from pifai.api.json_numbers import refuse_unreadable_numbers
from pifai.models.ingredient import ProductIngredient
from pifai.schemas.ingredient import (
    IngredientHit,
    IngredientRead,
    IngredientSearchPage,
    ProductIngredientRead,
    ProductIngredientsRead,
    ProductIngredientsWrite,
)
from pifai.schemas.toxicology import IngredientDetail
from pifai.services import ingredients as service
from pifai.services.formula_extraction import mark_formula_reviewed
from pifai.services.toxicology.entries import ingredient_toxicology

# Concentrations and limits arrive as JSON numbers: see pifai.api.json_numbers.
router = APIRouter(
    route_class=TransactionalRoute, dependencies=[Depends(refuse_unreadable_numbers)]
)


@router.get("/ingredients/search", response_model=IngredientSearchPage, tags=["ingredients"])
async def search_ingredients(
    user: CurrentPrincipal,
    session: OrgSession,
    reference: ReferenceDep,
    page: PageDep,
    q: Annotated[
        str,
        Query(min_length=1, max_length=200, description="INCI, synonym, Chinese name or CAS"),
    ],
) -> IngredientSearchPage:
    """Ranked matches in the ingredient dictionary (best first)."""
    found = await service.search_ingredients(session, reference, q, page.limit, offset=page.offset)
    items = [
        IngredientHit.model_validate(
            {
                **IngredientRead.model_validate(hit.ingredient).model_dump(),
                "score": min(1.0, hit.score),
                "matched_on": hit.matched_on,
            }
        )
        for hit in found.hits
    ]
    return IngredientSearchPage(
        q=q, items=items, total=found.total, limit=page.limit, offset=page.offset
    )


@router.get("/ingredients/{ingredient_id}", response_model=IngredientDetail, tags=["ingredients"])
async def get_ingredient(
    ingredient_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession
) -> IngredientDetail:
    """The dictionary entry with its toxicology: what PubChem and ECHA CHEM answered (from
    the shared cache, fresh or stale; never fetched here) and the shipped reference
    records (NOAEL, dermal absorption, conclusions), each with its source."""
    ingredient, toxicology = await ingredient_toxicology(session, ingredient_id)
    return IngredientDetail.model_validate(
        {**IngredientRead.model_validate(ingredient).model_dump(), "toxicology": toxicology}
    )


async def _formula(
    session: AsyncSession,
    product_id: uuid.UUID,
    rows: Sequence[ProductIngredient],
    findings: list[str] | None = None,
) -> ProductIngredientsRead:
    summary = service.summarize(rows)
    names = await service.row_zh_names(session, rows)
    items = [
        ProductIngredientRead.model_validate(r).model_copy(
            update={"zh_name": names[i][0], "zh_name_source": names[i][1]}
        )
        for i, r in enumerate(rows)
    ]
    return ProductIngredientsRead(
        product_id=product_id,
        items=items,
        total=summary.total,
        confidence=summary.confidence,
        findings=summary.findings if findings is None else findings,
    )


@router.get(
    "/products/{product_id}/ingredients",
    response_model=ProductIngredientsRead,
    tags=["products"],
)
async def get_product_ingredients(
    product_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession
) -> ProductIngredientsRead:
    """The product's formula rows (PIF item 3), sorted by concentration descending."""
    rows = await service.list_product_ingredients(session, product_id, user.org_id)
    return await _formula(session, product_id, rows)


@router.put(
    "/products/{product_id}/ingredients",
    response_model=ProductIngredientsRead,
    tags=["products"],
)
async def replace_product_ingredients(
    product_id: uuid.UUID,
    body: ProductIngredientsWrite,
    user: CurrentPrincipal,
    session: OrgSession,
    reference: ReferenceDep,
    meta: MetaDep,
) -> ProductIngredientsRead:
    """Replace the formula rows with an operator's corrections. Every row is checked: a
    CAS failing its check digit or a concentration outside 0-100 % is a 422 naming the
    row; a total outside 100 % +/- 2 % is reported in ``findings``."""
    rows = [
        service.OperatorRow(
            name=r.name,
            raw_name=r.raw_name,
            cas=r.cas,
            concentration=r.concentration,
            function=r.function,
            zh_name=r.zh_name,
        )
        for r in body.rows
    ]
    validated, stored = await service.correct_product_ingredients(
        session, reference, product_id, user.org_id, rows
    )
    await mark_formula_reviewed(session, product_id, user, meta)
    return await _formula(session, product_id, stored, validated.findings)
