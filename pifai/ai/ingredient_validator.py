"""Ingredient identity and formula arithmetic for raw formula rows.

CAS check digits, concentration text ("q.s. to 100", "0,5", "0.1~0.5", "50 ppm"),
INCI normalisation and matching against an in-memory `IngredientDictionary` (exact ->
synonym -> fuzzy, with a confidence that falls with distance), then the formula-level
checks: balance rows, the 100 % +/- 2 % total, duplicate rows and ordering.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rapidfuzz import fuzz, process

from pifai.ai.document_parser import RawRow

MatchMethod = Literal["exact", "synonym", "fuzzy", "cas", "unknown"]

TOTAL_TOLERANCE = 2.0
FUZZY_CUTOFF = 80.0
UNKNOWN_CONFIDENCE = 0.3

# --- CAS ------------------------------------------------------------------------------

_CAS_FORMAT = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")
_CAS_FIND = re.compile(r"(?<![\d-])(\d{2,7})-(\d{2})-(\d)(?![\d-])")


def cas_check_digit(body: str) -> int:
    """Check digit of the CAS digits before it: position from the right, starting at 1."""
    digits = [int(ch) for ch in body if ch.isdigit()]
    return sum(i * d for i, d in enumerate(reversed(digits), start=1)) % 10


def is_valid_cas(cas: str) -> bool:
    match = _CAS_FORMAT.match(cas.strip())
    if match is None:
        return False
    return cas_check_digit(match.group(1) + match.group(2)) == int(match.group(3))


def find_cas_numbers(text: str | None) -> list[str]:
    """Every CAS-shaped token in a cell ("56-81-5 / 7732-18-5"), valid or not."""
    if not text:
        return []
    normal = unicodedata.normalize("NFKC", text).replace("‐", "-").replace("–", "-")
    return ["-".join(m.groups()) for m in _CAS_FIND.finditer(normal)]


# --- concentrations -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Concentration:
    """A concentration in % w/w; `value` is None for balance rows and missing values."""

    value: float | None
    is_balance: bool = False
    notes: tuple[str, ...] = ()
    valid: bool = True


_BALANCE_RE = re.compile(
    r"^(?:q\.?\s*s\.?\s*p?\.?|qsp|ad|to|balance|bal\.?|remainder|rest|up\s*to|add\s*to"
    r"|適量|适量|余量|餘量|補足|补足|加至|補至|补至)"
    r"(?:\s*(?:ad|to|至)?\s*100\s*(?:%|g|w/w)?)?\.?$",
    re.IGNORECASE,
)
_NUMBER = r"\d+(?:[.,]\d+)?(?:e-?\d+)?"
_UNIT_RE = re.compile(
    r"\s*(%\s*\(?w/w\)?|%\s*wt|wt\s*%|w/w\s*%?|%|ppm|mg/kg|‰|per\s*mille|permille)\s*$",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(rf"^({_NUMBER})\s*%?\s*(?:-|~|to|至|–|—)\s*({_NUMBER})$", re.IGNORECASE)
_BOUND_RE = re.compile(rf"^(<=|>=|<|>|≤|≥|≦|≧|max\.?|min\.?|up to)\s*({_NUMBER})$", re.IGNORECASE)
_EMPTY = {"", "-", "—", "n/a", "na", "none", "/", "?", "tbd"}


def _to_float(text: str, thousands: bool = False) -> float:
    # A comma is a decimal comma ("0,5"), except "1,000 ppm" where it groups thousands.
    if "," in text:
        head, _, tail = text.partition(",")
        grouped = thousands and len(tail) == 3 and head not in ("0", "")
        text = head + tail if grouped else head + "." + tail
    return float(text)


def parse_concentration(raw: str | float | int | None) -> Concentration:
    """Parse a concentration cell into % w/w; never raises."""
    if raw is None:
        return Concentration(None, notes=("no concentration given",))
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
        return _checked(value, ()) if math.isfinite(value) else _invalid(str(raw))
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    text = " ".join(text.split())
    if text in _EMPTY:
        return Concentration(None, notes=("no concentration given",))
    if _BALANCE_RE.match(text):
        return Concentration(None, is_balance=True, notes=(f"{raw!s} read as balance to 100%",))
    factor, unit_note = 1.0, None
    unit = _UNIT_RE.search(text)
    if unit is not None:
        word = unit.group(1).replace(" ", "")
        if word in ("ppm", "mg/kg"):
            factor, unit_note = 1e-4, f"{raw!s}: ppm converted to %"
        elif word in ("‰", "permille"):
            factor, unit_note = 0.1, f"{raw!s}: per mille converted to %"
        text = text[: unit.start()].strip()
    notes: list[str] = [unit_note] if unit_note else []
    try:
        if match := _RANGE_RE.match(text):
            low, high = _to_float(match.group(1)) * factor, _to_float(match.group(2)) * factor
            if low > high:
                low, high = high, low
            notes.append(f"range {raw!s}: upper bound {_fmt(high)}% used")
            return _checked(high, tuple(notes))
        if match := _BOUND_RE.match(text):
            sign, value = match.group(1), _to_float(match.group(2)) * factor
            if sign.startswith((">", "≥", "≧", "min")):
                notes.append(f"{raw!s}: only a lower bound is given")
            else:
                notes.append(f"{raw!s}: upper bound {_fmt(value)}% used")
            return _checked(value, tuple(notes))
        if re.fullmatch(_NUMBER, text):
            return _checked(_to_float(text, factor < 1e-3) * factor, tuple(notes))
    except ValueError:
        pass
    return _invalid(str(raw))


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _checked(value: float, notes: tuple[str, ...]) -> Concentration:
    if not math.isfinite(value) or value < 0 or value > 100:
        return Concentration(
            None, notes=(*notes, f"{_fmt(value)}% is not a valid share"), valid=False
        )
    return Concentration(value, notes=notes)


def _invalid(raw: str) -> Concentration:
    return Concentration(None, notes=(f"concentration {raw!r} not understood",), valid=False)


# --- names ----------------------------------------------------------------------------

# Names a label may use for one ingredient; the dictionary decides which one is canonical.
BUILTIN_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("Water", "Aqua", "Eau", "Aqua/Water", "Water/Aqua", "Aqua/Water/Eau", "Water/Aqua/Eau",
     "Purified Water", "Deionized Water", "Demineralized Water", "Distilled Water",
     "水", "純水", "純化水", "去離子水", "精製水", "蒸餾水"),
    ("Fragrance", "Parfum", "Perfume", "Fragrance/Parfum", "Parfum/Fragrance", "香料", "香精"),
    ("Glycerin", "Glycerine", "Glycerol", "甘油"),
    ("Alcohol", "Ethanol", "Alcohol Denat.", "乙醇", "酒精"),
    ("Tocopherol", "Vitamin E", "維生素E"),
    ("Niacinamide", "Nicotinamide", "Vitamin B3", "菸鹼醯胺", "煙醯胺"),
    ("Panthenol", "D-Panthenol", "Dexpanthenol", "Provitamin B5", "泛醇"),
    ("Mineral Oil", "Paraffinum Liquidum", "Liquid Paraffin", "礦物油"),
    ("Beeswax", "Cera Alba", "蜂蠟"),
)  # fmt: skip


def normalize_name(name: str) -> str:
    """Display-level clean-up: width, spacing, dashes, stray marks and trailing notes."""
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"[*†‡#]+", "", text)
    text = re.sub(r"\s*([/,()\-])\s*", r"\1", text)
    text = re.sub(r"\(\s*and\s*\)", " (and) ", text, flags=re.IGNORECASE)
    text = " ".join(text.split()).strip(" .;:。")
    return text


def name_key(name: str) -> str:
    """Matching key: lower case, letters, digits and CJK only ("PEG-40" == "peg 40")."""
    text = normalize_name(name).lower()
    return "".join(ch for ch in text if ch.isalnum())


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def name_variants(name: str) -> list[str]:
    """The name, then its parts: "Aqua (Water)", "Glycerin 甘油", "水 Water"."""
    text = normalize_name(name)
    variants = [text]
    inner = re.findall(r"\(([^()]+)\)", text)
    outer = re.sub(r"\([^()]*\)", " ", text).strip()
    variants += [outer, *inner]
    if _has_cjk(text):
        latin = re.sub(r"[\u3400-\u9fff\uff00-\uffef（）]+", " ", text).strip(" ()/-")
        cjk = "".join(re.findall(r"[\u3400-\u9fff0-9,\-]+", text)).strip(",-")
        variants += [latin, cjk]
    if "/" in text:
        variants += text.split("/")
    return [v for v in dict.fromkeys(v.strip() for v in variants) if name_key(v)]


@dataclass(frozen=True, slots=True)
class DictionaryEntry:
    inci: str
    cas: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    zh_names: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    entry: DictionaryEntry | None
    method: MatchMethod
    confidence: float
    matched_on: str | None = None


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in re.split(r"[;|]", value) if p.strip())
    return tuple(str(v).strip() for v in value if str(v).strip())


class IngredientDictionary:
    """INCI names, synonyms, Chinese names and CAS numbers indexed for matching."""

    def __init__(self, entries: Iterable[DictionaryEntry]) -> None:
        self.entries: list[DictionaryEntry] = []
        self._exact: dict[str, DictionaryEntry] = {}
        self._synonym: dict[str, DictionaryEntry] = {}
        self._cas: dict[str, DictionaryEntry] = {}
        for entry in entries:
            self.add(entry)
        self._fuzzy_keys: list[str] = []
        self._fuzzy_entries: list[DictionaryEntry] = []
        self._build_fuzzy()

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> IngredientDictionary:
        """Rows with keys inci, cas, synonyms, zh_names, functions (lists or strings split
        on ';' or '|'); the shipped CSV's names (inci_name, cas_numbers, zh_name) also work."""

        def get(row: Mapping[str, Any], *keys: str) -> Any:
            return next((row[k] for k in keys if row.get(k)), None)

        return cls(
            DictionaryEntry(
                inci=str(get(row, "inci", "inci_name")).strip(),
                cas=_as_tuple(get(row, "cas", "cas_numbers")),
                synonyms=_as_tuple(get(row, "synonyms")),
                zh_names=_as_tuple(get(row, "zh_names", "zh_name")),
                functions=_as_tuple(get(row, "functions", "function")),
            )
            for row in rows
            if get(row, "inci", "inci_name")
        )

    def add(self, entry: DictionaryEntry) -> None:
        self.entries.append(entry)
        self._exact.setdefault(name_key(entry.inci), entry)
        for alias in (*entry.synonyms, *entry.zh_names):
            self._synonym.setdefault(name_key(alias), entry)
        for cas in entry.cas:
            self._cas.setdefault(cas.strip(), entry)

    def _build_fuzzy(self) -> None:
        pairs: dict[str, DictionaryEntry] = {}
        for entry in self.entries:
            for alias in (entry.inci, *entry.synonyms):
                key = name_key(alias)
                if len(key) >= 4 and not _has_cjk(key):
                    pairs.setdefault(key, entry)
        self._fuzzy_keys = list(pairs)
        self._fuzzy_entries = list(pairs.values())

    def by_cas(self, cas: str) -> DictionaryEntry | None:
        return self._cas.get(cas.strip())

    def _lookup(self, key: str) -> tuple[DictionaryEntry, MatchMethod] | None:
        if key in self._exact:
            return self._exact[key], "exact"
        if key in self._synonym:
            return self._synonym[key], "synonym"
        for group in BUILTIN_SYNONYMS:
            keys = [name_key(n) for n in group]
            if key in keys:
                for other in keys:
                    hit = self._exact.get(other) or self._synonym.get(other)
                    if hit is not None:
                        return hit, "synonym"
        return None

    def match(self, name: str) -> Match:
        """Exact, then synonym (dictionary and built-in), then fuzzy; else unknown."""
        variants = name_variants(name)
        for rank, variant in enumerate(variants):
            found = self._lookup(name_key(variant))
            if found is not None:
                entry, method = found
                confidence = 1.0 if method == "exact" else 0.95
                # A hit on one part of a bilingual or bracketed name is slightly less sure.
                return Match(entry, method, confidence - (0.03 if rank else 0.0), variant)
        best: tuple[str, float, int] | None = None
        for variant in variants:
            key = name_key(variant)
            if len(key) < 4 or _has_cjk(key) or not self._fuzzy_keys:
                continue
            hit = process.extractOne(
                key, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
            )
            if hit is not None and (best is None or hit[1] > best[1]):
                best = (variant, float(hit[1]), int(hit[2]))
        if best is not None:
            # 100 -> 0.9, 90 -> 0.7, 80 -> 0.5: confidence falls with edit distance.
            confidence = max(0.5, 0.9 - (100.0 - best[1]) * 0.02)
            return Match(self._fuzzy_entries[best[2]], "fuzzy", round(confidence, 3), best[0])
        return Match(None, "unknown", UNKNOWN_CONFIDENCE)


# --- rows and formulas ----------------------------------------------------------------


@dataclass(slots=True)
class ValidatedRow:
    inci: str
    raw_name: str
    cas: str | None
    concentration: float | None
    function: str | None
    confidence: float
    method: MatchMethod
    is_balance: bool = False
    flagged: bool = False
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ValidatedFormula:
    rows: list[ValidatedRow]
    total: float | None
    confidence: float
    findings: list[str] = field(default_factory=list)


def validate_row(row: RawRow, dictionary: IngredientDictionary) -> ValidatedRow:
    notes: list[str] = []
    flagged = False
    conc = parse_concentration(row.concentration)
    if row.concentration is not None or conc.is_balance:
        notes += [n for n in conc.notes if n != "no concentration given"]
    if not conc.valid:
        flagged = True

    match = dictionary.match(row.name)
    if match.entry is None and row.alt_name:
        alt = dictionary.match(row.alt_name)
        if alt.entry is not None:
            match = Match(alt.entry, alt.method, alt.confidence - 0.05, alt.matched_on)
    confidence = match.confidence
    entry = match.entry
    if match.method == "fuzzy":
        notes.append(f"{row.name!r} matched approximately to {entry.inci if entry else ''!r}")
        flagged = True

    cas_given = find_cas_numbers(row.cas)
    valid_cas = [c for c in cas_given if is_valid_cas(c)]
    for bad in sorted(set(cas_given) - set(valid_cas)):
        notes.append(f"CAS {bad} fails its check digit")
        flagged = True
        confidence -= 0.1
    if row.cas and not cas_given and row.cas.strip().lower() not in ("mixture", "混合物"):
        notes.append(f"CAS {row.cas!r} is not a CAS number")
    cas: str | None = valid_cas[0] if valid_cas else None

    if entry is not None and valid_cas:
        if not set(valid_cas) & set(entry.cas):
            by_cas = [e for e in (dictionary.by_cas(c) for c in valid_cas) if e is not None]
            if by_cas and by_cas[0] is not entry:
                notes.append(f"name says {entry.inci}, CAS {cas} says {by_cas[0].inci}")
                confidence *= 0.6
            else:
                notes.append(f"CAS {cas} is not on record for {entry.inci}")
                confidence -= 0.15
            flagged = True
        else:
            cas = next(c for c in valid_cas if c in entry.cas)
            if match.method == "fuzzy":
                confidence = min(0.95, confidence + 0.1)  # the CAS confirms the guess
    elif entry is None and valid_cas:
        by_cas_entry = next((e for c in valid_cas if (e := dictionary.by_cas(c))), None)
        if by_cas_entry is not None:
            entry, match = by_cas_entry, Match(by_cas_entry, "cas", 0.7)
            confidence = 0.7
            notes.append(f"identified by CAS {cas} as {entry.inci}; the name was not recognised")
            flagged = True
    elif entry is not None and not valid_cas and len(entry.cas) == 1:
        cas = entry.cas[0]
        notes.append(f"CAS {cas} taken from the ingredient dictionary")

    if entry is None:
        notes.append(f"{row.name!r} is not in the ingredient dictionary")
        flagged = True
        confidence = min(confidence, UNKNOWN_CONFIDENCE)
    inci = entry.inci if entry else normalize_name(row.name)
    function = row.function or (", ".join(entry.functions) if entry and entry.functions else None)
    return ValidatedRow(
        inci=inci,
        raw_name=row.name,
        cas=cas,
        concentration=conc.value,
        function=function,
        confidence=round(max(0.0, min(1.0, confidence)), 3),
        method=match.method if entry else "unknown",
        is_balance=conc.is_balance,
        flagged=flagged,
        notes=notes,
        sources=[row.source],
    )


def _merge(rows: list[ValidatedRow]) -> list[ValidatedRow]:
    """One row per ingredient; concentrations of repeated rows are added up."""
    merged: dict[str, ValidatedRow] = {}
    for row in rows:
        key = name_key(row.inci)
        first = merged.get(key)
        if first is None:
            merged[key] = row
            continue
        if first.concentration is not None and row.concentration is not None:
            first.concentration = round(first.concentration + row.concentration, 10)
        elif row.concentration is not None and not first.is_balance:
            first.concentration = row.concentration
        first.is_balance = first.is_balance or row.is_balance
        first.notes.append(
            f"merged with the duplicate row at {', '.join(row.sources)}"
            + (f" ({row.raw_name!r})" if row.raw_name != first.raw_name else "")
        )
        first.notes += [n for n in row.notes if n not in first.notes]
        first.sources += row.sources
        first.cas = first.cas or row.cas
        first.function = first.function or row.function
        first.confidence = min(first.confidence, row.confidence)
        first.flagged = first.flagged or row.flagged
    return list(merged.values())


def validate_formula(rows: Sequence[RawRow], dictionary: IngredientDictionary) -> ValidatedFormula:
    """Rows identified, balanced, merged, checked against 100 % and sorted descending."""
    findings: list[str] = []
    validated = _merge([validate_row(r, dictionary) for r in rows])
    if not validated:
        return ValidatedFormula([], None, 0.0, ["the formula has no ingredient rows"])

    balance = [r for r in validated if r.is_balance]
    fixed = sum(r.concentration or 0.0 for r in validated if not r.is_balance)
    if balance:
        remainder = round(100.0 - fixed, 6)
        if len(balance) > 1:
            findings.append(
                f"{len(balance)} balance rows ({', '.join(r.inci for r in balance)}); "
                f"the remainder is given to {balance[0].inci}"
            )
        if remainder < 0:
            findings.append(f"the other rows already total {_fmt(fixed)}%; no room for balance")
            remainder = 0.0
        for index, row in enumerate(balance):
            row.concentration = remainder if index == 0 else 0.0
            row.notes.append(f"balance: 100 - {_fmt(fixed)} = {_fmt(row.concentration)}%")

    missing = [r for r in validated if r.concentration is None]
    if len(missing) == len(validated):
        findings.append("no concentrations given (an ingredient list); the total cannot be checked")
        total: float | None = None
    else:
        if missing:
            findings.append(
                f"{len(missing)} row(s) without a concentration: "
                + ", ".join(r.inci for r in missing[:10])
            )
            for row in missing:
                row.flagged = True
        total = round(sum(r.concentration or 0.0 for r in validated), 6)
        if abs(total - 100.0) > TOTAL_TOLERANCE:
            findings.append(
                f"concentrations total {_fmt(total)}%, outside 100% +/- {_fmt(TOTAL_TOLERANCE)}%"
            )

    # Stable sort: label lists (no concentrations) keep their printed order.
    validated.sort(key=lambda r: -(r.concentration if r.concentration is not None else -1.0))
    confidence = sum(r.confidence for r in validated) / len(validated)
    if total is not None and abs(total - 100.0) > TOTAL_TOLERANCE:
        confidence *= 0.8
    if missing and total is not None:
        confidence *= 0.9
    return ValidatedFormula(validated, total, round(confidence, 3), findings)
