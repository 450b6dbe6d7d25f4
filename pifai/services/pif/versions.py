"""PIF versions: the frozen snapshot a signature covers, and whether what it covers changed.

V0 is the working draft: its content is the live items and formula rows. Freezing writes
the next number with the snapshot, its hash and fingerprints; the previous signed version
becomes superseded. open_draft copies the last signed snapshot back into the working items
and formula rows, so a new round of edits starts from what was signed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.pif_versions import (
    REASON_TEXT,
    changed_parts,
    fingerprints,
    sha256_hex,
)
from pifai.core.errors import Conflict, NotFound
from pifai.core.security import Principal
from pifai.models.ingredient import ProductIngredient
from pifai.models.pif_version import PifVersion
from pifai.models.product import Product
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.pif.items import current_files_for_org, get_documents_for_org
from pifai.services.products import get_product_for_org

PRODUCT_FIELDS = (
    "name",
    "name_en",
    "category",
    "dosage_form",
    "intended_use",
    "manufacturer_name",
    "manufacturer_address",
    "notification_number",
    "sccs_category",
    "product_type",
    "children_under_3",
)


def new_draft(org_id: uuid.UUID, product_id: uuid.UUID) -> PifVersion:
    return PifVersion(org_id=org_id, product_id=product_id, number=0, status="draft")


async def _formula_rows(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> list[ProductIngredient]:
    rows = await session.scalars(
        select(ProductIngredient)
        .where(ProductIngredient.product_id == product_id, ProductIngredient.org_id == org_id)
        .order_by(ProductIngredient.sort_order)
    )
    return list(rows)


async def snapshot_of(session: AsyncSession, product: Product, org_id: uuid.UUID) -> dict[str, Any]:
    """All 16 items (status, confidence, content, current file hashes), the formula rows
    and the product's item-1 fields, as plain JSON."""
    documents = await get_documents_for_org(session, product.id, org_id)
    files = await current_files_for_org(session, product.id, org_id)
    items = {
        str(d.item_number): {
            "status": d.status,
            "confidence": d.confidence,
            "content": d.content,
            "file_sha256": sorted(f.sha256 for f in files.get(d.item_number, [])),
        }
        for d in documents
    }
    formula = [
        {
            "ingredient_id": None if r.ingredient_id is None else str(r.ingredient_id),
            "raw_name": r.raw_name,
            "inci": r.inci,
            "cas": r.cas,
            "concentration": r.concentration,
            "is_balance": r.is_balance,
            "function": r.function,
            "sort_order": r.sort_order,
            # Only when given: snapshots frozen before the column compare equal.
            **({"zh_name": r.zh_name} if r.zh_name else {}),
        }
        for r in await _formula_rows(session, product.id, org_id)
    ]
    return {
        "product": {f: getattr(product, f) for f in PRODUCT_FIELDS},
        "items": items,
        "formula": formula,
    }


async def list_versions(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> list[PifVersion]:
    await get_product_for_org(session, product_id, org_id)
    rows = await session.scalars(
        select(PifVersion)
        .where(PifVersion.product_id == product_id, PifVersion.org_id == org_id)
        .order_by(PifVersion.number)
    )
    return list(rows)


async def _last_signed(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> PifVersion | None:
    result: PifVersion | None = await session.scalar(
        select(PifVersion)
        .where(
            PifVersion.product_id == product_id,
            PifVersion.org_id == org_id,
            PifVersion.number > 0,
        )
        .order_by(PifVersion.number.desc())
        .limit(1)
    )
    return result


async def freeze_version(
    session: AsyncSession,
    product_id: uuid.UUID,
    org_id: uuid.UUID,
    *,
    signed_by: uuid.UUID | None,
    signature: dict[str, Any],
) -> PifVersion:
    """The next signed version of the product as it is now (flush only)."""
    product = await get_product_for_org(session, product_id, org_id)
    # Serialises concurrent signings of one product on its row.
    await session.execute(select(Product.id).where(Product.id == product.id).with_for_update())
    snapshot = await snapshot_of(session, product, org_id)
    previous = await _last_signed(session, product_id, org_id)
    if previous is not None and previous.status == "signed":
        previous.status = "superseded"
    prints = fingerprints(snapshot)
    version = PifVersion(
        org_id=org_id,
        product_id=product_id,
        number=1 if previous is None else previous.number + 1,
        status="signed",
        snapshot=snapshot,
        snapshot_sha256=sha256_hex(snapshot),
        formula_sha256=prints["formula"],
        process_sha256=prints["process"],
        packaging_sha256=prints["packaging"],
        signed_at=datetime.now(UTC),
        signed_by=signed_by,
        signer_name=signature.get("signer_name"),
        qualification_ref=signature.get("qualification_ref"),
        signature_ip=signature.get("ip"),
        signature_user_agent=signature.get("user_agent"),
        signature_method=signature.get("method"),
    )
    session.add(version)
    await session.flush()
    return version


async def change_detection(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> dict[str, Any]:
    """Which of formula / process / packaging changed since the last signed version."""
    product = await get_product_for_org(session, product_id, org_id)
    last = await _last_signed(session, product_id, org_id)
    if last is None:
        return {
            "needs_resign": False,
            "reasons": [],
            "current_version": 0,
            "suggested_next_version": 1,
        }
    current = fingerprints(await snapshot_of(session, product, org_id))
    signed = {
        "formula": last.formula_sha256 or "",
        "process": last.process_sha256 or "",
        "packaging": last.packaging_sha256 or "",
    }
    parts = changed_parts(signed, current)
    return {
        "needs_resign": bool(parts),
        "reasons": [{"part": p, **REASON_TEXT[p]} for p in parts],
        "current_version": last.number,
        "suggested_next_version": last.number + 1,
    }


async def open_draft(
    session: AsyncSession,
    product_id: uuid.UUID,
    actor: Principal,
    meta: RequestMeta | None = None,
) -> PifVersion:
    """The working V0 becomes a copy of the last signed snapshot: each item's status,
    confidence and content, and the formula rows (replaced); audited. An item approved in
    the snapshot comes back as human_reviewed: in a draft, only the SA approves. Files are
    not touched: they are versioned on their own and a snapshot holds only their hashes."""
    org_id = actor.org_id
    product = await get_product_for_org(session, product_id, org_id)
    last = await _last_signed(session, product_id, org_id)
    if last is None or last.snapshot is None:
        raise Conflict("The product has no signed version to open a draft from.")
    snapshot = last.snapshot
    for document in await get_documents_for_org(session, product.id, org_id):
        item = snapshot["items"].get(str(document.item_number))
        if item is not None:
            restored = str(item["status"])
            document.status = "human_reviewed" if restored == "approved" else restored
            document.confidence = item["confidence"]
            document.content = item["content"]
    await session.execute(
        delete(ProductIngredient).where(
            ProductIngredient.product_id == product.id, ProductIngredient.org_id == org_id
        )
    )
    for row in snapshot["formula"]:
        ingredient_id = row["ingredient_id"]
        session.add(
            ProductIngredient(
                org_id=org_id,
                product_id=product.id,
                ingredient_id=None if ingredient_id is None else uuid.UUID(ingredient_id),
                raw_name=row["raw_name"],
                inci=row["inci"],
                cas=row["cas"],
                concentration=row["concentration"],
                is_balance=row["is_balance"],
                function=row["function"],
                sort_order=row["sort_order"],
                source="version",
            )
        )
    draft = await session.scalar(
        select(PifVersion).where(
            PifVersion.product_id == product.id,
            PifVersion.org_id == org_id,
            PifVersion.number == 0,
        )
    )
    if draft is None:
        draft = new_draft(org_id, product.id)
        session.add(draft)
    await audit.record(
        session,
        "pif.draft_opened",
        org_id=org_id,
        actor_id=actor.id,
        resource_type="product",
        resource_id=product.id,
        details={"from_version": last.number},
        meta=meta,
    )
    await session.flush()
    return draft


async def verify_version(
    session: AsyncSession, product_id: uuid.UUID, number: int | None = None
) -> tuple[bool, str | None, str | None]:
    """Recompute the stored snapshot's hash (platform role: no org filter; the CLI only).
    number None: the newest signed version. Returns (ok, expected, actual)."""
    query = select(PifVersion).where(PifVersion.product_id == product_id, PifVersion.number > 0)
    if number is not None:
        query = query.where(PifVersion.number == number)
    version = await session.scalar(query.order_by(PifVersion.number.desc()).limit(1))
    if version is None or version.snapshot is None:
        raise NotFound("No such signed version.")
    actual = sha256_hex(version.snapshot)
    return actual == version.snapshot_sha256, version.snapshot_sha256, actual
