"""Limits, scopes and conditions read out of the free text of a list entry (the columns
of a CosIng annex export or a TFDA list file).

Labelling-disclosure clauses are stripped first (a disclosure threshold is not a
limit), lettered parts ("(a) rinse-off ... (b) other ...") become one limit per product
type, and "%", "ppm" and "mg/kg" are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pifai.ai.regulatory import expand_scope
from pifai.domain import PRODUCT_TYPES

_DISCLOSURE_RE = re.compile(
    r"(?:\(\w\)\s*)*the presence of the substance must be indicated.*?exceeds\s*:?\s*"
    r"[-—–]?\s*(\d+(?:[.,]\d+)?)\s*%\s*in\s*leave\s*-?\s*on\s*products\s*"
    r"[-—–]?\s*(\d+(?:[.,]\d+)?)\s*%\s*in\s*rinse\s*-?\s*off\s*products\.?",
    re.IGNORECASE | re.DOTALL,
)
_LETTER_RE = re.compile(r"(?:^|(?<=[\s.;,]))\(?([a-h])\)(?=\s|$)")
_VALUE_RE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(%|mg\s*/\s*kg|ppm)(?:\s*\(\s*(?:as\s+|of\s+|calculated\s+as\s+)?"
    r"([^)]{1,40})\))?",
    re.IGNORECASE,
)
_NOT_IN_RE = re.compile(
    r"not to be used (?:in|on)\s+([^.;]*?)(?=\s+\(?[a-h]\)\s|[.;]|$)", re.IGNORECASE
)
_CHILDREN_RE = re.compile(r"children\s+under\s+(?:3|three)", re.IGNORECASE)
_NON_PRESERVATIVE_RE = re.compile(
    r"for purposes other than inhibiting the development of micro", re.IGNORECASE
)


@dataclass(slots=True)
class ParsedConditions:
    limits: list[dict[str, Any]] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    children_under_3: dict[str, Any] | None = None
    disclosure: dict[str, float] | None = None
    function: str | None = None
    notes: list[str] = field(default_factory=list)

    def rule(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "limits": self.limits,
            "scope": self.scope,
            "excluded": self.excluded,
        }
        if self.children_under_3:
            out["children_under_3"] = self.children_under_3
        if self.disclosure:
            out["disclosure"] = self.disclosure
        if self.function:
            out["function"] = self.function
        if self.notes:
            out["parse_notes"] = self.notes
        return out


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def strip_disclosure(text: str) -> tuple[str, dict[str, float] | None]:
    """Remove the labelling-disclosure clause; return the rest and its thresholds."""
    match = _DISCLOSURE_RE.search(text or "")
    if match is None:
        return text or "", None
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    return rest, {"leave_on_pct": _num(match.group(1)), "rinse_off_pct": _num(match.group(2))}


def parse_value(text: str) -> tuple[float, str | None] | None:
    """The limit in a piece of text, in % w/w ("0.5% (acid)", "50 mg/kg", "10 ppm").

    Where the text gives a range ("> 0,1 % <= 6 %") the bound after "<=" is the limit;
    several values (general and professional use) give the lowest."""
    text = (text or "").replace("≤", "<=")
    if "<=" in text:
        text = text[text.rindex("<=") + 2 :]
    values: list[tuple[float, str | None]] = []
    for match in _VALUE_RE.finditer(text):
        value = _num(match.group(1))
        unit = match.group(2).lower().replace(" ", "")
        if unit in ("mg/kg", "ppm"):
            value *= 1e-4
        expressed = match.group(3).strip() if match.group(3) else None
        if expressed and re.search(r"\d", expressed):
            expressed = None
        values.append((value, expressed))
    if not values:
        return None
    return min(values, key=lambda v: v[0])


def _lettered(text: str) -> dict[str, str]:
    """{"a": "...", "b": "..."} for "(a) ... (b) ..." text; {} when it has no letters."""
    parts: dict[str, str] = {}
    matches = list(_LETTER_RE.finditer(text or ""))
    if not matches:
        return {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        letter = match.group(1).lower()
        parts[letter] = (parts.get(letter, "") + " " + text[match.end() : end]).strip()
    return parts


def product_tags(text: str) -> list[str] | None:
    """Product-type tags named by a piece of text; [] for "other products"; None when the
    text names no product type this engine knows."""
    low = (text or "").lower().replace(" -", "-").replace("- ", "-")
    low = re.split(r"\bexcept\b", low)[0]
    if re.search(r"\bother (products|uses)\b", low) and not re.search(r"rinse|leave|oral", low):
        return []
    tags: list[str] = []
    hair = "hair" in low or "shampoo" in low
    if "rinse-off" in low or "rinse off" in low or "shampoo" in low or "produit à ricer" in low:
        tags.append("rinse_off_hair" if hair else "rinse_off")
    if "leave-on" in low or "leave on" in low:
        tags.append("leave_on_hair" if hair else "leave_on")
    if "oral" in low or "toothpaste" in low or "mouthwash" in low:
        tags.append("oral")
    if "eye" in low or "eyelash" in low or "eyebrow" in low:
        tags.append("eye_area")
    if re.search(r"\blip", low):
        tags.append("lip")
    if "nail" in low:
        tags.append("nail")
    if "mucous" in low:
        tags.append("mucous")
    if hair and not any(t.endswith("_hair") for t in tags):
        tags.append("hair")
    if "face" in low and not tags:
        tags.append("leave_on_face")
    return list(dict.fromkeys(tags)) or None


def parse_conditions(
    product_type_text: str = "",
    max_text: str = "",
    other_text: str = "",
    warnings_text: str = "",
) -> ParsedConditions:
    """Read limits, scope and conditions from the free-text columns of an annex row."""
    parsed = ParsedConditions()
    texts = []
    for text in (max_text, other_text):
        stripped, disclosure = strip_disclosure(text)
        if disclosure:
            parsed.disclosure = disclosure
        texts.append(stripped)
    max_text, other_text = texts
    all_text = " ".join((product_type_text or "", other_text, warnings_text or ""))
    types = _lettered(product_type_text)
    values = _lettered(max_text)
    _read_limits(parsed, types, values, max_text)
    _read_scope(parsed, product_type_text, types, values)
    _read_exclusions(parsed, other_text)
    if _CHILDREN_RE.search(all_text) and re.search(r"not to be used", all_text, re.IGNORECASE):
        except_tags: list[str] = []
        found = re.search(r"except(?: for| in)?\s+([^.;()]*)", all_text, re.IGNORECASE)
        if found:
            except_tags = product_tags(found.group(1)) or []
        parsed.children_under_3 = {"prohibited": True, "except": except_tags}
    if _NON_PRESERVATIVE_RE.search(all_text):
        parsed.function = "non_preservative"
    return parsed


def _read_limits(
    parsed: ParsedConditions, types: dict[str, str], values: dict[str, str], max_text: str
) -> None:
    """One limit per lettered value, for the product types its letter names; a value
    without letters applies to every product type."""
    if not values:
        value = parse_value(max_text)
        if value is not None:
            parsed.limits.append(_limit(value, []))
        return
    for letter, value_text in values.items():
        value = parse_value(value_text)
        if value is None:
            continue
        tags = product_tags(types.get(letter, "")) if types else None
        if tags is None:
            tags = product_tags(value_text) or []
            if types.get(letter):
                parsed.notes.append(
                    f"({letter}) {types[letter]!r}: product type not mapped; limit applied to "
                    "every product type"
                )
        if not tags and types:
            # "Other products": every product type the other letters do not name.
            named = [product_tags(t) or [] for other, t in types.items() if other != letter]
            covered = set(expand_scope(tag for tags_ in named for tag in tags_))
            if covered:
                tags = [pt for pt in PRODUCT_TYPES if pt not in covered]
        parsed.limits.append(_limit(value, tags))


def _read_scope(
    parsed: ParsedConditions, product_type_text: str, types: dict[str, str], values: dict[str, str]
) -> None:
    """Where the entry may be used ("Only for rinse-off products"), or may not be."""
    if product_type_text and not types:
        low = product_type_text.lower()
        tags = product_tags(product_type_text)
        if low.strip().startswith("not to be used") or "not to be used in" in low:
            parsed.excluded.extend(tags or [])
        elif tags:
            parsed.scope.extend(tags)
    elif types and not values:
        scope: list[str] = []
        for letter_text in types.values():
            scope.extend(product_tags(letter_text) or [])
        if scope and "other" not in " ".join(types.values()).lower():
            parsed.scope.extend(dict.fromkeys(scope))


def _read_exclusions(parsed: ParsedConditions, other_text: str) -> None:
    """ "Not to be used in ..." phrases of the conditions (children are a rule of their own)."""
    for match in _NOT_IN_RE.finditer(other_text or ""):
        phrase = match.group(1)
        if _CHILDREN_RE.search(phrase):
            continue
        for tag in product_tags(phrase) or []:
            if tag not in parsed.excluded:
                parsed.excluded.append(tag)


def _limit(value: tuple[float, str | None], tags: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"max_pct": round(value[0], 10), "applies_to": tags}
    if value[1]:
        out["expressed_as"] = value[1]
    return out
