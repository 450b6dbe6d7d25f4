"""The PIF document's pure parts: the ingredient table's order and labels, the field
tables, and which attachments can be embedded."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from pifai.ai.pif_document.attach import inspect_pdf
from pifai.ai.pif_document.signing import signature_reason
from pifai.ai.pif_document.view import field_rows, fmt_number, ingredient_rows, mos_rows
from tests.factories.pif_document import CORRUPT_PDF, encrypted_pdf, report_pdf


def test_the_ingredient_table_is_sorted_by_concentration_descending() -> None:
    rows = ingredient_rows(
        [
            {"inci": "GLYCERIN", "concentration": 5.0, "tfda_status": []},
            {"inci": "WATER", "concentration": None, "is_balance": True},
            {"inci": "PHENOXYETHANOL", "concentration": 0.8, "tfda_status": ["preservative"]},
            {"inci": "NIACINAMIDE", "concentration": 5.0, "zh_name": "菸鹼醯胺"},
        ]
    )
    assert [r["inci"] for r in rows] == ["GLYCERIN", "NIACINAMIDE", "PHENOXYETHANOL", "WATER"]
    assert rows[3]["concentration"] == "適量（q.s.）"
    assert rows[2]["tfda_status"] == "防腐劑"
    assert rows[0]["tfda_status"] == "未列於 TFDA 管制清單"
    assert rows[1]["zh_name"] == "菸鹼醯胺" and rows[0]["zh_name"] == "—"


def test_form_fields_become_labelled_rows_and_tables() -> None:
    rows = field_rows(
        {
            "standard": "ISO 22716",
            "provenance": {"standard": {"confidence": 0.9}},
            "components": [{"component": "瓶身", "material": "PET", "product_contact": True}],
        }
    )
    labels = [r["label"] for r in rows]
    assert "標準" in labels and "provenance" not in labels
    [table] = [r["table"] for r in rows if "table" in r]
    assert table["columns"] == ["組件", "材質", "直接接觸產品"]
    assert table["rows"] == [["瓶身", "PET", "是"]]


def test_mos_rows_keep_the_ladder_rung_and_the_value() -> None:
    [row] = mos_rows(
        {"ingredients": [{"ingredient": "SALICYLIC ACID", "concentration_pct": 0.5,
                          "rung": "noael", "rung_label_zh": "數值 NOAEL", "mos": 123.456,
                          "status_zh": "可接受", "basis": "NOAEL"}]}
    )  # fmt: skip
    assert row["rung"] == "數值 NOAEL" and row["mos"] == "123.5" and row["status"] == "可接受"


def test_numbers_are_written_out_to_four_significant_digits() -> None:
    assert fmt_number(16570.2) == "16,570" and fmt_number(1243.4) == "1,243"
    assert fmt_number(0.06035) == "0.06035" and fmt_number(5.0) == "5"
    assert fmt_number(0.0000025) == "2.5e-06" and fmt_number(None) == "—"


def test_which_attachments_can_be_embedded(tmp_path: Path) -> None:
    good, bad, locked, owner_only = (tmp_path / n for n in ("g.pdf", "b.pdf", "l.pdf", "o.pdf"))
    good.write_bytes(report_pdf("Report", 3))
    bad.write_bytes(CORRUPT_PDF)
    locked.write_bytes(encrypted_pdf())
    document = FPDF()
    document.set_encryption(owner_password="owner")  # no user password: opens for reading
    document.add_page()
    owner_only.write_bytes(bytes(document.output()))
    assert inspect_pdf(good) == (3, None)
    pages, reason = inspect_pdf(bad)
    assert pages == 0 and reason is not None and "損毀" in reason
    pages, reason = inspect_pdf(locked)
    assert pages == 0 and reason is not None and "密碼" in reason
    assert inspect_pdf(owner_only) == (1, None)


def test_the_signature_reason_names_the_assessor_and_the_snapshot() -> None:
    reason = signature_reason("王安評", "ab" * 32)
    assert "王安評" in reason and "ab" * 32 in reason
