"""Pass/fail wording, standards, numbers, laboratories, conditions, limits, materials."""

from __future__ import annotations

import pytest

from pifai.ai.report_facts import Document, verdict
from pifai.ai.report_facts.conditions import (
    find_components,
    find_conditions,
    find_limits,
    material_class,
)
from pifai.ai.report_facts.wording import (
    CERTIFICATE_NUMBER_LABELS,
    REPORT_NUMBER_LABELS,
    find_gmp_standard,
    find_laboratory,
    find_number,
    find_verdict,
)


@pytest.mark.parametrize(
    "text",
    ["合格", "符合規定", "通過", "Pass", "Passed", "Complies", "Conforms", "判定：合格",
     "Result: complies with the specification"],
)  # fmt: skip
def test_passing_words(text: str) -> None:
    assert verdict(text) is True


@pytest.mark.parametrize(
    "text",
    ["不合格", "不符合", "未通過", "Fail", "Failed", "Does not comply", "does not conform",
     "判定：不合格", "Non-conforming", "結果：不符合規定"],
)  # fmt: skip
def test_failing_words(text: str) -> None:
    assert verdict(text) is False


def test_fail_wins_though_it_contains_the_passing_word() -> None:
    # 不合格 contains 合格; "does not comply" contains "comply".
    assert verdict("不合格") is False and verdict("合格") is True
    assert verdict("The sample does not comply") is False
    assert verdict("綠膿桿菌 合格；總生菌數 不合格") is False


@pytest.mark.parametrize(
    "text",
    ["Pass/Fail", "合格/不合格", "合格標準：≤100 CFU/g", "Acceptance criteria", "通過TAF認證"],
)
def test_headers_criteria_and_accreditations_are_no_verdict(text: str) -> None:
    assert verdict(text) is None


def test_the_labelled_conclusion_decides_the_report() -> None:
    doc = Document.from_pages(["Item | Pass/Fail\nAppearance | Pass\nConclusion: Failed"])
    found = find_verdict(doc)
    assert found is not None and found.value is False and found.confidence >= 0.8
    unlabelled = find_verdict(Document.from_pages(["Appearance: no change. The product passed."]))
    assert unlabelled is not None and unlabelled.value is True and unlabelled.confidence < 0.8
    assert find_verdict(Document.from_pages(["Appearance: no change."])) is None


def test_report_and_certificate_numbers() -> None:
    doc = Document.from_pages(
        ["Test Report No.: SGS-TW/2024/05-0117 Page 1 of 3\n證書編號：GMP-113-0789"]
    )
    report = find_number(doc, REPORT_NUMBER_LABELS)
    certificate = find_number(doc, CERTIFICATE_NUMBER_LABELS)
    assert report is not None and report.value == "SGS-TW/2024/05-0117"
    assert certificate is not None and certificate.value == "GMP-113-0789"
    # A label followed by words, not a number, gives nothing.
    assert find_number(Document.from_pages(["Report No.: see cover"]), REPORT_NUMBER_LABELS) is None


def test_gmp_standards() -> None:
    iso = find_gmp_standard(Document.from_pages(["Conforms to ISO 22716:2007"]))
    assert iso is not None and iso.value == "ISO 22716"
    tfda = find_gmp_standard(Document.from_pages(["衛生福利部食品藥物管理署", "化粧品 GMP 證明"]))
    assert tfda is not None and tfda.value == "TFDA GMP"
    other = find_gmp_standard(Document.from_pages(["GMP certificate of the site"]))
    assert other is not None and other.value == "other" and other.confidence < 0.8
    assert find_gmp_standard(Document.from_pages(["Stability report"])) is None


def test_laboratories_labelled_or_recognised_by_name() -> None:
    labelled = find_laboratory(Document.from_pages(["檢驗單位：範例檢驗科技股份有限公司"]))
    assert labelled is not None and labelled.value == "範例檢驗科技股份有限公司"
    named = find_laboratory(
        Document.from_pages(["Example Analytical Laboratory Ltd.", "TAF accredited, ISO/IEC 17025"])
    )
    assert named is not None and "Example Analytical Laboratory" in named.value
    assert named.confidence < labelled.confidence
    # "Label:" is no laboratory label.
    assert find_laboratory(Document.from_pages(["Label: front panel"])) is None


def test_stability_conditions() -> None:
    doc = Document.from_pages(
        ["儲存條件：45°C、3個月；40 °C/75% RH 90 days；-5 ℃；光照 25°C", "Duration: 12 weeks"]
    )
    found = find_conditions(doc)
    assert found is not None
    assert found.value == [
        {"temperature_c": 45.0, "duration_days": 90},
        {"temperature_c": 40.0, "humidity_pct": 75.0, "duration_days": 90},
        {"temperature_c": -5.0, "duration_days": 90},
        {"temperature_c": 25.0, "light": True, "duration_days": 90},
    ]
    # A calendar date holds no duration: 5月2日 is not "2 days" nor "5 months".
    dated = find_conditions(Document.from_pages(["檢驗日期 113年5月2日 於 40°C"]))
    assert dated is not None and dated.value == [{"temperature_c": 40.0}]


def test_microbial_limits_each_organism_with_its_limit_result_and_verdict() -> None:
    doc = Document.from_pages(
        [
            "Total aerobic count | <= 100 CFU/g | < 10 CFU/g | Pass",
            "Yeasts and moulds | <= 100 CFU/g | 20 CFU/g | Pass",
            "P. aeruginosa | Absent in 1 g | Absent in 1 g | Pass",
            "S. aureus | Absent in 1 g | Detected | Fail",
            "大腸桿菌 | 不得檢出 | 未檢出 | 合格",
        ]
    )
    found = find_limits(doc)
    assert found is not None
    assert [
        (e["organism"], e.get("limit"), e.get("result"), e.get("passed")) for e in found.value
    ] == [
        ("Total aerobic microbial count", "<= 100 CFU/g", "< 10 CFU/g", True),
        ("Yeasts and moulds", "<= 100 CFU/g", "20 CFU/g", True),
        ("Pseudomonas aeruginosa", "Absent in 1 g", "Absent in 1 g", True),
        ("Staphylococcus aureus", "Absent in 1 g", None, False),
        ("Escherichia coli", "不得檢出", "未檢出", True),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PP", ("PP", "plastic")),
        ("HDPE bottle", ("HDPE", "plastic")),
        ("PE", ("PE", "plastic")),
        ("PET", ("PET", "plastic")),
        ("soda-lime glass", ("glass", "glass")),
        ("玻璃瓶", ("glass", "glass")),
        ("aluminium tube", ("aluminium", "metal")),
        ("aluminum", ("aluminium", "metal")),
        ("silicone dropper", ("silicone", "silicone")),
        ("矽膠", ("silicone", "silicone")),
        ("as described", None),  # "as" is no AS resin
    ],
)
def test_material_classes(text: str, expected: tuple[str, str] | None) -> None:
    assert material_class(text) == expected


def test_packaging_components_pair_each_part_with_its_nearest_material() -> None:
    found = find_components(
        Document.from_pages(["PET bottle with PP cap", "瓶蓋：鋁", "Outer carton: paper"])
    )
    assert found is not None
    assert [(c["component"], c["material"], c["product_contact"]) for c in found.value] == [
        ("bottle", "PET", True),
        ("cap", "PP", True),
        ("cap", "aluminium", True),  # 瓶蓋 is a cap, not a bottle
        ("box", "paper", False),
    ]
