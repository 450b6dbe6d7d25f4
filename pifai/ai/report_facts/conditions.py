"""Test conditions and materials: stability storage conditions, microbial limits and
their results, packaging components and the class of their material."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pifai.ai.report_facts.dates import find_dates
from pifai.ai.report_facts.text import LABELLED, UNLABELLED, WEAK, Document, Found, Line
from pifai.ai.report_facts.wording import verdict

# --- stability ----------------------------------------------------------------------------

_TEMPERATURE = re.compile(
    r"(?<![\d.])([-−]?\d{1,3}(?:\.\d)?)\s*(?:°\s*C|º\s*C|℃|°|deg\s*C|degC|度C?)(?![A-Za-z])",
    re.IGNORECASE,
)
_HUMIDITY = re.compile(
    r"(?<![\d.])(\d{1,3}(?:\.\d)?)\s*%\s*(?:RH|R\.H\.|相對濕度|relative\s+humidity)|"
    r"(?:RH|相對濕度|濕度|humidity)\s*[:：]?\s*(\d{1,3}(?:\.\d)?)\s*%",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"(?<![\d.])(\d{1,3})\s*(months?|個月|weeks?|週|周|days?|天|日)(?![A-Za-z])",
    re.IGNORECASE,
)
_LIGHT = re.compile(r"\blight\b|光照|日光|UV|紫外|xenon|photostability", re.IGNORECASE)
_DAYS_PER = {"month": 30, "個月": 30, "week": 7, "週": 7, "周": 7, "day": 1, "天": 1}


def _days(number: str, unit: str) -> int | None:
    unit = unit.lower().rstrip("s") if unit.isascii() else unit
    per = _DAYS_PER.get(unit)
    # "日" after a number is mostly a calendar day (5月2日), never a duration by itself.
    return int(number) * per if per else None


def _duration(text: str) -> int | None:
    for found in reversed(find_dates(text)):  # 113年5月2日 holds no duration
        text = text[: found.start] + " " + text[found.end :]
    for match in _DURATION.finditer(text):
        days = _days(match.group(1), match.group(2))
        if days is not None and 0 < days <= 3650:
            return days
    return None


def _condition(piece: str, temperature: float, alone: bool) -> dict[str, Any]:
    condition: dict[str, Any] = {"temperature_c": temperature}
    humidity = _HUMIDITY.search(piece)
    if humidity is not None and alone:
        condition["humidity_pct"] = float(humidity.group(1) or humidity.group(2))
    days = _duration(piece)
    if days is not None:
        condition["duration_days"] = days
    if _LIGHT.search(piece):
        condition["light"] = True
    return condition


def find_conditions(doc: Document) -> Found | None:
    """Storage conditions: each temperature with the humidity, light and duration said in
    the same clause; a duration said once for the study fills the conditions without one."""
    conditions: list[dict[str, Any]] = []
    lines: list[Line] = []
    study_days = None
    for line in doc.lines:
        if study_days is None:
            study_days = _duration(line.text)
        for piece in _CLAUSE.split(line.text):
            temperatures = [
                float(m.group(1).replace("−", "-")) for m in _TEMPERATURE.finditer(piece)
            ]
            for temperature in temperatures:
                if not -80 <= temperature <= 400:
                    continue
                condition = _condition(piece, temperature, len(temperatures) == 1)
                if condition not in conditions:
                    conditions.append(condition)
                    if line not in lines:
                        lines.append(line)
    if not conditions:
        return None
    for condition in conditions:
        if study_days is not None:
            condition.setdefault("duration_days", study_days)
    return Found(conditions[:20], UNLABELLED, "; ".join(doc.source(x) for x in lines[:2]))


# Clauses of a line: a condition's humidity and duration are said in its own clause.
_CLAUSE = re.compile(r"[;；|、\t]|\s{3,}")


# --- microbiology -------------------------------------------------------------------------

ORGANISMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        (
            "Total aerobic microbial count",
            r"total\s+aerobic(?:\s+mesophilic)?(?:\s+microbial)?(?:\s+plate)?\s+count|TAMC\b|"
            r"aerobic\s+plate\s+count|total\s+(?:plate|viable)\s+count|總生菌數|生菌數",
        ),
        (
            "Yeasts and moulds",
            r"yeasts?\s*(?:and|&|/)\s*(?:moulds?|molds?)|(?:moulds?|molds?)\s*(?:and|&|/)\s*"
            r"yeasts?|TYMC\b|黴菌及酵母菌|酵母菌及黴菌|真菌",
        ),
        ("Pseudomonas aeruginosa", r"P(?:seudomonas|s)?\.?\s*aeruginosa|綠膿桿菌"),
        ("Staphylococcus aureus", r"S(?:taphylococcus|taph)?\.?\s*aureus|金黃色葡萄球菌"),
        ("Candida albicans", r"C(?:andida)?\.?\s*albicans|白色念珠菌"),
        ("Escherichia coli", r"E(?:scherichia)?\.?\s*coli\b|大腸桿菌"),
    )
)
_QUANTITY = re.compile(
    r"(?:[≤<>≥]=?|<=|>=|NMT|not\s+more\s+than|max\.?)?\s*\d[\d,.]*\s*(?:[x×]\s*10\^?\s*\d+\s*)?"
    r"(?:CFU|cfu|個)\s*/\s*(?:g|mL|ml|克|毫升)|"
    r"(?:absent|not\s+detected|negative)(?:\s+in\s+\d+\s*(?:g|mL|ml))?|ND\b|未檢出|"
    r"不得檢出|陰性|不得含有",
    re.IGNORECASE,
)


def find_limits(doc: Document) -> Found | None:
    """Per organism named on a line: the first quantity is its limit, the second the
    result found (a report's table row: organism | limit | result | verdict)."""
    limits: list[dict[str, Any]] = []
    lines: list[Line] = []
    seen: set[str] = set()
    for line in doc.lines:
        for name, pattern in ORGANISMS:
            match = pattern.search(line.text)
            if match is None or name in seen:
                continue
            # A row continues to the next organism named on the same line.
            rest = line.text[match.end() :]
            ends = [m.start() for _, p in ORGANISMS if (m := p.search(rest))]
            rest = rest[: min(ends)] if ends else rest
            amounts = [m.group(0).strip() for m in _QUANTITY.finditer(rest)]
            entry: dict[str, Any] = {"organism": name}
            if amounts:
                entry["limit"] = amounts[0][:200]
            if len(amounts) > 1:
                entry["result"] = amounts[1][:200]
            said = verdict(rest)
            if said is not None:
                entry["passed"] = said
            seen.add(name)
            limits.append(entry)
            lines.append(line)
    if not limits:
        return None
    complete = all("limit" in e and "result" in e for e in limits)
    return Found(
        limits[:30],
        LABELLED if complete else UNLABELLED,
        "; ".join(doc.source(x) for x in lines[:2]),
    )


# --- packaging ----------------------------------------------------------------------------

# Material words, most specific first (HDPE before PE), each with its class.
MATERIALS: tuple[tuple[str, str, str], ...] = (
    ("HDPE", r"HDPE", "plastic"),
    ("LDPE", r"LDPE", "plastic"),
    ("PETG", r"PETG", "plastic"),
    ("PET", r"PET", "plastic"),
    ("PP", r"PP", "plastic"),
    ("PE", r"PE", "plastic"),
    ("PS", r"PS", "plastic"),
    ("ABS", r"ABS", "plastic"),
    ("AS", r"AS|SAN", "plastic"),
    ("PMMA", r"PMMA|acrylic|壓克力", "plastic"),
    ("PVC", r"PVC", "plastic"),
    ("PCTG", r"PCTG", "plastic"),
    ("plastic", r"plastic|塑膠", "plastic"),
    ("glass", r"(?:soda-lime\s+|borosilicate\s+)?glass|玻璃", "glass"),
    ("aluminium", r"alumin(?:i)?um|鋁", "metal"),
    ("tinplate", r"tinplate|馬口鐵", "metal"),
    ("stainless steel", r"stainless\s+steel|不鏽鋼|不銹鋼", "metal"),
    ("metal", r"metal|金屬", "metal"),
    ("silicone", r"silicone|矽膠|硅膠", "silicone"),
    ("paper", r"paper(?:board)?|carton|紙", "paper"),
    ("rubber", r"rubber|NBR|橡膠", "rubber"),
)


def _word(pattern: str) -> re.Pattern[str]:
    # Acronyms (PP, PE, AS) are matched in capitals only: "as" is an English word.
    flags = 0 if re.fullmatch(r"[A-Z|]+", pattern) else re.IGNORECASE
    return re.compile(r"(?<![A-Za-z])(?:" + pattern + r")(?![A-Za-z])", flags)


_MATERIAL_PATTERNS = tuple((name, _word(pattern), cls) for name, pattern, cls in MATERIALS)
COMPONENTS: tuple[tuple[str, str], ...] = (
    ("pump", r"pumps?|壓頭|泵頭|按壓頭"),
    ("dropper", r"droppers?|滴管"),
    ("spray", r"spray(?:er)?s?|噴頭"),
    ("cap", r"caps?|lids?|closures?|瓶蓋|外蓋|蓋子|蓋"),
    ("inner plug", r"inner\s+(?:plug|cap|lid)|內塞|內蓋"),
    ("tube", r"tubes?|軟管"),
    ("jar", r"jars?|罐"),
    ("bottle", r"bottles?|瓶身|瓶"),
    ("seal", r"seals?|liners?|墊片|封膜"),
    ("box", r"outer\s+box|boxe?s?|cartons?|外盒|紙盒"),
)
_COMPONENT_PATTERNS = tuple((name, _word(pattern)) for name, pattern in COMPONENTS)
_NO_CONTACT = re.compile(
    r"outer|secondary|not\s+in\s+contact|no\s+contact|non-?contact|外盒|外包裝|不接觸|非接觸",
    re.IGNORECASE,
)


def _spans(
    text: str, patterns: Sequence[tuple[str, re.Pattern[str]]]
) -> list[tuple[int, int, str]]:
    """Non-overlapping matches of any pattern, the longest first where two overlap (瓶蓋
    is a cap, not a bottle)."""
    found = sorted(
        ((m.start(), m.end(), name) for name, p in patterns for m in p.finditer(text)),
        key=lambda s: (s[0], s[0] - s[1]),
    )
    kept: list[tuple[int, int, str]] = []
    for span in found:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


_CLASS = {name: cls for name, _, cls in MATERIALS}


def material_class(text: str) -> tuple[str, str] | None:
    """The first material named in ``text`` and its class (PP -> plastic)."""
    spans = _spans(text, [(n, p) for n, p, _ in _MATERIAL_PATTERNS])
    return (spans[0][2], _CLASS[spans[0][2]]) if spans else None


def find_components(doc: Document) -> Found | None:
    """Each component named on a line, with the material named nearest to it."""
    components: list[dict[str, Any]] = []
    lines: list[Line] = []
    for line in doc.lines:
        materials = _spans(line.text, [(n, p) for n, p, _ in _MATERIAL_PATTERNS])
        if not materials:
            continue
        for start, end, component in _spans(line.text, _COMPONENT_PATTERNS):
            nearest = min(materials, key=lambda m: min(abs(m[1] - start), abs(m[0] - end)))
            entry = {
                "component": component,
                "material": nearest[2],
                "material_class": _CLASS[nearest[2]],
                "product_contact": component != "box" and not _NO_CONTACT.search(line.text),
            }
            if entry not in components:
                components.append(entry)
                if line not in lines:
                    lines.append(line)
    if not components:
        return None
    return Found(components[:50], LABELLED, "; ".join(doc.source(x) for x in lines[:3]))


def find_containers(doc: Document) -> Found | None:
    """Containers a stability study was run in: lines naming a component and a material."""
    found = find_components(doc)
    if found is None:
        return None
    names = [f"{c['material']} {c['component']}" for c in found.value if c["product_contact"]]
    return Found(names[:20], WEAK if not names else UNLABELLED, found.source) if names else None
