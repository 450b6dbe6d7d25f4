"""Rules on the reports and certificates: the challenge test (13), a hot process (6)
against the stability test (11), packaging (15) against the containers tested (11), the
age of the test reports (11-13) and of the GMP certificate (5), adverse events (8), the
usage on the label (4) against item 7, and "sensitive skin" claims against a patch test."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from pifai.ai.consistency.model import Alert, PifSnapshot, add_months, parse_date
from pifai.ai.consistency.reference import legal, threshold
from pifai.ai.consistency.rules_formula import claims_of

REPORT_ITEMS = {11: ("安定性試驗", "stability"), 12: ("微生物檢測", "microbiology"),
                13: ("防腐效能試驗", "challenge test")}  # fmt: skip


def challenge_test_failed(pif: PifSnapshot) -> list[Alert]:
    report = pif.item(13)
    if report.get("passed") is not False:
        return []
    criterion = report.get("criterion")
    return [
        Alert(
            "reports.challenge_test_failed",
            "blocking",
            (13,),
            "第 13 項防腐效能試驗未通過" + (f"（ISO 11930 準則 {criterion}）" if criterion else ""),
            "Item 13: the preservative efficacy (challenge) test failed"
            + (f" (ISO 11930 criterion {criterion})" if criterion else ""),
            legal("pif"),
            {"result": report.get("result")},
        )
    ]


def _temperatures(stages: Iterable[Any]) -> list[float]:
    return [float(t) for s in stages if (t := s.get("max_temperature_c")) is not None]


def hot_process_without_raised_stability(pif: PifSnapshot) -> list[Alert]:
    process = pif.item(6)
    temps = _temperatures(process.get("stages") or [])
    if process.get("max_temperature_c") is not None:
        temps.append(float(process["max_temperature_c"]))
    hot, raised = threshold("hot_process_c"), threshold("raised_stability_c")
    if not temps or max(temps) < hot:
        return []
    tested = [
        float(t)
        for c in pif.item(11).get("conditions") or []
        if (t := c.get("temperature_c")) is not None
    ]
    if any(t >= raised for t in tested):
        return []
    top = max(temps)
    return [
        Alert(
            "process.hot_without_raised_temperature_stability",
            "blocking",
            (6, 11),
            f"第 6 項製程最高溫度 {top:g}°C（≥ {hot:g}°C），但第 11 項無 ≥ {raised:g}°C 之"
            "高溫安定性試驗",
            f"Item 6: the process reaches {top:g} °C (>= {hot:g} °C) but item 11 has no "
            f"stability test at a raised temperature (>= {raised:g} °C)",
            legal("pif"),
            {"max_process_c": top, "stability_temperatures_c": tested},
        )
    ]


_MATERIAL_WORDS = {
    "metal": ("metal", "alumin", "tin", "steel", "金屬", "鋁", "鐵", "錫"),
    "glass": ("glass", "玻璃"),
    "silicone": ("silicone", "矽膠", "硅膠", "硅胶"),
}


def containers_not_covered(pif: PifSnapshot) -> list[Alert]:
    tested = " ".join(str(c) for c in pif.item(11).get("containers_tested") or []).casefold()
    out = []
    for component in pif.item(15).get("components") or []:
        kind = component.get("material_class")
        if kind not in _MATERIAL_WORDS or not component.get("product_contact", True):
            continue
        words = (*_MATERIAL_WORDS[kind], str(component.get("material") or "").casefold())
        if any(w and w in tested for w in words):
            continue
        name = str(component.get("component"))
        out.append(
            Alert(
                "packaging.container_not_in_stability_test",
                "error",
                (11, 15),
                f"第 15 項包材「{name}」（{kind}）未涵蓋於第 11 項安定性試驗之容器",
                f'Item 15: the {kind} component "{name}" is not among the containers the '
                "stability test (item 11) covered",
                legal("pif"),
                {"component": name, "material_class": kind},
            )
        )
    return out


def _report_date(report: Any) -> date | None:
    return parse_date(report.get("test_date")) or parse_date(report.get("issued_on"))


def old_test_reports(pif: PifSnapshot) -> list[Alert]:
    years = int(threshold("report_validity_years"))
    out = []
    for number, (zh, en) in REPORT_ITEMS.items():
        tested = _report_date(pif.item(number))
        if tested is None or add_months(tested, 12 * years) >= pif.today:
            continue
        out.append(
            Alert(
                "reports.older_than_12_months",
                "warning",
                (number,),
                f"第 {number} 項{zh}報告日期 {tested.isoformat()}，已逾 12 個月",
                f"Item {number}: the {en} report is dated {tested.isoformat()}, more than "
                "12 months ago",
                legal("pif"),
                {"date": tested.isoformat()},
            )
        )
    return out


def gmp_certificate(pif: PifSnapshot) -> list[Alert]:
    gmp = pif.item(5)
    issued, expires = parse_date(gmp.get("valid_from")), parse_date(gmp.get("valid_until"))
    out = []
    if expires is not None and expires < pif.today:
        out.append(
            Alert(
                "gmp.certificate_expired",
                "error",
                (5,),
                f"第 5 項 GMP 證書已於 {expires.isoformat()} 到期",
                f"Item 5: the GMP certificate expired on {expires.isoformat()}",
                legal("gmp"),
                {"valid_until": expires.isoformat()},
            )
        )
        return out
    days = int(threshold("gmp_expiry_warning_days"))
    if expires is not None and (expires - pif.today).days <= days:
        left = (expires - pif.today).days
        out.append(
            Alert(
                "gmp.certificate_expiring",
                "warning",
                (5,),
                f"第 5 項 GMP 證書將於 {expires.isoformat()} 到期（剩 {left} 天）",
                f"Item 5: the GMP certificate expires on {expires.isoformat()} ({left} days)",
                legal("gmp"),
                {"valid_until": expires.isoformat(), "days_left": left},
            )
        )
    years = int(threshold("gmp_issued_max_years"))
    if issued is not None and add_months(issued, 12 * years) < pif.today:
        out.append(
            Alert(
                "gmp.certificate_issued_over_12_months_ago",
                "warning",
                (5,),
                f"第 5 項 GMP 證書核發於 {issued.isoformat()}，已逾 12 個月",
                f"Item 5: the GMP certificate was issued on {issued.isoformat()}, more than "
                "12 months ago",
                legal("gmp"),
                {"valid_from": issued.isoformat()},
            )
        )
    return out


def serious_adverse_events(pif: PifSnapshot) -> list[Alert]:
    limit = int(threshold("serious_adverse_report_days"))
    out = []
    for event in pif.item(8).get("reports") or []:
        known = parse_date(event.get("reported_on"))
        if not event.get("serious") or known is None:
            continue
        reported = parse_date(event.get("authority_reported_on"))
        elapsed = ((reported or pif.today) - known).days
        if elapsed <= limit:
            continue
        late = reported is not None
        out.append(
            Alert(
                "adverse.serious_event_reported_late"
                if late
                else "adverse.serious_event_unreported",
                "error" if late else "blocking",
                (8,),
                f"第 8 項嚴重不良反應（{known.isoformat()} 知悉）"
                + (f"於 {elapsed} 天後才通報主管機關" if late else f"已 {elapsed} 天未通報主管機關")
                + f"（期限 {limit} 天）",
                f"Item 8: a serious adverse effect known since {known.isoformat()} "
                + (
                    f"was reported after {elapsed} days"
                    if late
                    else f"is unreported after {elapsed} days"
                )
                + f" (limit {limit} days)",
                legal("adverse"),
                {"known_on": known.isoformat(), "days": elapsed, "limit_days": limit},
            )
        )
    return out


def usage_incomplete(pif: PifSnapshot) -> list[Alert]:
    label, usage = pif.item(4), pif.item(7)
    if not (label.get("usage") or label.get("label_text")):
        return []
    missing = [
        f for f in ("method", "body_sites", "amount_per_use_g", "applications_per_day",
                    "target_population") if not usage.get(f)
    ]  # fmt: skip
    if not missing:
        return []
    return [
        Alert(
            "usage.item_7_incomplete",
            "warning",
            (4, 7),
            f"第 7 項使用方法不完整，缺少：{'、'.join(missing)}",
            f"Item 7 does not state the label's usage completely; missing: {', '.join(missing)}",
            legal("labelling"),
            {"missing": missing},
        )
    ]


SENSITIVE_WORDS = ("敏感肌", "敏感性肌膚", "敏弱肌", "低敏", "低過敏", "低致敏", "sensitive skin",
                   "hypoallergenic", "hypo-allergenic")  # fmt: skip
PATCH_WORDS = ("patch test", "hript", "斑貼", "貼膚", "貼布試驗", "皮膚貼片")


def sensitive_claim_without_patch_test(pif: PifSnapshot) -> list[Alert]:
    made = [c for c in claims_of(pif) if any(w in c.casefold() for w in SENSITIVE_WORDS)]
    if not made:
        return []
    for evidence in pif.item(14).get("claims") or []:
        text = f"{evidence.get('evidence') or ''}".casefold()
        if evidence.get("evidence_type") == "patch_test" or any(w in text for w in PATCH_WORDS):
            return []
    return [
        Alert(
            "claims.sensitive_skin_without_patch_test",
            "error",
            (4, 14),
            f"宣稱「{made[0]}」但第 14 項無人體皮膚貼膚（patch test）試驗佐證",
            f'The claim "{made[0]}" has no patch test among the evidence of item 14',
            legal("advertising"),
            {"claims": made},
        )
    ]
