"""The ingredient dictionary in memory: INCI names, synonyms, Chinese names and CAS
numbers, matched exact -> synonym -> fuzzy with a confidence that falls with distance."""

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
                if len(key) >= 4 and not has_cjk(key):
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
            if len(key) < 4 or has_cjk(key) or not self._fuzzy_keys:
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
