"""What a PIF document is rendered from, loaded for one product and one version: the
working draft V0 through the same ``snapshot_of`` that signing freezes, a signed version
from its stored snapshot. Compliance findings, consistency alerts and the expiry summary
are computed from that snapshot, on the document's date (from the data, not the clock)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.consistency import FormulaLine, PifSnapshot, check_consistency
from pifai.ai.pif_document.attach import inspect_pdf
from pifai.ai.pif_document.model import Attachment, AttachmentKind, DocumentData, VersionInfo
from pifai.ai.regulatory import CheckResult, FormulaItem
from pifai.core.errors import NotFound
from pifai.models.ingredient import ProductIngredient
from pifai.models.pif import PifDocument, PifFile
from pifai.models.pif_version import PifVersion
from pifai.models.product import Product
from pifai.services.consistency import formula_aliases, required_warnings, toxicology_covered
from pifai.services.encryption import KeyRing
from pifai.services.members import get_org
from pifai.services.pif.expiry import expiring
from pifai.services.pif.files import read_plaintext
from pifai.services.pif.versions import list_versions, snapshot_of
from pifai.services.products import get_product_for_org
from pifai.services.reference import ReferenceData
from pifai.services.storage import Storage

_IMAGES = frozenset({"image/png", "image/jpeg"})


class VersionNotFound(NotFound):
    code = "version_not_found"


def _kind(content_type: str) -> AttachmentKind:
    if content_type == "application/pdf":
        return "pdf"
    return "image" if content_type in _IMAGES else "other"


async def _live_date(session: AsyncSession, product: Product, org_id: uuid.UUID) -> datetime:
    """The working draft's date: its newest change (product, items, formula, files)."""
    latest = [product.updated_at]
    for column, where in (
        (PifDocument.updated_at, PifDocument.product_id == product.id),
        (ProductIngredient.updated_at, ProductIngredient.product_id == product.id),
        (PifFile.created_at, PifFile.product_id == product.id),
    ):
        value = await session.scalar(
            select(func.max(column)).where(where, column.table.c.org_id == org_id)
        )
        if value is not None:
            latest.append(value)
    return max(latest)


async def get_version_for_org(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID, number: int
) -> PifVersion:
    row = await session.scalar(
        select(PifVersion).where(
            PifVersion.product_id == product_id,
            PifVersion.org_id == org_id,
            PifVersion.number == number,
        )
    )
    if row is None or (number > 0 and row.snapshot is None):
        raise VersionNotFound(f"The product has no version {number}.")
    return row


def version_info(row: PifVersion) -> VersionInfo:
    return VersionInfo(
        number=row.number,
        status=row.status,
        signed_at=row.signed_at,
        signer_name=row.signer_name,
        qualification_ref=row.qualification_ref,
        snapshot_sha256=row.snapshot_sha256,
    )


async def _files(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID, snapshot: dict[str, Any]
) -> dict[int, PifFile]:
    """Per item, the newest stored file among those the snapshot lists (by hash)."""
    wanted = {int(n): set(item.get("file_sha256") or []) for n, item in snapshot["items"].items()}
    hashes = set().union(*wanted.values()) if wanted else set()
    if not hashes:
        return {}
    rows = await session.scalars(
        select(PifFile)
        .where(
            PifFile.product_id == product_id,
            PifFile.org_id == org_id,
            PifFile.sha256.in_(hashes),
        )
        .order_by(PifFile.item_number, PifFile.version.desc())
    )
    chosen: dict[int, PifFile] = {}
    for row in rows:
        if row.sha256 in wanted.get(row.item_number, set()):
            chosen.setdefault(row.item_number, row)
    return chosen


async def _copy_attachment(
    storage: Storage, keyring: KeyRing, record: PifFile, workdir: Path
) -> Attachment:
    """The file's plaintext streamed to a temporary file, then checked (PDFs)."""
    kind = _kind(record.content_type)
    base = Attachment(
        item=record.item_number,
        filename=record.original_filename,
        version=record.version,
        sha256=record.sha256,
        content_type=record.content_type,
        kind=kind,
    )
    if kind == "other":
        return base
    path = workdir / f"attachment-{record.item_number:02d}-{record.version}"
    try:
        with path.open("wb") as handle:
            async for chunk in await read_plaintext(storage, keyring, record):
                handle.write(chunk)
    except Exception as exc:  # missing or damaged in storage: listed, not fatal
        return replace(base, error=f"儲存之檔案無法讀取（{type(exc).__name__}）")
    if kind == "image":
        return replace(base, path=path)
    pages, error = inspect_pdf(path)
    return replace(base, path=path, pages=pages, error=error)


def _tfda_lists(check: CheckResult) -> dict[str, list[str]]:
    lists: dict[str, set[str]] = {}
    for resolution in check.resolved:
        for entry in resolution.entries:
            if entry.authority == "TFDA":
                lists.setdefault(resolution.input, set()).add(entry.list_type)
    return {name: sorted(values) for name, values in lists.items()}


async def load_document_data(
    session: AsyncSession,
    product_id: uuid.UUID,
    org_id: uuid.UUID,
    number: int,
    *,
    reference: ReferenceData,
    storage: Storage,
    keyring: KeyRing,
    workdir: Path,
) -> DocumentData:
    product = await get_product_for_org(session, product_id, org_id)
    row = await get_version_for_org(session, product.id, org_id, number)
    if number == 0:
        snapshot = await snapshot_of(session, product, org_id)
        generated_at = await _live_date(session, product, org_id)
    else:
        assert row.snapshot is not None and row.signed_at is not None
        snapshot, generated_at = row.snapshot, row.signed_at
    fields = snapshot["product"]
    formula_rows = list(snapshot["formula"])
    formula = [
        FormulaItem(
            name=r.get("inci") or r.get("raw_name"),
            cas=r.get("cas"),
            concentration_pct=r.get("concentration"),
            function=r.get("function"),
        )
        for r in formula_rows
    ]
    store = await reference.snapshot(session)
    check = store.check(
        formula,
        str(fields.get("product_type")),
        children_under_3=bool(fields.get("children_under_3")),
    )
    dictionary = await reference.dictionary(session)
    lists = _tfda_lists(check)
    for r, item in zip(formula_rows, formula, strict=True):
        name = item.name or ""
        entry = dictionary.match(name).entry if name else None
        # The operator's Chinese name, else the curated one, else the one derived from
        # the IECIC list.
        zh = (entry.zh_names or entry.derived_zh) if entry is not None else ()
        r["zh_name"] = r.get("zh_name") or (zh[0] if zh else None)
        r["tfda_status"] = lists.get(name, [])
    contents = {int(n): dict(i.get("content") or {}) for n, i in snapshot["items"].items()}
    lines = [
        FormulaLine(
            label=item.name or item.cas or r["raw_name"],
            concentration_pct=r.get("concentration"),
            function=r.get("function"),
            aliases=formula_aliases(
                ProductIngredient(inci=r.get("inci"), raw_name=r["raw_name"]), dictionary
            ),
        )
        for item, r in zip(formula, formula_rows, strict=True)
    ]
    alerts = check_consistency(
        PifSnapshot(
            product_name=str(fields.get("name") or ""),
            product_name_en=fields.get("name_en"),
            items=contents,
            formula=lines,
            findings=check.findings,
            required_warnings=required_warnings(check),
            toxicology_covered=toxicology_covered(contents.get(10, {})),
            today=generated_at.date(),
        )
    )
    expiry = expiring(product.id, str(fields.get("name") or ""), contents, generated_at.date())
    attachments: dict[int, list[Attachment]] = {}
    for item_number, record in sorted(
        (await _files(session, product.id, org_id, snapshot)).items()
    ):
        attachments[item_number] = [await _copy_attachment(storage, keyring, record, workdir)]
    item16 = (contents.get(16) or {}).get("engine_draft") or {}
    data_versions = {"regulatory": store.version, **(item16.get("data_versions") or {})}
    history = [version_info(v) for v in await list_versions(session, product.id, org_id)]
    org = await get_org(session, org_id)
    return DocumentData(
        organisation=org.name,
        version=version_info(row),
        generated_at=generated_at,
        product=dict(fields),
        items={
            int(n): {
                "status": i.get("status"),
                "confidence": i.get("confidence"),
                "content": i.get("content") or {},
            }
            for n, i in snapshot["items"].items()
        },
        formula=formula_rows,
        findings=[f.to_dict() for f in check.findings],
        alerts=[a.to_dict() for a in alerts],
        expiry=[
            {
                "item_number": e.item_number,
                "due_on": e.due_on.isoformat(),
                "days_left": e.days_left,
                "message_zh": e.message_zh,
            }
            for e in expiry
        ],
        history=history,
        attachments=attachments,
        data_versions={k: str(v) for k, v in data_versions.items()},
    )
