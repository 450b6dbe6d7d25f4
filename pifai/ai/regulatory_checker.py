"""The regulatory rule engine: a formula and a product type in, cited findings out.

Pure and fast: it works on an in-memory :class:`RegulatorySnapshot` of the store (built
once from the shipped data or the database, rebuilt after an import) and does no I/O.

Severities (issue 8):

- ``critical``: a prohibited substance, at any concentration.
- ``high``: over a limit; a preservative, UV filter or colorant not on the positive list
  for the way it is used; wrong product type or body site; not for children under 3;
  a group limit (parabens...) exceeded; a CMR 1A/1B substance no entry permits.
- ``advisory``: the TFDA rule is met but the EU rule is stricter.
- ``info``: label disclosure required (fragrance allergens), warnings to print, missing
  data. A disclosure threshold is never treated as a limit.

Authority order for a Taiwan filing: a TFDA rule decides; where the store has no TFDA
rule for the substance (and use), the EU rule binds (silence never means "allowed");
where the TFDA rule is met and the EU rule is stricter, the EU rule is reported as
advisory. Every finding carries the citation of the entry it comes from.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pifai.ai.ingredient_validator import (
    DictionaryEntry,
    IngredientDictionary,
    MatchMethod,
    find_cas_numbers,
    is_valid_cas,
    name_key,
    name_variants,
    normalize_name,
)
from pifai.domain import (
    LEAVE_ON,
    POSITIVE_LISTS,
    PRODUCT_TYPES,
    RINSE_OFF,
)

Severity = Literal["critical", "high", "advisory", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "high": 1, "advisory": 2, "info": 3}


# Symbolic scopes used by the data files and the limit parser.
SCOPE_TAGS: dict[str, frozenset[str]] = {
    "all": frozenset(PRODUCT_TYPES),
    "leave_on": LEAVE_ON,
    "rinse_off": RINSE_OFF,
    "hair": frozenset({"leave_on_hair", "rinse_off_hair"}),
    "skin": frozenset({"leave_on_face", "leave_on_body", "rinse_off_skin", "eye_area", "lip"}),
    "mucous": frozenset({"eye_area", "lip", "oral"}),
    "non_oral": frozenset(PRODUCT_TYPES) - {"oral"},
    "eye": frozenset({"eye_area"}),
    "face": frozenset({"leave_on_face"}),
    "body": frozenset({"leave_on_body"}),
    **{pt: frozenset({pt}) for pt in PRODUCT_TYPES},
}


def expand_scope(tags: Iterable[str]) -> frozenset[str]:
    """Product types covered by symbolic tags ("rinse_off", "mucous", "leave_on_face")."""
    out: set[str] = set()
    for tag in tags:
        known = SCOPE_TAGS.get(tag)
        if known is None:
            raise ValueError(f"unknown product-type scope {tag!r}")
        out |= known
    return frozenset(out)


# --- entries -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limit:
    max_pct: float
    applies_to: frozenset[str] = frozenset()  # empty: every product type not named elsewhere
    expressed_as: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class GroupLimit:
    key: str
    max_pct: float
    expressed_as: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Disclosure:
    leave_on_pct: float
    rinse_off_pct: float

    def threshold(self, product_type: str) -> float:
        return self.rinse_off_pct if product_type in RINSE_OFF else self.leave_on_pct


@dataclass(frozen=True, slots=True, eq=False)
class RegEntry:
    """One entry of one list, with its rule and its citation."""

    key: str
    authority: str
    list_type: str
    entry_ref: str
    name: str
    names: tuple[str, ...]
    cas: tuple[str, ...]
    limits: tuple[Limit, ...] = ()
    scope: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()
    exempt: frozenset[str] = frozenset()
    children_prohibited: bool = False
    children_except: frozenset[str] = frozenset()
    function: str | None = None  # "preservative" | "non_preservative" | None (any use)
    groups: tuple[GroupLimit, ...] = ()
    disclosure: Disclosure | None = None
    conditions: str | None = None
    warnings: str | None = None
    cmr: str | None = None
    cmr_1a_1b: bool = False
    classification: Mapping[str, Any] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)
    verified: bool = False
    verification_note: str | None = None
    effective_date: date | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RegEntry:
        """From a data-file record or a store row (``rule`` holds the rule fields)."""
        rule: Mapping[str, Any] = record.get("rule") or {}
        authority = str(record["authority"])
        list_type = str(record["list_type"])
        entry_ref = str(record["entry_ref"])
        limits = tuple(
            Limit(
                max_pct=float(item["max_pct"]),
                applies_to=expand_scope(item.get("applies_to") or ()),
                expressed_as=item.get("expressed_as"),
                text=item.get("text"),
            )
            for item in rule.get("limits") or ()
            if item.get("max_pct") is not None
        )
        children = rule.get("children_under_3") or {}
        disclosure = rule.get("disclosure")
        effective = record.get("effective_date")
        if isinstance(effective, str):
            effective = date.fromisoformat(effective)
        names = tuple(dict.fromkeys(str(n) for n in (record.get("names") or [record["name"]])))
        return cls(
            key=str(record.get("key") or entry_key(authority, list_type, entry_ref)),
            authority=authority,
            list_type=list_type,
            entry_ref=entry_ref,
            name=str(record["name"]),
            names=names,
            cas=tuple(record.get("cas") or record.get("cas_numbers") or ()),
            limits=limits,
            scope=expand_scope(rule.get("scope") or ()),
            excluded=expand_scope(rule.get("excluded") or ()),
            exempt=expand_scope(rule.get("exempt") or ()),
            children_prohibited=bool(children.get("prohibited")),
            children_except=expand_scope(children.get("except") or ()),
            function=rule.get("function"),
            groups=tuple(
                GroupLimit(
                    key=str(g["key"]),
                    max_pct=float(g["max_pct"]),
                    expressed_as=g.get("expressed_as"),
                    text=g.get("text"),
                )
                for g in rule.get("groups") or ()
            ),
            disclosure=(
                Disclosure(float(disclosure["leave_on_pct"]), float(disclosure["rinse_off_pct"]))
                if disclosure
                else None
            ),
            conditions=rule.get("conditions"),
            warnings=rule.get("warnings"),
            cmr=rule.get("cmr"),
            cmr_1a_1b=bool(rule.get("cmr_1a_1b")),
            classification=dict(rule) if list_type == "classification" else {},
            source=dict(record.get("source") or {}),
            verified=bool(record.get("verified")),
            verification_note=record.get("verification_note"),
            effective_date=effective if isinstance(effective, date) else None,
        )

    def citation(self) -> str:
        """ "TFDA 化粧品禁止使用成分表, entry 'Mercury...' (2024-03-21) [unverified]"."""
        doc = self.source.get("document") or f"{self.authority} {self.list_type} list"
        when = self.source.get("date")
        text = f"{self.authority} {self.entry_ref}: {doc}"
        if when:
            text += f", dated {when}"
        if not self.verified:
            text += " [unverified: see source]"
        return text

    def citation_detail(self) -> dict[str, Any]:
        return {
            "authority": self.authority,
            "list_type": self.list_type,
            "entry_ref": self.entry_ref,
            "entry_name": self.name,
            "document": self.source.get("document"),
            "date": self.source.get("date"),
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "source": dict(self.source),
            "verified": self.verified,
            "verification_note": self.verification_note,
        }

    def applicable_limit(self, product_type: str) -> Limit | None:
        """The limit for this product type: the specific ones first, then the generic one."""
        specific = [lim for lim in self.limits if product_type in lim.applies_to]
        if specific:
            return min(specific, key=lambda lim: lim.max_pct)
        generic = [lim for lim in self.limits if not lim.applies_to]
        return min(generic, key=lambda lim: lim.max_pct) if generic else None


def entry_key(authority: str, list_type: str, entry_ref: str) -> str:
    return f"{authority}:{list_type}:{entry_ref}"


# --- functions of use ----------------------------------------------------------------

_FUNCTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("preservative", ("preservative", "antimicrobial preservative", "防腐", "preserv")),
    ("uv_filter", ("uv filter", "uv absorber", "uv-filter", "sunscreen", "uv", "防曬", "紫外線")),
    ("colorant", ("colorant", "colourant", "pigment", "dye", "colour", "color", "色素", "色料")),
)


def function_category(function: str | None, name: str | None = None) -> str | None:
    """ "preservative", "uv_filter", "colorant", "other" or None when not stated."""
    text = (function or "").strip().lower()
    if text:
        for category, words in _FUNCTION_WORDS:
            if any(w in text for w in words):
                return category
        return "other"
    if name and normalize_name(name).upper().startswith("CI ") and any(c.isdigit() for c in name):
        return "colorant"
    return None


# --- resolution ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Resolution:
    input: str
    inci_name: str | None
    cas: str | None
    match: MatchMethod
    confidence: float
    entries: tuple[RegEntry, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FormulaItem:
    name: str | None
    cas: str | None = None
    concentration_pct: float | None = None
    function: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Finding:
    severity: Severity
    ingredient: str
    rule: str
    authority: str
    list_type: str | None
    limit_pct: float | None
    actual_pct: float | None
    citation: str
    message: str
    entry_key: str | None = None
    verified: bool | None = None
    source: Mapping[str, Any] | None = None

    def identity(self) -> tuple[str, str, str, str | None]:
        """What the finding is about, without the numbers (for comparisons)."""
        return (self.ingredient, self.rule, self.authority, self.entry_key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "ingredient": self.ingredient,
            "rule": self.rule,
            "authority": self.authority,
            "list_type": self.list_type,
            "limit_pct": self.limit_pct,
            "actual_pct": self.actual_pct,
            "citation": self.citation,
            "message": self.message,
            "entry_key": self.entry_key,
            "verified": self.verified,
            "source": dict(self.source) if self.source is not None else None,
        }


@dataclass(slots=True)
class CheckResult:
    product_type: str
    children_under_3: bool
    findings: list[Finding]
    resolved: list[Resolution]

    @property
    def worst(self) -> Severity | None:
        if not self.findings:
            return None
        return min(self.findings, key=lambda f: SEVERITY_ORDER[f.severity]).severity

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in SEVERITY_ORDER}
        for finding in self.findings:
            out[finding.severity] += 1
        return out


class UnknownProductType(ValueError):
    pass


def _pct(value: float) -> str:
    return f"{value:.6g}%"


class RegulatorySnapshot:
    """Every entry of the store, indexed by CAS and name key, plus a name dictionary."""

    def __init__(
        self,
        entries: Iterable[RegEntry],
        dictionary_rows: Iterable[DictionaryEntry] = (),
        *,
        version: str = "",
    ) -> None:
        self.entries: list[RegEntry] = []
        self.by_cas: dict[str, list[RegEntry]] = {}
        self.by_name: dict[str, list[RegEntry]] = {}
        self.classifications: dict[str, list[RegEntry]] = {}
        self.list_types_loaded: set[tuple[str, str]] = set()
        for entry in entries:
            self._add(entry)
        self.version = version or f"{len(self.entries)} entries"
        curated = list(dictionary_rows)
        extra: list[DictionaryEntry] = []
        for entry in self.entries:
            one_cas = entry.cas if len(entry.cas) == 1 and len(entry.names) <= 2 else ()
            for name in entry.names:
                if len(name) <= 120:
                    extra.append(DictionaryEntry(inci=name.upper(), cas=one_cas))
        self.dictionary = IngredientDictionary([*curated, *extra])
        self._cache: dict[tuple[str, str], Resolution] = {}

    def _add(self, entry: RegEntry) -> None:
        self.entries.append(entry)
        if entry.list_type == "classification":
            for cas in entry.cas:
                self.classifications.setdefault(cas, []).append(entry)
            return
        self.list_types_loaded.add((entry.authority, entry.list_type))
        for cas in entry.cas:
            self.by_cas.setdefault(cas, []).append(entry)
        for name in entry.names:
            key = name_key(name)
            if key:
                bucket = self.by_name.setdefault(key, [])
                if entry not in bucket:
                    bucket.append(entry)

    def __len__(self) -> int:
        return len(self.entries)

    # -- lookups --

    def search(self, query: str, limit: int = 20) -> list[RegEntry]:
        """Entries whose names or CAS numbers contain the query (case-insensitive)."""
        key = name_key(query)
        cas = query.strip()
        hits: list[RegEntry] = []
        for entry in self.entries:
            if cas in entry.cas or (key and any(key in name_key(n) for n in entry.names)):
                hits.append(entry)
                if len(hits) >= limit:
                    break
        return hits

    def entries_of(self, list_type: str, authority: str | None = None) -> list[RegEntry]:
        return [
            e
            for e in self.entries
            if e.list_type == list_type and (authority is None or e.authority == authority)
        ]

    def resolve(self, name: str | None, cas: str | None = None) -> Resolution:
        cache_key = (name or "", cas or "")
        hit = self._cache.get(cache_key)
        if hit is None:
            hit = self._resolve(name, cas)
            if len(self._cache) < 50_000:
                self._cache[cache_key] = hit
        return hit

    def _by_name_variants(self, name: str) -> list[RegEntry]:
        found: list[RegEntry] = []
        for variant in name_variants(name):
            for entry in self.by_name.get(name_key(variant), ()):
                if entry not in found:
                    found.append(entry)
        return found

    def _resolve(self, name: str | None, cas: str | None) -> Resolution:
        label = (name or "").strip() or (cas or "").strip()
        notes: list[str] = []
        entries: list[RegEntry] = []
        cas_numbers = find_cas_numbers(cas)
        valid_cas = [c for c in cas_numbers if is_valid_cas(c)]
        for bad in sorted(set(cas_numbers) - set(valid_cas)):
            notes.append(f"CAS {bad} fails its check digit; not used for matching")
        for number in valid_cas:
            for entry in self.by_cas.get(number, ()):
                if entry not in entries:
                    entries.append(entry)
        chosen_cas = valid_cas[0] if valid_cas else None
        inci: str | None = None
        method: MatchMethod = "unknown"
        confidence = 0.3
        if valid_cas:
            dict_entry = self.dictionary.by_cas(valid_cas[0])
            inci = dict_entry.inci if dict_entry else (entries[0].names[0] if entries else None)
            method, confidence = ("cas", 1.0) if (dict_entry or entries) else ("unknown", 0.5)
        if name and name.strip():
            direct = self._by_name_variants(name)
            match = self.dictionary.match(name)
            name_entries = list(direct)
            if match.entry is not None:
                for variant in (match.entry.inci, *match.entry.synonyms):
                    for entry in self.by_name.get(name_key(variant), ()):
                        if entry not in name_entries:
                            name_entries.append(entry)
                for number in match.entry.cas:
                    for entry in self.by_cas.get(number, ()):
                        if entry not in name_entries:
                            name_entries.append(entry)
            if valid_cas and name_entries and not set(name_entries) & set(entries) and entries:
                notes.append("the name and the CAS number point to different entries; both kept")
                confidence = min(confidence, 0.6)
            for entry in name_entries:
                if entry not in entries:
                    entries.append(entry)
            if method == "unknown" or not valid_cas:
                if direct:
                    method, confidence = "exact", 1.0
                    inci = match.entry.inci if match.entry and match.method == "exact" else None
                    inci = inci or direct[0].names[0]
                elif match.entry is not None:
                    method, confidence, inci = match.method, match.confidence, match.entry.inci
                if match.entry is not None and chosen_cas is None and match.entry.cas:
                    chosen_cas = match.entry.cas[0]
            if match.method == "fuzzy":
                notes.append(
                    f"{name!r} matched approximately to {match.entry.inci if match.entry else ''!r}"
                )
        return Resolution(
            input=label,
            inci_name=inci,
            cas=chosen_cas,
            match=method,
            confidence=round(confidence, 3),
            entries=tuple(entries),
            notes=tuple(notes),
        )

    # -- the check --

    def check(
        self,
        items: Sequence[FormulaItem | tuple[str | None, str | None, float | None, str | None]],
        product_type: str,
        *,
        children_under_3: bool = False,
    ) -> CheckResult:
        return check_formula(self, items, product_type, children_under_3=children_under_3)


# --- the engine ----------------------------------------------------------------------


@dataclass(slots=True)
class _Violation:
    kind: str  # "product_type" | "children_under_3" | "over_limit"
    entry: RegEntry
    limit: float | None
    message: str


def _applies(entry: RegEntry, category: str | None, alternatives: set[str]) -> bool:
    """Whether an entry governs this use of the substance.

    Positive-list entries govern their use (preservative, UV filter, colorant), and any
    use the formula does not state; they also govern a declared other use when no entry
    of the same authority covers that other use (a preservative cannot escape its limit
    by being called a solvent). "non_preservative" entries govern every other use.
    """
    if entry.list_type in POSITIVE_LISTS:
        if category is None or category == entry.list_type:
            return True
        return entry.authority not in alternatives
    if entry.function == "preservative":
        return category in (None, "preservative")
    if entry.function == "non_preservative":
        return category != "preservative"
    return True


def _violations(
    entry: RegEntry, product_type: str, children: bool, conc: float | None
) -> list[_Violation]:
    out: list[_Violation] = []
    if entry.scope and product_type not in entry.scope:
        out.append(
            _Violation(
                "product_type",
                entry,
                None,
                f"only permitted in {', '.join(sorted(entry.scope))}, not in {product_type}",
            )
        )
    elif product_type in entry.excluded:
        out.append(_Violation("product_type", entry, None, f"not permitted in {product_type}"))
    if children and entry.children_prohibited and product_type not in entry.children_except:
        out.append(
            _Violation(
                "children_under_3", entry, None, "not to be used in products for children under 3"
            )
        )
    limit = entry.applicable_limit(product_type)
    if out and out[0].kind == "product_type":
        limit = None  # not permitted here at all: a limit for this product type means nothing
    if limit is not None and conc is not None and conc > limit.max_pct + 1e-12:
        what = f" (as {limit.expressed_as})" if limit.expressed_as else ""
        out.append(
            _Violation(
                "over_limit",
                entry,
                limit.max_pct,
                f"{_pct(conc)} exceeds the maximum of {_pct(limit.max_pct)}{what} "
                f"for {product_type}",
            )
        )
    return out


def _finding(
    severity: Severity,
    label: str,
    rule: str,
    entry: RegEntry,
    message: str,
    *,
    limit: float | None = None,
    actual: float | None = None,
) -> Finding:
    return Finding(
        severity=severity,
        ingredient=label,
        rule=rule,
        authority=entry.authority,
        list_type=entry.list_type,
        limit_pct=limit,
        actual_pct=actual,
        citation=entry.citation(),
        message=message,
        entry_key=entry.key,
        verified=entry.verified,
        source=entry.citation_detail(),
    )


def _as_item(
    item: FormulaItem | tuple[str | None, str | None, float | None, str | None],
) -> FormulaItem:
    if isinstance(item, FormulaItem):
        return item
    name, cas, conc, function = item
    return FormulaItem(name=name, cas=cas, concentration_pct=conc, function=function)


def check_formula(
    snapshot: RegulatorySnapshot,
    items: Sequence[FormulaItem | tuple[str | None, str | None, float | None, str | None]],
    product_type: str,
    *,
    children_under_3: bool = False,
) -> CheckResult:
    """Check every row of a formula against the snapshot for one product type."""
    if product_type not in PRODUCT_TYPES:
        raise UnknownProductType(
            f"unknown product type {product_type!r}; expected one of {', '.join(PRODUCT_TYPES)}"
        )
    findings: list[Finding] = []
    resolved: list[Resolution] = []
    groups: dict[str, list[tuple[str, float | None, RegEntry, GroupLimit]]] = {}

    for raw in items:
        item = _as_item(raw)
        resolution = snapshot.resolve(item.name, item.cas)
        resolved.append(resolution)
        label = item.name or item.cas or "(unnamed ingredient)"
        conc = item.concentration_pct
        if conc is not None and (math.isnan(conc) or conc < 0):
            conc = None
        category = function_category(item.function, item.name or resolution.inci_name)
        findings.extend(
            _check_ingredient(
                snapshot, resolution, label, conc, category, product_type, children_under_3, groups
            )
        )

    for members in groups.values():
        group = members[0][3]
        entry = members[0][2]
        known = [(label, c) for label, c, _, _ in members if c is not None]
        total = sum(c for _, c in known)
        if len(members) > 1 and total > group.max_pct + 1e-12:
            names = " + ".join(label for label, _ in known)
            detail = f" ({group.text})" if group.text else ""
            findings.append(
                _finding(
                    "high",
                    names,
                    "group_limit",
                    entry,
                    f"group {group.key}: the sum {_pct(total)} exceeds "
                    f"{_pct(group.max_pct)}{detail}",
                    limit=group.max_pct,
                    actual=round(total, 9),
                )
            )

    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.ingredient, f.rule))
    return CheckResult(product_type, children_under_3, findings, resolved)


def _check_ingredient(
    snapshot: RegulatorySnapshot,
    resolution: Resolution,
    label: str,
    conc: float | None,
    category: str | None,
    product_type: str,
    children: bool,
    groups: dict[str, list[tuple[str, float | None, RegEntry, GroupLimit]]],
) -> list[Finding]:
    out: list[Finding] = []
    entries = resolution.entries
    # Authorities that have an entry for a declared non-positive-list use of this substance.
    alternatives = {
        e.authority
        for e in entries
        if e.list_type not in POSITIVE_LISTS
        and e.list_type != "prohibited"
        and e.function == "non_preservative"
    }
    if category is not None and category != "other":
        alternatives |= {e.authority for e in entries if e.list_type == category}
    applicable = [e for e in entries if _applies(e, category, alternatives)]
    tfda = [e for e in applicable if e.authority == "TFDA"]
    eu = [e for e in applicable if e.authority == "EU"]

    # 1. Prohibited: a violation at any concentration, unless the entry exempts this use.
    tfda_permits = [e for e in tfda if e.list_type != "prohibited"]
    prohibited_hit = False
    for entry in applicable:
        if entry.list_type != "prohibited" or product_type in entry.exempt:
            continue
        if entry.authority == "EU" and tfda_permits:
            out.append(
                _finding(
                    "advisory",
                    label,
                    "prohibited_eu",
                    entry,
                    f"{label} is prohibited in the EU ({entry.entry_ref}); TFDA permits it under "
                    f"{tfda_permits[0].entry_ref}, which decides for Taiwan",
                    actual=conc,
                )
            )
            continue
        prohibited_hit = True
        prefix = (
            ""
            if entry.authority == "TFDA"
            else ("no TFDA entry in the store permits it, so the EU prohibition binds: ")
        )
        out.append(
            _finding(
                "critical",
                label,
                "prohibited",
                entry,
                f"{prefix}{label} is a prohibited substance ({entry.authority} {entry.entry_ref}: "
                f"{entry.name}); not allowed at any concentration",
                actual=conc,
            )
        )

    # 2. Restricted and positive-list entries, TFDA first.
    tfda_rules = [e for e in tfda if e.list_type != "prohibited"]
    eu_rules = [e for e in eu if e.list_type != "prohibited"]
    # TFDA decides within the same list: a TFDA preservative rule covers the EU preservative
    # rule, a TFDA restriction covers the EU restriction, and so on.
    tfda_kinds: dict[str, set[str]] = {}
    for entry in tfda_rules:
        for v in _violations(entry, product_type, children, conc):
            tfda_kinds.setdefault(entry.list_type, set()).add(v.kind)
            out.append(
                _finding(
                    "high",
                    label,
                    v.kind,
                    entry,
                    f"{label}: {v.message} ({entry.entry_ref})",
                    limit=v.limit,
                    actual=conc,
                )
            )
    for entry in eu_rules:
        same = [t for t in tfda_rules if t.list_type == entry.list_type]
        for v in _violations(entry, product_type, children, conc):
            covered = bool(same) and (
                v.kind != "over_limit"
                or any(t.applicable_limit(product_type) is not None for t in same)
            )
            if covered:
                # TFDA decides. The EU rule stays visible as advisory (also when TFDA is
                # itself violated, so that lowering a concentration never adds a finding).
                if v.kind in tfda_kinds.get(entry.list_type, set()):
                    lead = "the EU rule is not met either"
                else:
                    lead = "the TFDA rule is met, but the EU rule is stricter"
                out.append(
                    _finding(
                        "advisory",
                        label,
                        f"stricter_eu_{v.kind}",
                        entry,
                        f"{label}: {lead}: {v.message} ({entry.entry_ref})",
                        limit=v.limit,
                        actual=conc,
                    )
                )
            else:
                out.append(
                    _finding(
                        "high",
                        label,
                        v.kind,
                        entry,
                        f"{label}: {v.message} ({entry.entry_ref}); no TFDA rule in the store "
                        "covers this, so the EU rule binds",
                        limit=v.limit,
                        actual=conc,
                    )
                )

    # 3. Positive lists: a preservative, UV filter or colorant must be on one.
    if category in POSITIVE_LISTS:
        on_list = [e for e in applicable if e.list_type == category]
        if not on_list and not prohibited_hit:
            out.append(_not_on_positive_list(snapshot, label, category, resolution, conc))

    # 4. Group limits (summed over the formula afterwards).
    for entry in applicable:
        for group in entry.groups:
            members = groups.setdefault(group.key, [])
            if all(m[0] != label for m in members):
                members.append((label, conc, entry, group))

    # 5. Labelling: disclosure thresholds (not limits) and warnings to print.
    seen_disclosure = False
    for entry in applicable:
        if entry.disclosure is not None and not seen_disclosure:
            threshold = entry.disclosure.threshold(product_type)
            if conc is None or conc > threshold:
                seen_disclosure = True
                basis = "rinse-off" if product_type in RINSE_OFF else "leave-on"
                message = (
                    f"{label} must be named in the ingredient list on the label: "
                    + (
                        f"{_pct(conc)} is above"
                        if conc is not None
                        else "concentration unknown; check against"
                    )
                    + f" the {basis} disclosure threshold of {_pct(threshold)}. "
                    "This is a labelling requirement, not a limit."
                )
                out.append(
                    _finding(
                        "info",
                        label,
                        "label_disclosure",
                        entry,
                        message,
                        limit=threshold,
                        actual=conc,
                    )
                )
        if entry.warnings and entry.list_type != "prohibited":
            out.append(
                _finding(
                    "info",
                    label,
                    "label_warning",
                    entry,
                    f"warning to print for {label}: {entry.warnings}",
                    actual=conc,
                )
            )
        if (
            conc is None
            and entry.list_type != "prohibited"
            and entry.applicable_limit(product_type)
        ):
            limit = entry.applicable_limit(product_type)
            assert limit is not None
            out.append(
                _finding(
                    "info",
                    label,
                    "concentration_missing",
                    entry,
                    f"no concentration given for {label}; {entry.entry_ref} limits it to "
                    f"{_pct(limit.max_pct)} in {product_type}",
                    limit=limit.max_pct,
                )
            )

    # 6. CMR classification (hard gate unless an entry permits the substance).
    cas_keys = [resolution.cas] if resolution.cas else []
    cas_keys += [c for e in entries for c in e.cas]
    seen: set[str] = set()
    for cas in cas_keys:
        for cls_entry in snapshot.classifications.get(cas, ()):
            if cls_entry.key in seen or not cls_entry.cmr_1a_1b:
                continue
            seen.add(cls_entry.key)
            text = cls_entry.classification.get("classification_text", "")
            permitted = any(e.list_type != "prohibited" for e in applicable)
            if prohibited_hit:
                continue
            severity: Severity = "info" if permitted else "high"
            tail = (
                "used under a permitting entry; check its conditions"
                if permitted
                else "no entry in the store permits this CMR substance"
            )
            out.append(
                _finding(
                    severity,
                    label,
                    "cmr",
                    cls_entry,
                    f"{label} is classified CMR 1A/1B ({text}); {tail}",
                    actual=conc,
                )
            )

    if not entries and resolution.match == "unknown":
        out.append(
            Finding(
                severity="info",
                ingredient=label,
                rule="unresolved",
                authority="TFDA",
                list_type=None,
                limit_pct=None,
                actual_pct=conc,
                citation="no entry: the ingredient could not be identified",
                message=(
                    f"{label} could not be identified (name/CAS not found); its regulatory "
                    "status is unknown and must be checked by hand"
                ),
            )
        )
    return out


def _not_on_positive_list(
    snapshot: RegulatorySnapshot,
    label: str,
    category: str,
    resolution: Resolution,
    conc: float | None,
) -> Finding:
    human = {"preservative": "preservatives", "uv_filter": "UV filters", "colorant": "colorants"}
    lists = sorted(a for a, lt in snapshot.list_types_loaded if lt == category)
    authority = "TFDA" if "TFDA" in lists else (lists[0] if lists else "TFDA")
    checked = ", ".join(f"{a} {category} list" for a in lists) or "no list loaded"
    what = "is not identified and so cannot be found" if resolution.match == "unknown" else "is not"
    return Finding(
        severity="high",
        ingredient=label,
        rule="not_on_positive_list",
        authority=authority,
        list_type=category,
        limit_pct=None,
        actual_pct=conc,
        citation=f"positive lists of {human[category]} checked: {checked}",
        message=(
            f"{label} is used as a {category.replace('_', ' ')} but {what} on the positive list of "
            f"{human[category]} ({checked}); only listed substances may be used this way"
        ),
    )
