"""Per-item extraction from report texts, the content's schema, and the merge that
keeps what a person set."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bench.fixtures.report_texts import REPORTS, ReportText
from pifai.ai.report_facts import (
    REPORT_ITEMS,
    extract_report,
    filled_share,
    mean_confidence,
    merge_content,
)
from pifai.schemas.pif_content import ITEM_CONTENT_SCHEMAS

DATE_FIELDS = {"notified_on", "valid_from", "valid_until", "test_date", "issued_on"}


def _values(values: dict[str, Any]) -> dict[str, Any]:
    for name in DATE_FIELDS & set(values):
        assert isinstance(values[name], date)  # dates are dates, JSON-dumped by the schema
    return values


def test_every_report_item_has_documents_in_both_languages() -> None:
    assert REPORT_ITEMS == (2, 5, 11, 12, 13, 15)
    assert sorted({r.item for r in REPORTS}) == list(REPORT_ITEMS)
    assert all(sum(1 for r in REPORTS if r.item == n) == 2 for n in REPORT_ITEMS)


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_each_report_gives_its_fields_with_provenance(report: ReportText) -> None:
    extraction = extract_report(report.item, list(report.pages), report.name)
    values = _values(extraction.values)
    assert {k: values.get(k) for k in report.expected} == report.expected
    content = extraction.content()
    # Valid content for the item's schema, every field with where it was read.
    ITEM_CONTENT_SCHEMAS[report.item].model_validate(content)
    assert set(content["provenance"]) == set(extraction.values)
    for entry in content["provenance"].values():
        assert entry["method"] == "rule"
        assert entry["source"].startswith(f"{report.name}, page ")
        assert 0 < entry["confidence"] <= 1
        assert entry["needs_review"] is (entry["confidence"] < 0.9)
    assert extraction.confidence is not None and extraction.confidence >= 0.7
    assert filled_share(extraction) >= 0.75


def test_the_source_names_the_page_and_quotes_the_text() -> None:
    [report] = [r for r in REPORTS if r.name == "stability_en.pdf"]
    extraction = extract_report(11, list(report.pages), report.name)
    assert (
        extraction.sources["test_date"].source
        == "stability_en.pdf, page 1: 'Test date: 2024-05-02'"
    )
    assert extraction.sources["conditions"].source.startswith("stability_en.pdf, page 2: ")


def test_a_failing_chinese_report_fails_though_most_rows_pass() -> None:
    [report] = [r for r in REPORTS if r.name == "微生物檢驗報告.docx"]
    extraction = extract_report(12, list(report.pages), report.name)
    assert extraction.values["passed"] is False
    assert extraction.sources["passed"].source.endswith("'判定:不合格'")


def test_a_microbial_report_without_conclusion_is_judged_by_its_rows() -> None:
    rows = "總生菌數 | ≤100 CFU/g | <10 CFU/g | 合格\n綠膿桿菌 | 不得檢出 | 檢出 | 不合格\n"
    extraction = extract_report(12, [rows])
    assert extraction.values["passed"] is False
    assert extraction.sources["passed"].confidence < 0.9


@pytest.mark.parametrize(
    ("line", "criterion", "passed"),
    [
        ("Evaluation: meets criteria A of ISO 11930", "A", True),
        ("判定結果：符合 A 標準", "A", True),
        ("Conclusion: does not meet criteria A", None, False),
        ("判定結果：未符合 A 標準，符合 B 標準", "B", None),  # B: for the reviewer
    ],
)
def test_challenge_test_criterion(line: str, criterion: str | None, passed: bool | None) -> None:
    extraction = extract_report(13, [f"ISO 11930 challenge test\n{line}"])
    assert extraction.values.get("criterion") == criterion
    assert extraction.values.get("passed") == passed
    assert extraction.values["standard"] == "ISO 11930"


def test_a_certificate_expiring_before_it_was_issued_keeps_neither_date() -> None:
    text = "ISO 22716\nIssue date: 2024-01-15\nExpiry date: 2023-01-14"
    extraction = extract_report(5, [text])
    assert "valid_from" not in extraction.values and "valid_until" not in extraction.values
    assert extraction.notes and "before the issue date" in extraction.notes[0]
    ITEM_CONTENT_SCHEMAS[5].model_validate(extraction.content())


def test_text_without_facts_gives_nothing() -> None:
    extraction = extract_report(11, ["Thank you for your order.", ""])
    assert extraction.values == {} and extraction.confidence is None


def test_merge_keeps_an_operator_field_and_replaces_an_old_reading() -> None:
    existing = {
        "laboratory": "Lab typed by the operator",
        "report_number": "OLD-1",
        "method": "old method",
        "provenance": {
            "laboratory": {"confidence": 1.0, "method": "operator", "needs_review": False},
            "report_number": {"confidence": 0.9, "method": "rule", "source": "old.pdf"},
            "method": {"confidence": 0.9, "method": "rule", "source": "old.pdf"},
        },
        "result": "a note without provenance, written by hand",
    }
    extracted = {
        "laboratory": "Lab read from the file",
        "report_number": "NEW-2",
        "result": "Pass",
        "provenance": {
            "laboratory": {"confidence": 0.9, "method": "rule", "source": "new.pdf"},
            "report_number": {"confidence": 0.9, "method": "rule", "source": "new.pdf"},
            "result": {"confidence": 0.9, "method": "rule", "source": "new.pdf"},
        },
    }
    merged = merge_content(existing, extracted)
    assert merged["laboratory"] == "Lab typed by the operator"
    assert merged["provenance"]["laboratory"]["method"] == "operator"
    assert merged["report_number"] == "NEW-2"
    assert merged["provenance"]["report_number"]["source"] == "new.pdf"
    assert "method" not in merged and "method" not in merged["provenance"]  # said no more
    assert merged["result"] == "a note without provenance, written by hand"
    assert "result" not in merged["provenance"]
    ITEM_CONTENT_SCHEMAS[11].model_validate(merged)
    assert mean_confidence(merged) == pytest.approx((1.0 + 0.9) / 2)
