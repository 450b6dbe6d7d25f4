"""What a claims check reads: the label (typed, from item 4's upload, or item 4's saved
content) and the formula's side (the rows for appendix 3, the TFDA warnings its
ingredients require, the generated ingredient list)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.claims import (
    Allergen,
    ClaimContext,
    FormulaRow,
    GeneratedList,
    GenRow,
    LabelMark,
    LabelReading,
    generate,
    read_label,
)
from pifai.ai.claims.ingredient_list import CI_NUMBER
from pifai.ai.claims.label_llm import read_label_image
from pifai.ai.consistency.model import RequiredWarning
from pifai.ai.ingredient_validator import IngredientDictionary
from pifai.ai.llm import build_client, llm_enabled
from pifai.ai.regulatory import CheckResult
from pifai.core.errors import Conflict, ValidationFailed
from pifai.models.ingredient import ProductIngredient
from pifai.models.pif import DocumentText, PifDocument, PifFile
from pifai.models.product import Product
from pifai.schemas.claims import ClaimsCheckIn
from pifai.services.compliance import check_formula_of, product_formula
from pifai.services.consistency import formula_aliases, required_warnings
from pifai.services.ingredients.formula import list_product_ingredients
from pifai.services.pif.files import current_file_of_document, extract_pages, read_plaintext
from pifai.services.pif.items import get_document_for_org, get_documents_for_org
from pifai.services.pif.uploads import FileKind, mime_type
from pifai.services.reference import ReferenceData
from pifai.services.runtime import Runtime

LABEL_ITEM = 4
EVIDENCE_ITEM = 14
# Fields of item 4's content that are fields of the reading.
_ITEM4_FIELDS = (
    "product_name", "use", "usage", "storage", "net_content", "manufacturer", "importer",
    "address", "phone", "origin", "manufacture_date", "expiry_date", "shelf_life", "batch",
)  # fmt: skip
# The product's SCCS category (pifai/data/toxicology/exposure.json) as the appendix 2 kind
# of the determination rule its phrases are listed under; a request's ``kind`` wins.
SCCS_TO_KIND: dict[str, int] = {
    "shampoo": 1, "shower_gel": 3, "hair_styling": 5, "hair_conditioner": 5,
    "body_lotion": 6, "face_cream": 6, "hand_cream": 6, "deodorant_non_spray": 8,
    "deodorant_spray": 8, "lipstick": 9, "liquid_foundation": 10, "toothpaste": 14,
    "mouthwash": 14,
}  # fmt: skip
_TEXT_KINDS = frozenset({mime_type(FileKind.pdf), mime_type(FileKind.docx)})
_IMAGE_KINDS = frozenset({mime_type(FileKind.png), mime_type(FileKind.jpeg)})


def _overlay(reading: LabelReading, content: dict[str, Any]) -> LabelReading:
    """Item 4's structured fields over the reading of its text: a field a person (or an
    earlier reading) set is what the label says."""
    for name in _ITEM4_FIELDS:
        if content.get(name):
            setattr(reading, name, content[name])
    for name in ("ingredient_list", "warnings", "claims"):
        if content.get(name):
            setattr(reading, name, list(content[name]))
    reading.marks += [
        LabelMark(m["name"], bool(m.get("image_only"))) for m in content.get("marks") or []
    ]
    return reading


async def _file_text(
    session: AsyncSession, runtime: Runtime, record: PifFile
) -> tuple[str, dict[str, Any]]:
    where = {"file_id": str(record.id), "version": record.version, "sha256": record.sha256,
             "filename": record.original_filename}  # fmt: skip
    rows = await session.scalars(
        select(DocumentText.text)
        .where(DocumentText.file_id == record.id, DocumentText.org_id == record.org_id)
        .order_by(DocumentText.page)
    )
    pages = list(rows)
    if not pages and record.content_type in _TEXT_KINDS:
        data = bytearray()
        async for chunk in await read_plaintext(runtime.storage, runtime.keyring, record):
            data += chunk
        pages = await asyncio.to_thread(extract_pages, bytes(data), record.content_type)
    if any(p.strip() for p in pages):
        return "\n".join(pages), where | {"method": "rule", "confidence": 1.0}
    raise ValidationFailed(
        f"{record.original_filename or 'The file'} has no text layer: type or paste the "
        "label text, or upload a PDF with text.",
        code="label_has_no_text",
    )


async def _image_reading(runtime: Runtime, record: PifFile) -> tuple[LabelReading, dict[str, Any]]:
    settings = runtime.settings
    client = (
        build_client(settings, transport=runtime.llm_transport) if llm_enabled(settings) else None
    )
    if client is None:
        raise ValidationFailed(
            "Item 4's file is an image: reading it needs the LLM layer (ANTHROPIC_API_KEY). "
            "Type or paste the label text instead.",
            code="label_image_needs_llm",
        )
    data = bytearray()
    async for chunk in await read_plaintext(runtime.storage, runtime.keyring, record):
        data += chunk
    async with client:
        read = await read_label_image(client, bytes(data), model=settings.llm_model)
    if read is None:
        raise Conflict("The LLM could not read the label image; type or paste its text.",
                       code="label_image_unread")  # fmt: skip
    text, marks, confidence = read
    where = {"file_id": str(record.id), "version": record.version, "sha256": record.sha256,
             "filename": record.original_filename, "method": "llm",
             "confidence": confidence, "needs_review": True}  # fmt: skip
    return read_label(text, marks=marks), where


async def label_reading(
    session: AsyncSession, runtime: Runtime, product: Product, org_id: uuid.UUID,
    body: ClaimsCheckIn,
) -> tuple[LabelReading, dict[str, Any]]:  # fmt: skip
    """The label as read, and how it was read."""
    document = await get_document_for_org(session, product.id, LABEL_ITEM, org_id)
    content = dict(document.content or {})
    marks = [LabelMark(m.name, m.image_only) for m in body.marks]
    if body.label_text is not None:
        reading, source = read_label(body.label_text), {"method": "operator"}
    elif body.from_upload:
        record = await current_file_of_document(session, document.id, org_id)
        if record is None:
            raise ValidationFailed("Item 4 has no file: upload the label or type its text.",
                                   code="label_not_uploaded")  # fmt: skip
        if record.content_type in _IMAGE_KINDS:
            reading, source = await _image_reading(runtime, record)
        else:
            text, source = await _file_text(session, runtime, record)
            reading = read_label(text)
    else:
        reading = _overlay(read_label(str(content.get("label_text") or "")), content)
        source = {"method": "item_4_content"}
    reading.claims += [c for c in body.claims if c not in reading.claims]
    reading.marks += marks
    return reading, source


def _allergen(resolution_entries: Any) -> Allergen | None:
    for entry in resolution_entries:
        if entry.disclosure is not None:
            return Allergen(entry.disclosure.leave_on_pct, entry.disclosure.rinse_off_pct,
                            entry.entry_ref, entry.citation)  # fmt: skip
    return None


def _gen_row(row: ProductIngredient, entries: Any, dictionary: IngredientDictionary) -> GenRow:
    entry = dictionary.match(row.inci or row.raw_name).entry
    names = [row.inci, *(entry.synonyms if entry else ())]
    ci = next((f"CI {m.group(1)}" for n in names if n and (m := CI_NUMBER.match(n.strip()))), None)
    return GenRow(
        inci=row.inci or row.raw_name,
        concentration_pct=row.concentration,
        function=row.function,
        zh_name=row.zh_name or (entry.zh_names[0] if entry and entry.zh_names else None),
        ci_number=ci,
        allergen=_allergen(entries),
        aliases=formula_aliases(row, dictionary),
    )


async def formula_side(
    session: AsyncSession, product: Product, org_id: uuid.UUID, reference: ReferenceData,
    *, chinese: bool,
) -> tuple[list[FormulaRow], list[RequiredWarning], GeneratedList | None]:  # fmt: skip
    _, formula = await product_formula(session, product.id, org_id)
    rows = await list_product_ingredients(session, product.id, org_id)
    if not rows:
        return [], [], None
    check: CheckResult
    check, _ = await check_formula_of(session, product, formula, reference)
    dictionary = await reference.dictionary(session)
    entries = [r.entries for r in check.resolved]
    gen_rows = [_gen_row(row, e, dictionary) for row, e in zip(rows, entries, strict=True)]
    generated = generate(gen_rows, product.product_type, chinese=chinese)
    formula_rows = [FormulaRow(r.inci or r.raw_name, r.concentration) for r in rows]
    return formula_rows, required_warnings(check), generated


async def evidence_claims(session: AsyncSession, product: Product, org_id: uuid.UUID) -> list[str]:
    """Item 14's claims that have evidence (a description or a file)."""
    documents: list[PifDocument] = await get_documents_for_org(session, product.id, org_id)
    item14 = next((d.content or {} for d in documents if d.item_number == EVIDENCE_ITEM), {})
    return [
        str(c.get("claim"))
        for c in item14.get("claims") or []
        if c.get("claim") and (c.get("evidence") or c.get("file_ids"))
    ]


async def claim_context(
    session: AsyncSession, product: Product, org_id: uuid.UUID, reading: LabelReading,
    formula: list[FormulaRow], kind: int | None,
) -> ClaimContext:  # fmt: skip
    return ClaimContext(
        kind=kind if kind is not None else SCCS_TO_KIND.get(product.sccs_category or ""),
        formula=tuple(formula),
        evidence=tuple(await evidence_claims(session, product, org_id)),
        label_text="\n".join([reading.label_text, *reading.warnings, *reading.claims]),
    )
