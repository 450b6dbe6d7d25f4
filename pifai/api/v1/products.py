"""/api/v1/products: CRUD of products (item 1 data)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from pifai.api.deps import (
    CurrentPrincipal,
    MetaDep,
    OrgSession,
    PageDep,
    RuntimeDep,
    TransactionalRoute,
)
from pifai.models.product import Product
from pifai.schemas.product import PifStatus, ProductCreate, ProductOut, ProductPage, ProductUpdate
from pifai.services import products

router = APIRouter(prefix="/products", tags=["products"], route_class=TransactionalRoute)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProductOut)
async def create_product(
    body: ProductCreate,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    meta: MetaDep,
) -> Product:
    """Creates the product and its 16 PIF items; the RAG knowledge base is best effort."""
    # Returned as is: the response is read after the commit and the knowledge base.
    return await products.create_product(
        session, runtime.rag, user, body.model_dump(exclude_unset=True), meta
    )


@router.get("", response_model=ProductPage)
async def list_products(
    user: CurrentPrincipal,
    session: OrgSession,
    page: PageDep,
    pif_status: Annotated[PifStatus | None, Query(alias="status")] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Name (zh or en) contains")] = None,
) -> ProductPage:
    rows, total = await products.list_products_for_org(
        session,
        user.org_id,
        limit=page.limit,
        offset=page.offset,
        status=pif_status,
        category=category,
        q=q,
    )
    return ProductPage.of(rows, total, page.limit, page.offset)


@router.get("/{product_id}", response_model=ProductOut)
async def get_product(
    product_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession
) -> Product:
    # Returned as is: the response model reads it once (no second validation).
    return await products.get_product_for_org(session, product_id, user.org_id)


@router.patch("/{product_id}", response_model=ProductOut)
async def update_product(
    product_id: uuid.UUID,
    body: ProductUpdate,
    user: CurrentPrincipal,
    session: OrgSession,
    meta: MetaDep,
) -> ProductOut:
    product = await products.get_product_for_org(session, product_id, user.org_id)
    changes = body.model_dump(exclude_unset=True)
    return ProductOut.model_validate(
        await products.update_product(session, product, user, changes, meta)
    )


@router.delete("/{product_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_product(
    product_id: uuid.UUID,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    meta: MetaDep,
) -> Response:
    """A draft is erased with its files; a product whose PIF was ever signed is archived."""
    product = await products.get_product_for_org(session, product_id, user.org_id)
    await products.delete_product(
        session, product, user, meta, rag=runtime.rag, storage=runtime.storage
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
