"""What the consistency check reads (a snapshot of the product's PIF) and what it says
(alerts). Pure data: the service builds the snapshot, the rules read it."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pifai.ai.ingredient_validator.names import name_key
from pifai.ai.regulatory import Finding

Severity = Literal["blocking", "error", "warning"]
SEVERITY_ORDER: dict[str, int] = {"blocking": 0, "error": 1, "warning": 2}


@dataclass(frozen=True, slots=True)
class LegalRef:
    """The article of the Cosmetic Hygiene and Safety Act a rule relates to, and the
    penalty article with its fine range, as read in the law's text (see the data file)."""

    topic: str
    duty_article: str | None
    penalty_article: str | None
    fine_min_twd: int | None
    fine_max_twd: int | None
    citation: str
    url: str | None
    verified: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "duty_article": self.duty_article,
            "penalty_article": self.penalty_article,
            "fine_min_twd": self.fine_min_twd,
            "fine_max_twd": self.fine_max_twd,
            "citation": self.citation,
            "url": self.url,
            "verified": self.verified,
        }


@dataclass(frozen=True, slots=True)
class Alert:
    rule_id: str
    severity: Severity
    items: tuple[int, ...]
    message_zh: str
    message_en: str
    legal: LegalRef | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[int, str, tuple[int, ...], str]:
        return (SEVERITY_ORDER[self.severity], self.rule_id, self.items, self.message_en)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "items": list(self.items),
            "message": {"zh-TW": self.message_zh, "en": self.message_en},
            "legal": self.legal.to_dict() if self.legal else None,
            "details": dict(self.details),
        }


@dataclass(frozen=True, slots=True)
class FormulaLine:
    """A formula row and every name it is known by (INCI, the name as written, the
    dictionary's Chinese names), for matching the label's ingredient list."""

    label: str
    concentration_pct: float | None = None
    function: str | None = None
    aliases: frozenset[str] = frozenset()

    def known_as(self, name: str) -> bool:
        return name_key(name) in self.aliases


@dataclass(frozen=True, slots=True)
class RequiredWarning:
    """A label warning the restricted-substance list requires for a formula ingredient."""

    ingredient: str
    text: str
    entry_ref: str
    authority: str


@dataclass(frozen=True, slots=True)
class PifSnapshot:
    product_name: str
    product_name_en: str | None
    items: Mapping[int, Mapping[str, Any]]  # content per item number (absent: empty)
    formula: Sequence[FormulaLine]
    findings: Sequence[Finding]  # the rule engine's, on the current formula
    required_warnings: Sequence[RequiredWarning]
    toxicology_covered: frozenset[str]  # name keys of ingredients item 10 has data for
    today: date
    # The newest claims acknowledgement (id, acknowledged_at, result), if any.
    claims_acknowledged: Mapping[str, Any] | None = None

    def item(self, number: int) -> Mapping[str, Any]:
        return self.items.get(number) or {}


def keys(names: Sequence[str | None]) -> frozenset[str]:
    return frozenset(k for n in names if n and (k := name_key(n)))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it has no such day (a
    report tested on 29 February is valid until 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
