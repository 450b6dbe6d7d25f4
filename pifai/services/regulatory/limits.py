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
from pifai.services.regulatory.product_types import UNEXPRESSIBLE, product_tags

_DISCLOSURE_RE = re.compile(
    r"(?:\(\w\)\s*)*the presence of the substances?(?: or substances)? (?:must|shall) be "
    r"indicated.*?exceeds\s*:?\s*"
    r"[-—–]?\s*(\d+(?:[.,]\d+)?)\s*%\s*in\s*leave\s*-?\s*on\s*products\s*"
    r"[-—–]?\s*(\d+(?:[.,]\d+)?)\s*%\s*in\s*rinse\s*-?\s*off\s*products\.?",
    re.IGNORECASE | re.DOTALL,
)
_LETTER_RE = re.compile(
    r"(?:^|(?<=[\s.;,:]))(?:\(([a-p])\)(?![\w(])|\(([a-p])\)(?=[A-Z])|([a-p])\)(?=\s|$))"
)
# "For (a) and (b): 0,2 %": one value for several lettered product types.
_FOR_LETTERS_RE = re.compile(
    r"for\s+((?:\(?[a-p]\)\s*(?:,|and|&)?\s*)+):\s*([^\n;]+)", re.IGNORECASE
)
# Footnotes of the maximum-concentration column (transitional dates, impurities).
_FOOTNOTE_RE = re.compile(r"(?:^|\n)\s*(?:footnote\b|\(\*+\d*\)\s*from\b).*", re.I | re.S)
_VALUE_RE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(%|mg\s*/\s*kg|ppm)(?:\s*\(\s*(?:as\s+|of\s+|calculated\s+as\s+)?"
    r"([^)]{1,40})\))?",
    re.IGNORECASE,
)
_NOT_IN_RE = re.compile(
    r"not to be used (?:in|on)\s+([^.;]*?)(?=\s+\(?[a-h]\)\s|[.;]|$)", re.IGNORECASE
)
_HAIR_DYE_RE = re.compile(
    r"hair dye|hair dyeing|colouring eyelashes|col\W*ouring eye|eyelash|hair colour", re.I
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
    text = text or ""
    for shared in _FOR_LETTERS_RE.finditer(text):
        letters = re.findall(r"\(?([a-p])\)", shared.group(1))
        expanded = " ".join(f"({letter}) {shared.group(2)}" for letter in letters)
        text = text.replace(shared.group(0), expanded)
    parts: dict[str, str] = {}
    matches = list(_LETTER_RE.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        letter = next(g for g in match.groups() if g).lower()
        parts[letter] = (parts.get(letter, "") + " " + text[match.end() : end]).strip()
    return parts


def _expressible(tags: list[str] | None) -> list[str] | None:
    """The tags, or None for a category the engine cannot express (see product_types)."""
    return None if tags == [UNEXPRESSIBLE] else tags


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
    max_text = _FOOTNOTE_RE.sub("", max_text)
    all_text = " ".join((product_type_text or "", other_text, warnings_text or ""))
    types = _lettered(product_type_text)
    values = _lettered(max_text)
    _read_limits(parsed, types, values, max_text)
    _read_scope(parsed, product_type_text, types, values, max_text)
    _read_exclusions(parsed, other_text)
    if _CHILDREN_RE.search(all_text) and re.search(r"not to be used", all_text, re.IGNORECASE):
        except_tags: list[str] = []
        found = re.search(r"except(?: for| in)?\s+([^.;()]*)", all_text, re.IGNORECASE)
        if found:
            spared = re.split(r"\bnot\b", found.group(1), flags=re.IGNORECASE)[0]
            except_tags = _expressible(product_tags(spared)) or []
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
    named = {letter: product_tags(text) for letter, text in types.items()}
    for letter, value_text in values.items():
        value = parse_value(value_text)
        if value is None:
            continue
        tags = named.get(letter) if types else None
        if tags == [UNEXPRESSIBLE]:
            parsed.notes.append(
                f"({letter}) {types[letter]!r}: a category the engine cannot tell from the "
                f"product type; its limit {value_text.strip()!r} is kept as text, not enforced"
            )
            continue
        if tags is None:
            tags = _expressible(product_tags(value_text)) or []
            if types.get(letter):
                parsed.notes.append(
                    f"({letter}) {types[letter]!r}: product type not mapped; limit applied to "
                    "every product type"
                )
        if not tags and types:
            # "Other products": every product type the other letters do not name.
            others = [_expressible(t) or [] for other, t in named.items() if other != letter]
            covered = set(expand_scope(tag for tags_ in others for tag in tags_))
            if covered:
                tags = [pt for pt in PRODUCT_TYPES if pt not in covered]
        parsed.limits.append(_limit(value, tags))


def _read_scope(
    parsed: ParsedConditions,
    product_type_text: str,
    types: dict[str, str],
    values: dict[str, str],
    max_text: str,
) -> None:
    """Where the entry may be used ("Only for rinse-off products"), or may not be."""
    if product_type_text and not types:
        low = product_type_text.lower()
        tags = product_tags(product_type_text)
        if tags == [UNEXPRESSIBLE]:
            parsed.notes.append(
                f"product type {product_type_text.strip()!r}: a category the engine cannot "
                "tell from the product type; kept as text"
            )
        elif _HAIR_DYE_RE.search(product_type_text):
            # A hair-dye entry: its limits hold for hair products, and it says nothing of
            # the substance's use as a colorant elsewhere (Annex IV decides that).
            for limit in parsed.limits:
                limit["applies_to"] = limit["applies_to"] or ["hair"]
        elif low.strip().startswith("not to be used") or "not to be used in" in low:
            parsed.excluded.extend(tags or [])
        elif tags:
            parsed.scope.extend(tags)
    elif types:
        # Every letter names product types: the entry is permitted in those alone. Not so
        # for a hair-dye entry: it restricts the substance as a hair dye, and says nothing
        # of its use as a colorant elsewhere (Annex IV decides that).
        named = [product_tags(text) for text in types.values()]
        hair_dye = all(_HAIR_DYE_RE.search(text) for text in types.values())
        if not hair_dye and all(tags and tags != [UNEXPRESSIBLE] for tags in named):
            parsed.scope.extend(dict.fromkeys(tag for tags in named for tag in tags or ()))
    elif not product_type_text and values == {}:
        # "0,0015 % Rinse-off products": the product type written after the maximum.
        rest = _VALUE_RE.sub(" ", max_text or "").strip(" .;,")
        tags = _expressible(product_tags(rest)) if rest else None
        if tags:
            parsed.scope.extend(tags)


def _read_exclusions(parsed: ParsedConditions, other_text: str) -> None:
    """ "Not to be used in ..." phrases of the conditions (children are a rule of their own)."""
    for match in _NOT_IN_RE.finditer(other_text or ""):
        phrase = match.group(1)
        if _CHILDREN_RE.search(phrase):
            continue
        for tag in _expressible(product_tags(phrase)) or []:
            if tag not in parsed.excluded:
                parsed.excluded.append(tag)


def _limit(value: tuple[float, str | None], tags: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"max_pct": round(value[0], 10), "applies_to": tags}
    if value[1]:
        out["expressed_as"] = value[1]
    return out
