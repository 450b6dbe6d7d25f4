"""The label's ingredient list generated from the formula (item 3), and the label's
list as uploaded compared with it.

Order: ingredients above 1 % by concentration, descending; those at or below 1 % after
them in the formula's order (they may be listed in any order); colorants last, named by
their CI number (they may follow the other ingredients in any order). A fragrance
allergen that comes in with the fragrance is named only above its disclosure threshold
(leave-on or rinse-off, from the regulatory entry that sets it); at or below it is
declared within the fragrance. An allergen added as an ingredient of its own is always
listed. The 1 % and colorant rules follow EU Regulation 1223/2009 Art 19(1)(g); the
Taiwanese labelling-format rule was not read (see label_elements.json), so they are
marked unverified in the output."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pifai.ai.ingredient_validator.names import name_key
from pifai.domain import RINSE_OFF

ANY_ORDER_BELOW_PCT = 1.0
ORDER_RULE = {
    "text": "Ingredients above 1 % in descending order of weight; those at or below 1 % and "
    "colorants (by CI number) in any order after them.",
    "source": "Regulation (EC) No 1223/2009 Art 19(1)(g) (EU); the Taiwanese format rule "
    "化粧品外包裝、容器、標籤或仿單之標示規定 was not read",
    "verified": False,
}
_FRAGRANCE = frozenset(name_key(n) for n in ("Parfum", "Fragrance", "Perfume", "香料", "香精"))
_FRAGRANCE_FUNCTION = re.compile(r"perfum|fragran|香", re.I)
CI_NUMBER = re.compile(r"^C\.?\s?I\.?\s?(\d{5})$", re.I)


@dataclass(frozen=True, slots=True)
class Allergen:
    leave_on_pct: float
    rinse_off_pct: float
    entry_ref: str
    citation: str


@dataclass(frozen=True, slots=True)
class GenRow:
    inci: str
    concentration_pct: float | None = None
    function: str | None = None
    zh_name: str | None = None
    ci_number: str | None = None  # "CI 77891" for a colorant
    allergen: Allergen | None = None
    aliases: frozenset[str] = frozenset()  # name keys the label may use

    def known_as(self, name: str) -> bool:
        return name_key(name) in self.aliases or name_key(name) == name_key(self.inci)


@dataclass(frozen=True, slots=True)
class GenEntry:
    name: str  # as it should appear on the label
    row: GenRow
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "inci": self.row.inci,
            "zh_name": self.row.zh_name,
            "concentration_pct": self.row.concentration_pct,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class GeneratedList:
    entries: tuple[GenEntry, ...]
    omitted: tuple[GenEntry, ...]  # allergens declared within the fragrance
    product_type: str
    chinese: bool
    notes: tuple[str, ...] = ()

    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    def to_dict(self) -> dict[str, Any]:
        return {
            "product_type": self.product_type,
            "basis": "rinse-off" if self.product_type in RINSE_OFF else "leave-on",
            "language": "zh" if self.chinese else "en",
            "order_rule": ORDER_RULE,
            "entries": [e.to_dict() for e in self.entries],
            "omitted": [e.to_dict() for e in self.omitted],
            "notes": list(self.notes),
        }


def _name(row: GenRow, chinese: bool) -> str:
    if row.ci_number:
        return row.ci_number
    return row.zh_name if chinese and row.zh_name else row.inci


def _is_fragrance(row: GenRow) -> bool:
    return name_key(row.inci) in _FRAGRANCE or bool(row.aliases & _FRAGRANCE)


def generate(rows: Sequence[GenRow], product_type: str, *, chinese: bool) -> GeneratedList:
    threshold_of = "rinse_off_pct" if product_type in RINSE_OFF else "leave_on_pct"
    with_fragrance = any(_is_fragrance(r) for r in rows)
    listed: list[GenEntry] = []
    omitted: list[GenEntry] = []
    notes: list[str] = []
    for row in rows:
        reason = "formula ingredient"
        if row.allergen is not None:
            threshold = getattr(row.allergen, threshold_of)
            from_fragrance = with_fragrance or bool(
                row.function and _FRAGRANCE_FUNCTION.search(row.function)
            )
            where = f"{row.allergen.entry_ref}, {row.allergen.citation}"
            conc = row.concentration_pct
            if from_fragrance and conc is not None and conc <= threshold:
                omitted.append(
                    GenEntry(
                        _name(row, chinese),
                        row,
                        f"fragrance allergen at {conc:g} %, not above the disclosure "
                        f"threshold {threshold:g} % ({where}): declared within the "
                        "fragrance",
                    )
                )
                continue
            reason = (
                f"fragrance allergen above the disclosure threshold {threshold:g} % ({where})"
                if conc is not None
                else f"fragrance allergen, concentration unknown: named ({where})"
            )
        listed.append(GenEntry(_name(row, chinese), row, reason))
    if any(e.row.concentration_pct is None for e in listed):
        notes.append("Rows without a concentration are placed with those at or below 1 %.")
    colorants = [e for e in listed if e.row.ci_number]
    others = [e for e in listed if not e.row.ci_number]
    above = [e for e in others if (e.row.concentration_pct or 0) > ANY_ORDER_BELOW_PCT]
    above.sort(key=lambda e: -(e.row.concentration_pct or 0))
    rest = [e for e in others if e not in above]
    return GeneratedList(
        tuple(above + rest + colorants), tuple(omitted), product_type, chinese, tuple(notes)
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    out_of_order: tuple[dict[str, Any], ...]
    listed_though_not_required: tuple[str, ...] = ()
    matched: tuple[tuple[str, str], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "missing": list(self.missing),
            "extra": list(self.extra),
            "out_of_order": list(self.out_of_order),
            "listed_though_not_required": list(self.listed_though_not_required),
            "consistent": not (self.missing or self.extra or self.out_of_order),
        }


def compare(generated: GeneratedList, label: Sequence[str]) -> Comparison:
    """The label's list against the generated one: what it lacks, what it has that the
    formula does not, and the ingredients above 1 % it lists out of descending order."""
    rows = [e.row for e in generated.entries]
    omitted_rows = [e.row for e in generated.omitted]
    order: list[tuple[str, GenRow]] = []
    extra, not_required = [], []
    for name in label:
        row = next((r for r in rows if r.known_as(name)), None)
        if row is not None:
            order.append((name, row))
        elif any(r.known_as(name) for r in omitted_rows):
            not_required.append(name)
        else:
            extra.append(name)
    seen = {id(row) for _, row in order}
    missing = [e.name for e in generated.entries if id(e.row) not in seen]
    out_of_order = []
    for i, (name, row) in enumerate(order):
        conc = row.concentration_pct
        if conc is None or conc <= ANY_ORDER_BELOW_PCT or row.ci_number:
            continue
        for before_name, before in order[:i]:
            b = before.concentration_pct
            if before.ci_number or (b is not None and b < conc) or b is None:
                out_of_order.append({"name": name, "concentration_pct": conc,
                                     "listed_after": before_name,
                                     "listed_after_concentration_pct": b})  # fmt: skip
                break
    return Comparison(
        tuple(missing), tuple(extra), tuple(out_of_order), tuple(not_required),
        tuple((n, r.inci) for n, r in order),
    )  # fmt: skip
