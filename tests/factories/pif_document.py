"""A product with every PIF item filled, its formula assessed, and attached files."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.models.ingredient import ProductIngredient
from pifai.models.product import Product
from pifai.services.compliance import product_formula
from pifai.services.pif.items import get_documents_for_org
from pifai.services.runtime import Runtime
from pifai.services.safety.assessment import record_assessment
from pifai.services.safety.drafts import build_drafts, write_drafts
from tests.factories.auth import Tenant
from tests.factories.products import create_product

PRODUCT_NAME = "玫瑰保濕精華液"
FORMULA: tuple[tuple[str, str | None, float | None, str], ...] = (
    ("WATER", "7732-18-5", None, "溶劑"),
    ("GLYCERIN", "56-81-5", 5.0, "保濕劑"),
    ("SALICYLIC ACID", "69-72-7", 0.5, "角質調理"),
    ("PHENOXYETHANOL", "122-99-6", 0.8, "防腐劑"),
    ("NIACINAMIDE", "98-92-0", 2.0, "護膚"),
)
CONTENT: dict[int, dict[str, Any]] = {
    1: {"name": PRODUCT_NAME, "name_en": "Rose Hydrating Serum", "dosage_form": "精華液"},
    2: {"notification_number": "1234567890", "notified_on": "2026-08-01"},
    4: {"product_name": PRODUCT_NAME, "warnings": ["避免接觸眼睛"], "net_content": "30 mL"},
    5: {"standard": "ISO 22716", "certificate_number": "GMP-001", "valid_until": "2027-03-01"},
    6: {"stages": [{"name": "乳化", "steps": ["加熱至 75°C"], "max_temperature_c": 75}]},
    7: {"method": "取適量塗抹於臉部", "body_sites": ["臉部"], "target_population": "成人"},
    8: {"has_reports": False, "statement": "上市以來無不良反應報告。"},
    11: {"laboratory": "安定性實驗室", "report_number": "ST-1", "test_date": "2026-05-02"},
    12: {"laboratory": "微生物實驗室", "report_number": "MB-1", "test_date": "2026-05-02"},
    13: {"standard": "ISO 11930", "criterion": "A", "test_date": "2026-05-02"},
    14: {"claims": [{"claim": "保濕", "evidence_type": "clinical"}]},
    15: {"components": [{"component": "瓶身", "material": "PET", "material_class": "plastic"}]},
}


def report_pdf(label: str, pages: int) -> bytes:
    """A PDF of ``pages`` pages, each saying "<label> page N"."""
    document = FPDF()
    for number in range(1, pages + 1):
        document.add_page()
        document.set_font("helvetica", size=20)
        document.cell(text=f"{label} page {number}")
    return bytes(document.output())


def encrypted_pdf() -> bytes:
    document = FPDF()
    document.set_encryption(owner_password="owner", user_password="secret")
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text="secret report")
    return bytes(document.output())


CORRUPT_PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 9 0 R>>\nthis is not a pdf\n%%EOF\n"


async def filled_product(
    session: AsyncSession, runtime: Runtime, tenant: Tenant, **overrides: Any
) -> Product:
    """The product, its formula, every item's content and the engine's 9/10/16 drafts."""
    product = await create_product(
        session, tenant.org, name=PRODUCT_NAME, name_en="Rose Hydrating Serum", **overrides
    )
    for order, (inci, cas, concentration, function) in enumerate(FORMULA):
        session.add(
            ProductIngredient(
                org_id=tenant.org.id,
                product_id=product.id,
                raw_name=inci.title(),
                inci=inci,
                cas=cas,
                concentration=concentration,
                is_balance=concentration is None,
                function=function,
                sort_order=order,
                source="operator",
            )
        )
    await session.flush()
    for document in await get_documents_for_org(session, product.id, tenant.org.id):
        if document.item_number in CONTENT:
            document.content = CONTENT[document.item_number]
            document.status = "human_reviewed"
            document.confidence = 0.9
    row = await record_assessment(session, product.id, tenant.org.id, runtime.reference)
    _, formula = await product_formula(session, product.id, tenant.org.id)
    drafts = await build_drafts(
        session, product, formula, row.result, str(row.id), runtime.settings
    )
    await write_drafts(session, product.id, tenant.org.id, drafts)
    await session.flush()
    return product
