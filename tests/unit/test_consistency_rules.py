"""Every consistency rule fires on a PIF built to trigger it and stays silent on one built
not to; a PIF that triggers none has no alert.

The PIF here is fictitious test input (names, dates, findings, warning texts): the rules
are checked, not any real product or list entry."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from pifai.ai.consistency import (
    RULES,
    FormulaLine,
    PifSnapshot,
    RequiredWarning,
    check_consistency,
    keys,
)
from pifai.ai.consistency.reference import DATA_DIR, legal, threshold, thresholds
from pifai.ai.consistency.rules_formula import warning_statement
from pifai.ai.regulatory import Finding

TODAY = date(2026, 12, 1)

CLEAN_ITEMS: dict[int, dict[str, Any]] = {
    4: {
        "product_name": "測試保濕乳霜",
        "ingredient_list": ["水", "GLYCERIN", "TEST ACTIVE A"],
        "claims": ["保濕", "美白"],
        "warnings": ["避免接觸眼睛。如有不適請停止使用。"],
        "usage": "早晚取適量塗抹於臉部",
    },
    5: {"standard": "ISO 22716", "valid_from": "2026-06-01", "valid_until": "2029-05-31"},
    6: {"stages": [{"name": "乳化", "max_temperature_c": 85}]},
    7: {"method": "取適量塗抹", "body_sites": ["face"], "amount_per_use_g": 0.8,
        "applications_per_day": 2, "target_population": "adults"},
    8: {"has_reports": True, "statement": "one event", "reports": [
        {"reported_on": "2026-11-25", "description": "redness", "severity": "severe",
         "serious": True}]},
    11: {"test_date": "2026-03-01", "passed": True, "containers_tested": ["PP bottle", "glass jar"],
         "conditions": [{"temperature_c": 45, "duration_days": 90}]},
    12: {"test_date": "2026-03-01", "passed": True},
    13: {"test_date": "2026-03-01", "passed": True, "criterion": "A"},
    14: {"claims": [{"claim": "美白", "evidence_type": "clinical"}]},
    15: {"components": [{"component": "bottle", "material": "PP", "material_class": "plastic"},
                        {"component": "jar", "material": "soda-lime glass",
                         "material_class": "glass"}]},
}  # fmt: skip

FORMULA = (
    FormulaLine("WATER", 70.0, "solvent", keys(["WATER", "AQUA", "水"])),
    FormulaLine("GLYCERIN", 5.0, "humectant", keys(["GLYCERIN", "甘油"])),
    FormulaLine("TEST ACTIVE A", 2.0, "skin whitening", keys(["TEST ACTIVE A"])),
)


def snapshot(**changes: Any) -> PifSnapshot:
    items = {n: dict(c) for n, c in CLEAN_ITEMS.items()}
    for number, content in changes.pop("items", {}).items():
        items[number] = content
    base = PifSnapshot(
        product_name="測試保濕乳霜",
        product_name_en="Test moisturising cream",
        items=items,
        formula=FORMULA,
        findings=(),
        required_warnings=(
            RequiredWarning(
                "GLYCERIN", "測試條件(沖洗產品得免刊載):避免接觸眼睛。", "TEST No. 1", "TFDA"
            ),
        ),
        toxicology_covered=keys(["TEST ACTIVE A", "GLYCERIN"]),
        today=TODAY,
    )
    return replace(base, **changes)


def with_item(number: int, **fields: Any) -> dict[int, dict[str, Any]]:
    return {number: CLEAN_ITEMS[number] | fields}


def finding(severity: str, rule: str) -> Finding:
    return Finding(
        severity=severity,  # type: ignore[arg-type]
        ingredient="TEST SUBSTANCE X",
        rule=rule,
        authority="TFDA",
        list_type="prohibited",
        limit_pct=None,
        actual_pct=0.1,
        citation="test list, entry 1",
        message="TEST SUBSTANCE X: test finding",
    )


def test_a_clean_pif_has_no_alert() -> None:
    assert check_consistency(snapshot()) == []


def acknowledged(verdict: str, claim: str) -> dict[str, Any]:
    """A stored claims acknowledgement with one claim of ``verdict`` and a green one."""
    match = {
        "phrase_id": "A4-00-10-1",
        "phrase": claim,
        "citation": "附件四第10點",
        "found": claim,
        "verdict": verdict,
    }
    claims = [
        {"claim": claim, "source": "claims", "verdict": verdict, "matches": [match]},
        {"claim": "保濕", "source": "claims", "verdict": "green", "matches": []},
    ]
    return {
        "id": "ack-1",
        "acknowledged_at": "2026-11-30T10:00:00+00:00",
        "result": {"claims": claims, "corpus": {"sha256": "c" * 64}},
    }


CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("formula.binding_finding", "blocking", {"findings": (finding("critical", "prohibited"),)}),
    ("formula.binding_finding", "blocking", {"findings": (finding("high", "over_limit"),)}),
    ("reports.challenge_test_failed", "blocking", {"items": with_item(13, passed=False)}),
    ("adverse.serious_event_unreported", "blocking", {"items": {8: {"reports": [
        {"reported_on": "2026-11-01", "serious": True}]}}}),
    ("adverse.serious_event_reported_late", "error", {"items": {8: {"reports": [
        {"reported_on": "2026-10-01", "serious": True, "authority_reported_on": "2026-10-20"}]}}}),
    ("process.hot_without_raised_temperature_stability", "blocking",
     {"items": with_item(11, conditions=[{"temperature_c": 25}])}),
    ("label.required_warning_missing", "error",
     {"items": with_item(4, warnings=["如有不適請停止使用。"])}),
    ("claims.sensitive_skin_without_patch_test", "error",
     {"items": with_item(4, claims=["適合敏感肌"])}),
    ("packaging.container_not_in_stability_test", "error",
     {"items": with_item(11, containers_tested=["PP bottle"])}),
    ("identity.product_name_differs", "error", {"items": with_item(4, product_name="另一產品")}),
    ("identity.ingredient_lists_differ", "error",
     {"items": with_item(4, ingredient_list=["水", "GLYCERIN", "TEST OTHER"])}),
    ("claims.strong_claim_active_not_in_item_10", "warning",
     {"toxicology_covered": keys(["GLYCERIN"])}),
    ("claims.strong_claim_active_not_in_item_10", "warning",
     {"items": with_item(4, claims=["抗皺"])}),
    ("reports.older_than_12_months", "warning", {"items": with_item(12, test_date="2025-11-30")}),
    ("gmp.certificate_expiring", "warning", {"items": with_item(5, valid_until="2027-02-28")}),
    ("gmp.certificate_issued_over_12_months_ago", "warning",
     {"items": with_item(5, valid_from="2025-11-30")}),
    ("gmp.certificate_expired", "error", {"items": with_item(5, valid_until="2026-11-30")}),
    ("usage.item_7_incomplete", "warning", {"items": {7: {"method": "apply"}}}),
    ("claims.red_claim", "error", {"claims_acknowledged": acknowledged("red", "消炎")}),
    ("claims.pending_data", "warning",
     {"claims_acknowledged": acknowledged("pending_data", "幫助預防蛀牙")}),
]  # fmt: skip


@pytest.mark.parametrize(("rule_id", "severity", "changes"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_fires_on_a_pif_built_to_trigger_it(
    rule_id: str, severity: str, changes: dict[str, Any]
) -> None:
    alerts = check_consistency(snapshot(**changes))
    assert [(a.rule_id, a.severity) for a in alerts] == [(rule_id, severity)]
    [alert] = alerts
    assert alert.items and alert.message_zh and alert.message_en
    assert alert.to_dict()["message"] == {"zh-TW": alert.message_zh, "en": alert.message_en}
    # Every alert names the Act's articles and fine range its rule relates to.
    assert alert.legal is not None and alert.legal.verified
    assert alert.legal.penalty_article and alert.legal.fine_max_twd
    assert alert.legal.citation.startswith("化粧品衛生安全管理法 (Cosmetic Hygiene and Safety Act)")


def test_every_rule_id_has_a_case() -> None:
    declared = {rule_id for rule in RULES for rule_id in rule.rule_ids}
    assert declared == {c[0] for c in CASES}


def test_boundaries_stay_silent() -> None:
    silent = [
        # 12 months to the day is not older than 12 months.
        {"items": with_item(12, test_date="2025-12-01")},
        # Exactly 91 days to expiry; issued exactly 12 months ago.
        {"items": with_item(5, valid_until="2027-03-02", valid_from="2025-12-01")},
        # 15 days unreported is still within the limit; a non-serious event has none.
        {"items": {8: {"reports": [{"reported_on": "2026-11-16", "serious": True}]}}},
        {"items": {8: {"reports": [{"reported_on": "2026-01-01", "serious": False}]}}},
        # Below 80 °C no raised-temperature test is needed.
        {"items": with_item(6, stages=[{"name": "mix", "max_temperature_c": 79}]) | with_item(
            11, conditions=[{"temperature_c": 25}])},
        # A patch test (by type or in the evidence text) supports a sensitive-skin claim.
        {"items": with_item(4, claims=["低敏配方"]) | with_item(
            14, claims=[{"claim": "低敏", "evidence": "HRIPT on 50 subjects"}])},
        # A silicone part not in contact with the product needs no coverage.
        {"items": with_item(15, components=[{"component": "cap liner",
                                             "material_class": "silicone",
                                             "product_contact": False}])},
        # Advisory findings (a stricter EU rule) do not block.
        {"findings": (finding("advisory", "stricter_eu_over_limit"),)},
        # The label names the product in English.
        {"items": with_item(4, product_name="Test Moisturising Cream")},
    ]  # fmt: skip
    for changes in silent:
        assert check_consistency(snapshot(**changes)) == [], changes


def test_tfda_warning_conditions_are_not_required_on_the_label() -> None:
    text = (
        "可能使用於二歲以下孩童之產品(立即沖洗產品得免刊載該注意事項):"
        "二歲以下孩童使用前請諮詢醫師或藥師。"
    )
    assert warning_statement(text) == "二歲以下孩童使用前請諮詢醫師或藥師。"
    assert warning_statement("本產品含二苯酮-3。(添加≤0.5%得免刊載)") == "本產品含二苯酮-3。"


def test_alerts_come_blocking_first() -> None:
    pif = snapshot(
        findings=(finding("critical", "prohibited"),),
        items=with_item(12, test_date="2024-01-01") | with_item(4, product_name="另一產品"),
    )
    assert [a.severity for a in check_consistency(pif)] == ["blocking", "error", "warning"]


def test_the_shipped_legal_data_and_thresholds_carry_their_sources() -> None:
    for rule in RULES:
        ref = legal(rule.legal_topic)
        assert ref is not None, rule.legal_topic
        assert ref.fine_min_twd is not None and ref.fine_max_twd is not None
        assert 0 < ref.fine_min_twd < ref.fine_max_twd
    # The 15 days of the adverse-event rule are the reporting regulation's.
    adverse = [
        t
        for t in json.loads((DATA_DIR / "act.json").read_text())["topics"]
        if t["topic"] == "adverse"
    ]
    assert adverse[0]["reporting_deadline_days"] == threshold("serious_adverse_report_days")
    for item in thresholds().values():
        assert item.citation and item.unit
