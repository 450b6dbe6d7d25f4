"""The 16-item PIF record: item definitions, the one state machine, the overview."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.safety.drafts import DRAFT_KIND
from pifai.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
    validation_details,
)
from pifai.core.security import Actor
from pifai.models.pif import ITEM_STATUSES, PifDocument, PifFile
from pifai.schemas.pif_content import ITEM_CONTENT_SCHEMAS
from pifai.services import audit
from pifai.services.audit import RequestMeta


@dataclass(frozen=True)
class ItemDefinition:
    number: int
    name_zh: str
    name_en: str
    source: str  # form | upload | lookup | engine


# DOMAIN.md, "The 16 items of a PIF".
ITEMS: dict[int, ItemDefinition] = {
    d.number: d
    for d in (
        ItemDefinition(1, "產品基本資料", "Product basic data", "form"),
        ItemDefinition(2, "產品登錄證明", "Product notification evidence", "upload"),
        ItemDefinition(3, "全成分名稱及其含量", "Full ingredient list", "upload"),
        ItemDefinition(4, "產品標籤、仿單、外包裝", "Label, leaflet, outer packaging", "upload"),
        ItemDefinition(5, "製造場所符合 GMP 之證明", "GMP evidence", "upload"),
        ItemDefinition(6, "製造方法、流程", "Manufacturing method and process", "upload"),
        ItemDefinition(7, "使用方法、部位、用量、頻率及族群", "Usage", "form"),
        ItemDefinition(8, "產品使用不良反應資料", "Adverse reaction data", "form"),
        ItemDefinition(9, "產品及各成分之物理及化學特性", "Physico-chemical properties", "lookup"),
        ItemDefinition(10, "成分之毒理資料", "Toxicological data", "lookup"),
        ItemDefinition(11, "產品安定性試驗報告", "Stability test report", "upload"),
        ItemDefinition(12, "微生物檢測報告", "Microbiological test report", "upload"),
        ItemDefinition(13, "防腐效能試驗報告", "Preservative efficacy test report", "upload"),
        ItemDefinition(14, "功能評估佐證資料", "Evidence for efficacy claims", "upload"),
        ItemDefinition(15, "與產品接觸之包裝材質資料", "Packaging material data", "upload"),
        ItemDefinition(16, "產品安全資料", "Product safety assessment", "engine"),
    )
}

# DOMAIN.md: missing -> uploaded -> ai_processing -> ai_draft_ready -> human_reviewed ->
# approved, the fail-soft edge ai_processing -> uploaded, plus what a real workflow needs:
# re-analysis, an operator reviewing without AI, a new file after review, and an SA
# sending an approved item back.
TRANSITIONS: dict[str, frozenset[str]] = {
    "missing": frozenset({"uploaded"}),
    "uploaded": frozenset({"ai_processing", "human_reviewed", "missing"}),
    "ai_processing": frozenset({"ai_draft_ready", "uploaded"}),
    "ai_draft_ready": frozenset({"human_reviewed", "ai_processing", "uploaded"}),
    "human_reviewed": frozenset({"approved", "ai_processing", "uploaded"}),
    "approved": frozenset({"human_reviewed", "uploaded"}),
}
assert set(TRANSITIONS) == set(ITEM_STATUSES)
# Item 14 (evidence for efficacy claims) is needed only for a product that makes such
# claims; the consistency check flags a claim without evidence. Every other item is part
# of every PIF (Article 8 of the Act).
MANDATORY_ITEMS = tuple(n for n in ITEMS if n != 14)
# An item is ready for the SA once the machine or a person has produced its content.
READY_STATUSES = frozenset({"ai_draft_ready", "human_reviewed", "approved"})
# Content keys only software writes (the safety engine's drafts of items 9, 10 and 16).
ENGINE_KEYS = (DRAFT_KIND,)
# Weight of each status in the overall progress (share of the way to approved).
PROGRESS_WEIGHT = {
    "missing": 0.0,
    "uploaded": 0.25,
    "ai_processing": 0.4,
    "ai_draft_ready": 0.6,
    "human_reviewed": 0.85,
    "approved": 1.0,
}


class IllegalTransition(Conflict):
    code = "illegal_transition"


class ItemNotFound(NotFound):
    code = "item_not_found"


def check_item_number(item_number: int) -> ItemDefinition:
    definition = ITEMS.get(item_number)
    if definition is None:
        raise ValidationFailed(
            f"PIF items are numbered 1 to 16, not {item_number}.",
            code="invalid_item_number",
        )
    return definition


def new_documents(org_id: uuid.UUID, product_id: uuid.UUID) -> list[PifDocument]:
    return [
        PifDocument(org_id=org_id, product_id=product_id, item_number=n, status="missing")
        for n in ITEMS
    ]


async def get_documents_for_org(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> list[PifDocument]:
    rows = await session.scalars(
        select(PifDocument)
        .where(PifDocument.product_id == product_id, PifDocument.org_id == org_id)
        .order_by(PifDocument.item_number)
    )
    return list(rows)


async def get_document_for_org(
    session: AsyncSession,
    product_id: uuid.UUID,
    item_number: int,
    org_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> PifDocument:
    if item_number not in ITEMS:
        # A path that names item 17 names a resource that does not exist.
        raise ItemNotFound(
            f"PIF items are numbered 1 to 16: there is no item {item_number}.",
            details={"item_number": item_number},
        )
    query = select(PifDocument).where(
        PifDocument.product_id == product_id,
        PifDocument.item_number == item_number,
        PifDocument.org_id == org_id,
    )
    document = await session.scalar(query.with_for_update() if for_update else query)
    if document is None:
        raise ItemNotFound(f"Product has no item {item_number}.")
    return document


async def transition(
    session: AsyncSession,
    document: PifDocument,
    target: str,
    *,
    actor: Actor | None,
    reason: str | None = None,
    confidence: float | None = None,
    meta: RequestMeta | None = None,
) -> None:
    """The only way an item's status changes. Software (actor None) never approves."""
    allowed = TRANSITIONS[document.status]
    if target not in allowed:
        raise IllegalTransition(
            f"Item {document.item_number} cannot go from {document.status} to {target}.",
            details={"from": document.status, "to": target, "allowed": sorted(allowed)},
        )
    if target == "approved" and (actor is None or actor.role != "sa"):
        raise Forbidden(
            "Only a Safety Assessor may approve a PIF item.",
            details={"required": ["sa"], "role": actor.role if actor else None},
        )
    previous = document.status
    document.status = target
    document.updated_by = actor.id if actor else None
    document.updated_at = datetime.now(UTC)
    if confidence is not None:
        document.confidence = confidence
    document.last_error = reason if target == "uploaded" and previous == "ai_processing" else None
    await audit.record(
        session,
        "pif.item_status_changed",
        org_id=document.org_id,
        actor_id=actor.id if actor else None,
        actor_type="user" if actor else "system",
        resource_type="pif_document",
        resource_id=document.id,
        details={
            "product_id": str(document.product_id),
            "item": document.item_number,
            "from": previous,
            "to": target,
            **({"reason": reason} if reason else {}),
        },
        meta=meta,
    )


def content_model(item_number: int) -> type[BaseModel]:
    """The model an item's content is validated with; items without a form of their own
    (3, whose formula has its own endpoints, 9 and 10) keep free notes and references."""
    return ITEM_CONTENT_SCHEMAS.get(item_number, ITEM_CONTENT_SCHEMAS[0])


@cache
def content_json_schemas() -> dict[int, dict[str, Any]]:
    """Each item's content as JSON Schema (what PUT .../pif/{item} accepts), for clients
    that build the item's form from it. Built once: the models ship with the code."""
    return {n: content_model(n).model_json_schema(mode="validation") for n in ITEMS}


def validate_content(item_number: int, content: dict[str, Any]) -> dict[str, Any]:
    """Per-item schema; items without a form keep free notes and references only."""
    schema = content_model(item_number)
    try:
        return schema.model_validate(content).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        raise ValidationFailed(
            f"Content of item {item_number} is not valid.",
            details=validation_details(exc.errors()),
        ) from exc


def operator_edits(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """A machine-filled field the operator changed becomes the operator's: its provenance
    says so (confidence 1), so a reviewer sees which values a person set."""
    provenance = after.get("provenance")
    if not isinstance(provenance, dict):
        return after
    changed = {
        name: {"confidence": 1.0, "method": "operator", "needs_review": False}
        for name in provenance
        if after.get(name) != before.get(name) and provenance[name].get("method") != "operator"
    }
    return after | {"provenance": provenance | changed} if changed else after


async def update_item(
    session: AsyncSession,
    document: PifDocument,
    *,
    actor: Actor,
    content: dict[str, Any] | None,
    status: str | None,
    meta: RequestMeta,
) -> PifDocument:
    if content is not None:
        # The engine's draft is not the operator's to overwrite: it is kept beside the edit.
        kept = {k: document.content[k] for k in ENGINE_KEYS if k in document.content}
        validated = validate_content(document.item_number, content)
        document.content = operator_edits(document.content, validated) | kept
        document.updated_by = actor.id
        document.updated_at = datetime.now(UTC)
        await audit.record(
            session,
            "pif.item_content_updated",
            org_id=document.org_id,
            actor_id=actor.id,
            resource_type="pif_document",
            resource_id=document.id,
            details={"product_id": str(document.product_id), "item": document.item_number},
            meta=meta,
        )
        # Filling in a form is the form items' "upload".
        if document.status == "missing" and status is None:
            await transition(session, document, "uploaded", actor=actor, meta=meta)
    if status is not None and status != document.status:
        await transition(session, document, status, actor=actor, meta=meta)
    await session.flush()
    return document


async def current_files_for_org(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> dict[int, list[PifFile]]:
    rows = await session.scalars(
        select(PifFile)
        .where(
            PifFile.product_id == product_id,
            PifFile.org_id == org_id,
            PifFile.deleted_at.is_(None),
        )
        .order_by(PifFile.item_number, PifFile.version.desc())
    )
    files: dict[int, list[PifFile]] = {}
    for row in rows:
        files.setdefault(row.item_number, []).append(row)
    return files


def confidence_band(confidence: float | None) -> str | None:
    """DOMAIN.md: >= 0.8 green, 0.5-0.8 yellow, < 0.5 red."""
    if confidence is None:
        return None
    return "green" if confidence >= 0.8 else "yellow" if confidence >= 0.5 else "red"


def progress(documents: list[PifDocument]) -> tuple[float, list[int]]:
    """Overall progress (0-100) and the items blocking submission for review."""
    if not documents:
        return 0.0, []
    share = sum(PROGRESS_WEIGHT[d.status] for d in documents) / len(documents)
    blocking = [
        d.item_number
        for d in documents
        if d.item_number in MANDATORY_ITEMS and d.status not in READY_STATUSES
    ]
    return round(share * 100, 1), blocking
