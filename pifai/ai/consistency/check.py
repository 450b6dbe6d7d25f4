"""The cross-item consistency check: every rule over one snapshot of the PIF, the alerts
sorted by severity (blocking first)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pifai.ai.consistency import rules_claims as claims
from pifai.ai.consistency import rules_formula as formula
from pifai.ai.consistency import rules_reports as reports
from pifai.ai.consistency.model import Alert, PifSnapshot, Severity

Rule = Callable[[PifSnapshot], list[Alert]]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a rule checks, for the documentation endpoint and the closing note."""

    check: Rule
    rule_ids: tuple[str, ...]
    severity: tuple[Severity, ...]
    items: tuple[int, ...]
    legal_topic: str


RULES: tuple[RuleInfo, ...] = (
    RuleInfo(formula.prohibited_or_over_limit, ("formula.binding_finding",), ("blocking",), (3,),
             "ingredients"),
    RuleInfo(reports.challenge_test_failed, ("reports.challenge_test_failed",), ("blocking",),
             (13,), "pif"),
    RuleInfo(reports.serious_adverse_events, ("adverse.serious_event_unreported",
             "adverse.serious_event_reported_late"), ("blocking", "error"), (8,), "adverse"),
    RuleInfo(reports.hot_process_without_raised_stability,
             ("process.hot_without_raised_temperature_stability",), ("blocking",), (6, 11), "pif"),
    RuleInfo(formula.label_warnings, ("label.required_warning_missing",), ("error",), (3, 4),
             "labelling"),
    RuleInfo(claims.red_claims, ("claims.red_claim",), ("error",), (4,), "advertising"),
    RuleInfo(reports.sensitive_claim_without_patch_test,
             ("claims.sensitive_skin_without_patch_test",), ("error",), (4, 14), "advertising"),
    RuleInfo(reports.containers_not_covered, ("packaging.container_not_in_stability_test",),
             ("error",), (11, 15), "pif"),
    RuleInfo(formula.label_matches_items_1_and_3, ("identity.product_name_differs",
             "identity.ingredient_lists_differ"), ("error",), (1, 3, 4), "labelling"),
    RuleInfo(formula.strong_claims_without_active_data,
             ("claims.strong_claim_active_not_in_item_10",), ("warning",), (4, 10, 14),
             "advertising"),
    RuleInfo(claims.pending_claims, ("claims.pending_data",), ("warning",), (3, 4, 14),
             "advertising"),
    RuleInfo(reports.old_test_reports, ("reports.older_than_12_months",), ("warning",),
             (11, 12, 13), "pif"),
    RuleInfo(reports.gmp_certificate, ("gmp.certificate_expired", "gmp.certificate_expiring",
             "gmp.certificate_issued_over_12_months_ago"), ("error", "warning"), (5,), "gmp"),
    RuleInfo(reports.usage_incomplete, ("usage.item_7_incomplete",), ("warning",), (4, 7),
             "labelling"),
)  # fmt: skip


def check_consistency(pif: PifSnapshot) -> list[Alert]:
    alerts = [alert for rule in RULES for alert in rule.check(pif)]
    return sorted(alerts, key=Alert.sort_key)
