"""The ingredient dictionary in memory: INCI names, synonyms, Chinese names and CAS
numbers, matched exact -> synonym -> derived Chinese name -> fuzzy, with a confidence that
falls with distance.

Among ~34,000 CosIng names many differ by a digit or a few letters (PEG-4 / PEG-40,
CI 77491 / CI 77891): a fuzzy match therefore needs the same numbers as the name written,
and two candidates scoring the same are not chosen between. A Chinese name derived from
IECIC (a machine conversion of the mainland term) matches with less confidence than a
curated Taiwan name, and one that two entries share is not chosen between either."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rapidfuzz import fuzz, process

from pifai.ai.ingredient_validator.names import BUILTIN_SYNONYMS, has_cjk, name_key, name_variants

MatchMethod = Literal["exact", "synonym", "fuzzy", "cas", "unknown"]

FUZZY_CUTOFF = 80.0
UNKNOWN_CONFIDENCE = 0.3
SYNONYM_CONFIDENCE = 0.95
# A Chinese name derived from IECIC (OpenCC s2twp), not one a curator checked.
DERIVED_CONFIDENCE = 0.85
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class DictionaryEntry:
    inci: str
    cas: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    zh_names: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    # Traditional Chinese names derived from IECIC 2021 (OpenCC s2twp): lower confidence.
    derived_zh: tuple[str, ...] = ()
    # A curator's row: its INCI name, and the entry a built-in synonym group ("Water",
    # "Aqua", "水") leads to, win.
    curated: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    entry: DictionaryEntry | None
    method: MatchMethod
    confidence: float
    matched_on: str | None = None
    # Matched on a derived (IECIC) Chinese name, not a curated one.
    derived: bool = False
    # No entry chosen because these matched equally (a shared derived name, a fuzzy tie).
    candidates: tuple[str, ...] = ()


def _digits(key: str) -> tuple[str, ...]:
    """The numbers in a matching key: a fuzzy match must keep them ("peg40" is not "peg4")."""
    return tuple(_DIGITS.findall(key))


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
        # How many entries list each CAS number (polymers share one across PEG-4...PEG-400).
        self._cas_count: dict[str, int] = {}
        self._derived: dict[str, list[DictionaryEntry]] = {}
        for entry in entries:
            self.add(entry)
        # Fuzzy keys grouped by the numbers they hold: (keys, their entries) per group.
        self._fuzzy: dict[tuple[str, ...], tuple[list[str], list[DictionaryEntry]]] = {}
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
                derived_zh=_as_tuple(get(row, "derived_zh", "zh_derived")),
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
            self._cas_count[cas.strip()] = self._cas_count.get(cas.strip(), 0) + 1
        for name in entry.derived_zh:
            owners = self._derived.setdefault(name_key(name), [])
            if not any(e.inci == entry.inci for e in owners):
                owners.append(entry)

    def _build_fuzzy(self) -> None:
        pairs: dict[str, DictionaryEntry] = {}
        for entry in self.entries:
            for alias in (entry.inci, *entry.synonyms):
                key = name_key(alias)
                if len(key) >= 4 and not has_cjk(key):
                    pairs.setdefault(key, entry)
        for key, entry in pairs.items():
            keys, entries = self._fuzzy.setdefault(_digits(key), ([], []))
            keys.append(key)
            entries.append(entry)

    def by_cas(self, cas: str) -> DictionaryEntry | None:
        """The first entry listing ``cas`` (curated rows come first)."""
        return self._cas.get(cas.strip())

    def cas_shared(self, cas: str) -> int:
        """How many entries list ``cas``: more than one, and a CAS alone identifies none."""
        return self._cas_count.get(cas.strip(), 0)

    def _lookup(self, key: str) -> tuple[DictionaryEntry, MatchMethod] | None:
        """A curated INCI name; else a built-in synonym group's entry (the curated one:
        "Aqua" is the curated WATER although CosIng also lists AQUA, so Water and Aqua
        rows are one ingredient); else an entry's own INCI name, which wins over another
        entry's synonym (CosIng's PEG-400, though the curated PEG-8 gives "PEG-400" as a
        trade name); else a synonym."""
        exact = self._exact.get(key)
        if exact is not None and exact.curated:
            return exact, "exact"
        grouped = self._builtin(key)
        if grouped is not None and grouped is not exact:
            return grouped, "synonym"
        if exact is not None:
            return exact, "exact"
        if key in self._synonym:
            return self._synonym[key], "synonym"
        return None

    def _builtin(self, key: str) -> DictionaryEntry | None:
        for group in BUILTIN_SYNONYMS:
            keys = [name_key(n) for n in group]
            if key in keys:
                hits = [h for o in keys for h in (self._exact.get(o), self._synonym.get(o)) if h]
                return next((h for h in hits if h.curated), hits[0] if hits else None)
        return None

    def match(self, name: str) -> Match:
        """Exact, then synonym (dictionary and built-in), then a derived Chinese name, then
        fuzzy; else unknown (with the candidates, when several matched equally)."""
        variants = name_variants(name)
        for rank, variant in enumerate(variants):
            found = self._lookup(name_key(variant))
            if found is not None:
                entry, method = found
                confidence = 1.0 if method == "exact" else SYNONYM_CONFIDENCE
                # A hit on one part of a bilingual or bracketed name is slightly less sure.
                return Match(entry, method, confidence - (0.03 if rank else 0.0), variant)
        for rank, variant in enumerate(variants):
            owners = self._derived.get(name_key(variant))
            if owners and len(owners) == 1:
                confidence = DERIVED_CONFIDENCE - (0.03 if rank else 0.0)
                return Match(owners[0], "synonym", confidence, variant, derived=True)
            if owners:
                candidates = tuple(e.inci for e in owners)
                return Match(None, "unknown", UNKNOWN_CONFIDENCE, variant, True, candidates)
        return self._fuzzy_match(variants)

    def _fuzzy_match(self, variants: list[str]) -> Match:
        best: tuple[str, float, DictionaryEntry] | None = None
        tied: list[DictionaryEntry] = []
        for variant in variants:
            key = name_key(variant)
            group = self._fuzzy.get(_digits(key))
            if len(key) < 4 or has_cjk(key) or group is None:
                continue
            keys, entries = group
            hits = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=2)
            if not hits or (best is not None and hits[0][1] <= best[1]):
                continue
            best = (variant, float(hits[0][1]), entries[hits[0][2]])
            tied = [entries[h[2]] for h in hits[1:] if h[1] == hits[0][1]]
            tied = [e for e in tied if e.inci != best[2].inci]
        if best is None:
            return Match(None, "unknown", UNKNOWN_CONFIDENCE)
        if tied:
            candidates = (best[2].inci, *(e.inci for e in tied))
            return Match(None, "unknown", UNKNOWN_CONFIDENCE, best[0], candidates=candidates)
        # 100 -> 0.9, 90 -> 0.7, 80 -> 0.5: confidence falls with edit distance.
        confidence = max(0.5, 0.9 - (100.0 - best[1]) * 0.02)
        return Match(best[2], "fuzzy", round(confidence, 3), best[0])
