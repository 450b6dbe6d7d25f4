"""The in-memory store the rules read: every entry, indexed by CAS number and name key,
and the name dictionary that turns synonyms and Chinese names into entries."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pifai.ai.ingredient_validator import (
    DictionaryEntry,
    IngredientDictionary,
    Match,
    MatchMethod,
    find_cas_numbers,
    is_valid_cas,
    name_key,
    name_variants,
)
from pifai.ai.regulatory.check import ItemInput, check_formula
from pifai.ai.regulatory.entries import RegEntry
from pifai.ai.regulatory.results import CheckResult, Resolution

# Heavy metals prohibited with all their compounds ("Mercury and its compounds"): a salt
# the lists do not print is still one of them. Name roots in English and Chinese.
HEAVY_METALS: dict[str, re.Pattern[str]] = {
    "mercury": re.compile(r"\bmercur(?:y|ic|ous)\b|mercury|汞|水銀"),
    "arsenic": re.compile(r"\barsen(?:ic|ate|ite|ious)|砷"),
    "cadmium": re.compile(r"\bcadmium|鎘|镉"),
    "lead": re.compile(r"\blead\b(?!-free)|\bplumbous\b|\bplumbic\b|鉛|铅"),
}

# Resolutions are cached per snapshot; the bound keeps a long-lived snapshot's memory flat.
_RESOLUTION_CACHE_SIZE = 50_000
# "CITRIC ACID (AND) SILVER CITRATE": an entry for a combination of substances.
_COMBINATION = re.compile(r"\(\s*and\s*\)", re.IGNORECASE)


def is_combination(entry: RegEntry) -> bool:
    """An entry of a combination lists its components' CAS numbers (Annex V/59 lists
    citric acid's 77-92-9), but its limit is the combination's: one component alone,
    named or numbered, is not that entry."""
    return len(entry.cas) > 1 and any(_COMBINATION.search(name) for name in entry.names)


@dataclass(slots=True)
class _Lookup:
    """A resolution being built: what the CAS number found, then what the name adds."""

    entries: list[RegEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    valid_cas: list[str] = field(default_factory=list)
    cas: str | None = None
    inci: str | None = None
    method: MatchMethod = "unknown"
    confidence: float = 0.3

    def add(self, found: Iterable[RegEntry]) -> None:
        _add_new(self.entries, found)


def _is_group_of(entry: RegEntry, metal: str) -> bool:
    """ "Mercury and its compounds, except those special cases included in Annex V"."""
    return name_key(entry.name).startswith(f"{metal}anditscompounds")


def _add_new(target: list[RegEntry], found: Iterable[RegEntry]) -> None:
    """Append the entries not in ``target`` yet, in order."""
    for entry in found:
        if entry not in target:
            target.append(entry)


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
        self.metal_groups = {
            metal: [e for e in self.entries_of("prohibited") if _is_group_of(e, metal)]
            for metal in HEAVY_METALS
        }
        curated = list(dictionary_rows)
        extra: list[DictionaryEntry] = []
        for entry in self.entries:
            one_cas = entry.cas if len(entry.cas) == 1 and len(entry.names) <= 2 else ()
            for name in entry.names:
                if len(name) <= 120:
                    extra.append(DictionaryEntry(inci=name.upper(), cas=one_cas))
        self.dictionary = IngredientDictionary([*curated, *extra])
        self._cache: dict[tuple[str, str], Resolution] = {}
        self._versions: dict[str | None, str] = {}

    def _add(self, entry: RegEntry) -> None:
        self.entries.append(entry)
        if entry.list_type == "classification":
            for cas in entry.cas:
                self.classifications.setdefault(cas, []).append(entry)
            return
        self.list_types_loaded.add((entry.authority, entry.list_type))
        for cas in () if is_combination(entry) else entry.cas:
            self.by_cas.setdefault(cas, []).append(entry)
        for name in entry.names:
            key = name_key(name)
            if key:
                bucket = self.by_name.setdefault(key, [])
                if entry not in bucket:
                    bucket.append(entry)

    def lists_version(self, list_type: str | None = None) -> str:
        """The data versions of the lists of ``list_type`` (every list when None), e.g.
        "EU CosIng Annex V export 09/09/2026; TFDA open data 2026-06-25"."""
        cached = self._versions.get(list_type)
        if cached is None:
            versions = {
                e.data_version()
                for e in self.entries
                if list_type is None or e.list_type == list_type
            }
            cached = "; ".join(sorted(versions)) or "no list loaded"
            self._versions[list_type] = cached
        return cached

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
            if len(self._cache) < _RESOLUTION_CACHE_SIZE:
                self._cache[cache_key] = hit
        return hit

    def _by_name_variants(self, name: str) -> list[RegEntry]:
        found: list[RegEntry] = []
        for variant in name_variants(name):
            _add_new(found, self.by_name.get(name_key(variant), ()))
        return found

    def _resolve(self, name: str | None, cas: str | None) -> Resolution:
        lookup = self._lookup_cas(cas)
        if name and name.strip():
            self._lookup_name(lookup, name)
        self._heavy_metal(lookup, name)
        return Resolution(
            input=(name or "").strip() or (cas or "").strip(),
            inci_name=lookup.inci,
            cas=lookup.cas,
            match=lookup.method,
            confidence=round(lookup.confidence, 3),
            entries=tuple(lookup.entries),
            notes=tuple(lookup.notes),
        )

    def _heavy_metal(self, lookup: _Lookup, name: str | None) -> None:
        """A compound of mercury, arsenic, cadmium or lead, by its name or the name its CAS
        number has in the dictionary, falls under the metal's group prohibition."""
        text = " ".join(n for n in (name, lookup.inci) if n).lower()
        for metal, pattern in HEAVY_METALS.items():
            groups = [g for g in self.metal_groups[metal] if g not in lookup.entries]
            if groups and pattern.search(text):
                if lookup.method == "fuzzy":
                    # "Cadmium chloride" is near "Aluminum chloride" but is not it.
                    lookup.entries.clear()
                    lookup.inci, lookup.method = None, "unknown"
                    lookup.notes.append("the approximate name match was set aside")
                lookup.add(groups)
                lookup.notes.append(
                    f"named as a {metal} compound: the prohibition of {metal} and its "
                    "compounds applies even where the lists do not print this compound"
                )
                if lookup.method == "unknown":
                    lookup.method, lookup.confidence = "synonym", 0.8

    def _lookup_cas(self, cas: str | None) -> _Lookup:
        """Entries of the valid CAS numbers given; a failed check digit is noted, not used."""
        lookup = _Lookup()
        cas_numbers = find_cas_numbers(cas)
        lookup.valid_cas = [c for c in cas_numbers if is_valid_cas(c)]
        for bad in sorted(set(cas_numbers) - set(lookup.valid_cas)):
            lookup.notes.append(f"CAS {bad} fails its check digit; not used for matching")
        for number in lookup.valid_cas:
            lookup.add(self.by_cas.get(number, ()))
        if lookup.valid_cas:
            lookup.cas = lookup.valid_cas[0]
            dict_entry = self.dictionary.by_cas(lookup.cas)
            entries = lookup.entries
            first = entries[0].names[0] if entries else None
            lookup.inci = dict_entry.inci if dict_entry else first
            found = dict_entry is not None or bool(entries)
            lookup.method, lookup.confidence = ("cas", 1.0) if found else ("unknown", 0.5)
        return lookup

    def _name_entries(
        self, direct: list[RegEntry], entry: DictionaryEntry | None
    ) -> list[RegEntry]:
        """The entries named so, then those of the dictionary entry's names and CAS numbers."""
        found = list(direct)
        if entry is not None:
            for variant in (entry.inci, *entry.synonyms):
                _add_new(found, self.by_name.get(name_key(variant), ()))
            for number in entry.cas:
                _add_new(found, self.by_cas.get(number, ()))
        return found

    def _lookup_name(self, lookup: _Lookup, name: str) -> None:
        """Add what the name finds; the name decides the match unless a CAS number did."""
        direct = self._by_name_variants(name)
        match = self.dictionary.match(name)
        if direct and match.method == "fuzzy":
            # An entry carries this very name: an approximate dictionary hit (often on a
            # part of a long chemical name) adds nothing but wrong entries.
            match = Match(None, "unknown", match.confidence)
        name_entries = self._name_entries(direct, match.entry)
        by_cas = bool(lookup.valid_cas)
        cas_entries = set(lookup.entries)
        if by_cas and name_entries and cas_entries and not set(name_entries) & cas_entries:
            lookup.notes.append("the name and the CAS number point to different entries; both kept")
            lookup.confidence = min(lookup.confidence, 0.6)
        lookup.add(name_entries)
        if lookup.method == "unknown" or not by_cas:
            if direct:
                lookup.method, lookup.confidence = "exact", 1.0
                exact = match.entry.inci if match.entry and match.method == "exact" else None
                lookup.inci = exact or direct[0].names[0]
            elif match.entry is not None:
                lookup.method, lookup.confidence = match.method, match.confidence
                lookup.inci = match.entry.inci
            if match.entry is not None and lookup.cas is None and match.entry.cas:
                lookup.cas = match.entry.cas[0]
        if match.method == "fuzzy":
            lookup.notes.append(
                f"{name!r} matched approximately to {match.entry.inci if match.entry else ''!r}"
            )

    # -- the check --

    def check(
        self,
        items: Sequence[ItemInput],
        product_type: str,
        *,
        children_under_3: bool = False,
    ) -> CheckResult:
        return check_formula(self, items, product_type, children_under_3=children_under_3)
