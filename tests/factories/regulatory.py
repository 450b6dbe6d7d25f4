"""Regulatory test data: CosIng annex exports in the Commission's column layout, and
list entries built from a few fields."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.regulatory import RegEntry
from pifai.core.tenancy import scope_session
from pifai.models.compliance import ComplianceAlert
from pifai.models.organization import Organization
from pifai.models.regulatory import RegulatoryImport

HEADER = [
    "Reference number", "Chemical name / INN", "Name of Common Ingredients Glossary", "CAS Number",
    "EC Number", "Product Type, body parts", "Maximum concentration in ready for use preparation",
    "Other", "Wording of conditions of use and warnings", "Regulation", "Regulated By",
    "Other Directives/Regulations", "SCCS opinions", "Chemical/IUPAC Name",
    "Identified INGREDIENTS or substances e.g.", "CMR", "Update date",
]  # fmt: skip
ALLERGEN = (
    "The presence of the substance must be indicated in the list of ingredients referred to in "
    "Article 19(1)(g) when its concentration exceeds: — 0,001 % in leave -on products — 0,01 % "
    "in rinse-off products"
)


def cosing_csv(
    annex: str,
    title: str,
    rows: list[list[str]],
    last_update: str = "10/08/2015",
    created: str = "20/02/2016",
) -> str:
    """A file shaped like the Commission's CosIng annex export (preamble, two header rows)."""
    out = io.StringIO()
    out.write(f"sep=,\n\nFile creation date: {created}\n")
    out.write(f"Annex {annex},Last update: {last_update}\n{title}\n\n")
    out.write("Substance identification,Conditions\n\n")
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(row + [""] * (len(HEADER) - len(row)))
    return out.getvalue()


def row(ref: str, chem: str, inci: str, cas: str, types: str, maximum: str, other: str = "",
        warnings: str = "", update: str = "16/10/2010") -> list[str]:  # fmt: skip
    return [ref, chem, inci, cas, "", types, maximum, other, warnings, "(EC) No 1223/2009", "", "",
            "", "", inci.replace(" / ", ";"), "", update]  # fmt: skip


ANNEX_V_ROWS = [
    row(
        "1",
        "Benzoic acid and its sodium salt",
        "BENZOIC ACID / SODIUM BENZOATE",
        "65-85-0 / 532-32-1",
        "a) Rinse -off products, except oral care products b) Oral care products "
        "c) Leave-on products",
        "a) 2.5% (acid) b) 1.7% (acid) c) 0.5% (acid) ",
        update="25/10/2010",
    ),
    row(
        "3",
        "Salicylic acid and its salts",
        "SALICYLIC ACID",
        "69-72-7",
        "",
        "0.5% (acid)",
        "Not to be used in products for children under 3 years of age, except for shampoos",
        "Not to be used for children under 3 years of age",
    ),
    row("6", "Moved or deleted", "", "", "", ""),
    row("29", "2 -Phenoxyethanol", "PHENOXYETHANOL", "122-99-6", "", "1.0%"),
    row(
        "43",
        "1 -Phenoxypropan-2-ol",
        "PHENOXYISOPROPANOL",
        "770-35-4",
        "Only for rinse -off products",
        "1.0%",
        update="09/11/2010",
    ),
    row(
        "24",
        "Chlorocresol",
        "P-CHLORO-M-CRESOL",
        "59-50-7",
        "Not to be used in products applied on mucous membranes",
        "0.2%",
    ),
]
ANNEX_III_ROWS = [
    row("72", "Hydroxycitronellal", "HYDROXYCITRONELLAL", "107-75-5",
        "(a) Oral products (b) Other products",
        "(b) 1,0 %", "(a) (b) " + ALLERGEN, update="14/05/2013"),
    # Disclosure clause and a real limit mixed in the same cell.
    row("73", "Isoeugenol", "ISOEUGENOL", "97-54-1 --  5932-68-3",
        "(a) Oral products (b) Other products",
        "b) 0,02 % " + ALLERGEN, update="14/05/2013"),
    row("84", "Linalool", "LINALOOL", "78-70-6", "", "", ALLERGEN.replace("(g)", "g")),
    row("98", "Benzoic acid, 2 -hydroxy-", "SALICYLIC ACID", "69-72-7",
        "(a) Rinse -off hair products (b) Other products", "(a) 3.0% (b) 2.0%",
        "Not to be used in preparations for children under 3 years of age, except for shampoos "
        "For purposes other than inhibiting the development of micro -organisms in the product."),
    row("66", "Polyacrylamides", "", "", "(a) Body leave -on products (b) Other products", "",
        "(a) Maximum residual acrylamide content 0.1mg/kg "
        "(b) Maximum residual acrylamide content 0.5mg/kg"),
    row("999", "Test substance in mg/kg", "TEST SUBSTANCE", "50-00-0", "", "50 mg/kg"),
]  # fmt: skip


def by_ref(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(r["entry_ref"]): r for r in records}


def reg_entry(**overrides: Any) -> RegEntry:
    """A TFDA restriction of "Testium" (CAS 7732-18-5) with no rule, changed by
    ``overrides``: record fields, or rule fields (limits, scope, disclosure...)."""
    record: dict[str, Any] = {
        "authority": "TFDA",
        "list_type": "restricted",
        "entry_ref": "No. 1",
        "name": "Testium",
        "names": ["Testium"],
        "cas": ["7732-18-5"],
        "rule": {},
        "source": {"document": "test list", "date": "2024-01-01"},
        "verified": True,
    }
    rule_fields = {k: v for k, v in overrides.items() if k not in record}
    record.update({k: v for k, v in overrides.items() if k in record})
    record["rule"] = {**record["rule"], **rule_fields}
    return RegEntry.from_record(record)


async def create_alert(session: AsyncSession, org: Organization) -> ComplianceAlert:
    """A compliance alert of a new product of ``org``, after a recorded (empty) import."""
    from tests.factories.products import create_product

    product = await create_product(session, org)
    now = datetime.now(UTC)
    run = RegulatoryImport(
        id=uuid.uuid4(), source="cosing", authority="EU", list_type="preservative",
        scope="cosing:Annex V", status="done", added=0, removed=0, changed=0, unchanged=0,
        report={}, started_at=now, finished_at=now,
    )  # fmt: skip
    session.add(run)
    await session.flush()
    await scope_session(session, org.id)
    alert = ComplianceAlert(
        org_id=org.id, product_id=product.id, import_id=run.id, findings=[], changes=[],
        data_version="test", store_version="test",
    )  # fmt: skip
    session.add(alert)
    await session.flush()
    return alert
