"""The label reader and the Art 7 elements, on three Taiwanese labels written for these
tests (tests/unit/claims_labels.py)."""

from __future__ import annotations

import json
from pathlib import Path

from pifai.ai.claims import ClaimContext, check_label, read_label
from pifai.ai.claims.elements import check_elements, check_required_warnings, element_specs
from pifai.ai.consistency.model import RequiredWarning
from tests.unit.claims_labels import CLEAN, MEDICAL, MISSING_TWO, summary

DATA = Path(__file__).resolve().parents[2] / "pifai" / "data"


def test_the_reader_keeps_every_field_in_label_order() -> None:
    reading = read_label(CLEAN)
    assert reading.product_name == "玫瑰保濕乳液"
    assert reading.net_content == "100 mL"
    # The list runs on over the next line; 1,2-style commas would not split a name.
    assert reading.ingredient_list == [
        "Water", "Glycerin", "Butylene Glycol", "Caprylic/Capric Triglyceride", "Niacinamide",
        "Phenoxyethanol", "Parfum", "Linalool",
    ]  # fmt: skip
    assert reading.manufacturer == "美研生技股份有限公司"
    assert (reading.manufacture_date, reading.shelf_life, reading.batch) == (
        "2026/03/01", "3年", "RS260301"
    )  # fmt: skip
    # Lines under no heading are kept (they are the label's claims).
    assert reading.other_text == [
        "使用時散發淡淡玫瑰香氣，可舒緩您的壓力",
        "使肌膚留住水分，維持肌膚彈性",
    ]


def test_a_label_missing_two_elements_reports_exactly_those_two() -> None:
    statuses = {e.key: e.status for e in check_elements(read_label(MISSING_TWO))}
    assert sorted(k for k, s in statuses.items() if s == "missing") == ["batch", "net_content"]
    assert all(s in ("present", "not_required") for k, s in statuses.items()
               if k not in ("batch", "net_content"))  # fmt: skip


def test_each_element_cites_its_subparagraph_and_shows_the_text_found() -> None:
    elements = {e.key: e for e in check_elements(read_label(MEDICAL))}
    assert elements["origin"].status == "present" and elements["origin"].found == "韓國"
    assert elements["batch"].article == "化粧品衛生安全管理法第7條第1項第9款"
    assert elements["dates"].found == "製造日期：2026.01.15；保存期限：2029.01.14"


def test_a_value_printed_elsewhere_is_unclear_not_present() -> None:
    text = CLEAN.replace("製造日期：2026/03/01\n保存期限：3年\n批號：RS260301",
                         "製造日期/批號：標示於瓶底")  # fmt: skip
    elements = {e.key: e for e in check_elements(read_label(text))}
    assert elements["batch"].status == "unclear" and elements["batch"].found == "標示於瓶底"
    assert elements["dates"].status == "unclear"


def test_an_imported_product_without_origin_misses_it() -> None:
    text = MEDICAL.replace("原產地：韓國\n", "")
    elements = {e.key: e.status for e in check_elements(read_label(text))}
    assert elements["origin"] == "missing"


def test_required_warnings_are_checked_against_the_label() -> None:
    reading = read_label(CLEAN)
    required = [
        RequiredWarning("CAMPHOR", "二歲以下孩童使用前請諮詢醫師或藥師", "No. 12", "TFDA"),
        RequiredWarning("X", "(立即沖洗產品得免刊載該注意事項)：避免接觸眼睛", "No. 7", "TFDA"),
    ]
    checks = {w.ingredient: w.status for w in check_required_warnings(reading, required)}
    assert checks == {"CAMPHOR": "missing", "X": "present"}


def test_the_three_labels() -> None:
    clean, medical, missing = summary("clean"), summary("medical"), summary("missing_two")
    assert clean["verdict"] == "green" and clean["missing_elements"] == []
    assert medical["verdict"] == "red" and medical["missing_elements"] == []
    red = [c for c, verdict, _ in medical["claims"] if verdict == "red"]  # type: ignore[attr-defined]
    assert "痘疤保證絕對完全消失" in red
    assert missing["missing_elements"] == ["net_content", "batch"]


def test_check_answer_names_its_corpus_version() -> None:
    result = check_label(read_label(CLEAN), ClaimContext(kind=6)).result
    assert result["corpus"]["pcode"] == "L0030099"
    assert len(result["corpus"]["appendices"]) == 4


def test_every_element_quotes_the_acts_article_7_as_stored() -> None:
    act = json.loads((DATA / "consistency" / "act.json").read_text(encoding="utf-8"))
    article_7 = next(t for t in act["topics"] if t["topic"] == "labelling")["duty_quote"]["zh"]
    for spec in element_specs():
        assert spec["quote_zh"].rstrip("。") in article_7, spec["key"]


def test_a_label_without_chinese_is_unclear_on_article_7_2() -> None:
    elements = {e.key: e for e in check_elements(read_label("Ingredients: Water, Glycerin"))}
    assert elements["chinese"].status == "unclear"
    assert elements["chinese"].article == "化粧品衛生安全管理法第7條第2項"
