"""Products: the ACL gate and the product lifecycle."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import bindparam, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.toxicology.reference import exposure, exposure_categories
from pifai.core.database import after_commit
from pifai.core.errors import Forbidden, NotFound, ValidationFailed
from pifai.core.security import Actor
from pifai.models.pif import PifFile
from pifai.models.pif_version import PifVersion
from pifai.models.product import Product
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.pif import new_documents
from pifai.services.pif.files import delete_stored_files
from pifai.services.rag import RagClient, safe_create_kb, safe_delete_kb
from pifai.services.storage import Storage

log = structlog.get_logger(__name__)

MANAGER_ROLES = frozenset({"owner", "admin"})


class ProductNotFound(NotFound):
    code = "product_not_found"


# Built once: constructing the statement cost more than running it (the hottest read).
_PRODUCT_FOR_ORG = select(Product).where(
    Product.id == bindparam("product_id"),
    Product.org_id == bindparam("org_id"),
    Product.archived_at.is_(None),
)


async def get_product_for_org(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> Product:
    """The ACL gate: a product of another organisation is "not found", never "forbidden".
    Archived products are kept for the legal retention period but are gone for users."""
    product = await session.scalar(_PRODUCT_FOR_ORG, {"product_id": product_id, "org_id": org_id})
    if product is None:
        raise ProductNotFound("No such product.")
    return product


def check_sccs_category(key: str | None) -> None:
    """A category the shipped SCCS exposure table has (or none)."""
    if key is None or exposure(key) is not None:
        return
    known = ", ".join(c.key for c in exposure_categories())
    raise ValidationFailed(
        f"unknown SCCS product category {key!r}; expected one of {known}",
        details=[{"field": "sccs_category", "message": "unknown category"}],
    )


async def create_product(
    session: AsyncSession,
    rag: RagClient | None,
    actor: Actor,
    fields: dict[str, Any],
    meta: RequestMeta,
) -> Product:
    """Product and its 16 items; once they are committed, the RAG knowledge base
    (fail-soft: a RAG outage leaves rag_kb_id NULL for the back-fill to fill)."""
    check_sccs_category(fields.get("sccs_category"))
    product = Product(id=uuid.uuid4(), org_id=actor.org_id, created_by=actor.id, **fields)
    session.add(product)
    await session.flush()
    session.add_all(new_documents(actor.org_id, product.id))
    session.add(PifVersion(org_id=actor.org_id, product_id=product.id, number=0, status="draft"))
    await _audit(session, "product.created", product, actor, meta, {"name": product.name})
    await session.flush()
    if rag is not None:
        after_commit(session, functools.partial(_create_knowledge_base, session, rag, product))
    return product


async def _create_knowledge_base(session: AsyncSession, rag: RagClient, product: Product) -> None:
    # After the commit: a knowledge base must never exist for a product that does not.
    kb_id = await safe_create_kb(rag, product.org_id, product.id)
    if kb_id is not None:
        product.rag_kb_id = kb_id
        await session.flush()
        await session.refresh(product)  # updated_at is set by the database


async def list_products_for_org(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    limit: int,
    offset: int,
    status: str | None = None,
    category: str | None = None,
    q: str | None = None,
) -> tuple[list[Product], int]:
    query = select(Product).where(Product.org_id == org_id, Product.archived_at.is_(None))
    if status:
        query = query.where(Product.pif_status == status)
    if category:
        query = query.where(Product.category == category)
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(or_(Product.name.ilike(pattern), Product.name_en.ilike(pattern)))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Product.created_at.desc(), Product.id).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def update_product(
    session: AsyncSession,
    product: Product,
    actor: Actor,
    changes: dict[str, Any],
    meta: RequestMeta,
) -> Product:
    check_sccs_category(changes.get("sccs_category"))
    changed = {k: v for k, v in changes.items() if getattr(product, k) != v}
    for key, value in changed.items():
        setattr(product, key, value)
    if changed:
        product.updated_at = datetime.now(UTC)
        await _audit(session, "product.updated", product, actor, meta, {"fields": sorted(changed)})
    await session.flush()
    return product


async def delete_product(
    session: AsyncSession,
    product: Product,
    actor: Actor,
    meta: RequestMeta,
    *,
    rag: RagClient | None,
    storage: Storage,
) -> str:
    """A product whose PIF was ever signed is archived (kept, hidden); a draft is erased,
    and its stored files and knowledge base with it once that is committed (a rollback
    must not lose files). Returns ``archived`` or ``deleted``.

    Admins and owners may delete any product; anyone else only one they created that was
    never signed."""
    if actor.role not in MANAGER_ROLES and (
        product.created_by != actor.id or product.first_signed_at is not None
    ):
        raise Forbidden(
            "Only an admin or an owner deletes products, or the member who created a "
            "product that was never signed.",
            details={"role": actor.role},
        )
    if product.first_signed_at is not None:
        product.archived_at = datetime.now(UTC)
        product.pif_status = "archived"
        await _audit(session, "product.archived", product, actor, meta)
        await session.flush()
        return "archived"
    await _erase(session, product, actor, meta, rag=rag, storage=storage)
    return "deleted"


async def _erase(
    session: AsyncSession,
    product: Product,
    actor: Actor,
    meta: RequestMeta,
    *,
    rag: RagClient | None,
    storage: Storage,
) -> None:
    keys = list(
        await session.scalars(
            select(PifFile.storage_key).where(
                PifFile.product_id == product.id, PifFile.org_id == product.org_id
            )
        )
    )
    kb_id = product.rag_kb_id
    details = {"name": product.name, "files": len(keys)}
    await _audit(session, "product.deleted", product, actor, meta, details)
    await session.execute(
        delete(Product).where(Product.id == product.id, Product.org_id == product.org_id)
    )
    await session.flush()
    after_commit(session, functools.partial(delete_stored_files, storage, keys))
    if rag is not None and kb_id:
        after_commit(session, functools.partial(safe_delete_kb, rag, kb_id))


async def _audit(
    session: AsyncSession,
    action: str,
    product: Product,
    actor: Actor,
    meta: RequestMeta,
    details: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        session,
        action,
        org_id=product.org_id,
        actor_id=actor.id,
        resource_type="product",
        resource_id=product.id,
        details=details,
        meta=meta,
    )
