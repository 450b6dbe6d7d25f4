"""What a regulatory import changed, as substances, and the products that contain them.

The affected substances of a change report are the CAS numbers and names of every entry
it added, removed or changed (old and new content). An entry whose rule did not change
(only its source was re-dated, e.g. a new export of the same list) affects nothing.

A product is affected when one of its formula rows shares a CAS number with an affected
entry, or its name resolves to one the way the rule engine resolves names (name
variants, the ingredient dictionary's synonyms and Chinese names): a *probe* snapshot
holding only the affected entries answers that.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import DictionaryEntry, find_cas_numbers, name_key, name_variants
from pifai.ai.ingredient_validator.dictionary import FUZZY_CUTOFF
from pifai.ai.ingredient_validator.names import BUILTIN_SYNONYMS, has_cjk
from pifai.ai.regulatory import RegEntry, RegulatorySnapshot

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class ChangedEntry:
    """One entry of a change report: what it was and what it became."""

    key: str
    name: str
    kind: ChangeKind
    cas: tuple[str, ...]
    names: tuple[str, ...]
    limit_before: str | None = None
    limit_after: str | None = None
    changes: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The alert's record of the change it follows from."""
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "limit_before": self.limit_before,
            "limit_after": self.limit_after,
            "changes": dict(self.changes),
        }

    def probe_entry(self) -> RegEntry:
        """An entry with this one's key, names and CAS numbers and no rule: for matching."""
        authority = self.key.split(":", 1)[0]
        return RegEntry.from_record(
            {
                "key": self.key,
                "authority": authority,
                "list_type": "restricted",  # indexed by name and CAS, whatever its list
                "entry_ref": self.key,
                "name": self.name,
                "names": list(self.names) or [self.name],
                "cas": list(self.cas),
                "rule": {},
            }
        )


def _changed_entry(kind: ChangeKind, item: Mapping[str, Any]) -> ChangedEntry | None:
    changes: Mapping[str, Any] = item.get("changes") or {}
    if kind == "changed" and not changes:
        return None  # the same rule, read again from a newer file
    cas = list(item.get("cas") or [])
    names = list(item.get("names") or [item.get("name") or ""])
    # Reports written before items carried their substances: what the diff names.
    for key, target in (("cas", cas), ("names", names)):
        for side in ("before", "after"):
            target += list((changes.get(key) or {}).get(side) or [])
    limit_text: Mapping[str, Any] = item.get("limit_text") or {}
    return ChangedEntry(
        key=str(item["key"]),
        name=str(item.get("name") or item["key"]),
        kind=kind,
        cas=tuple(dict.fromkeys(c for c in cas if c)),
        names=tuple(dict.fromkeys(str(n) for n in names if n)),
        limit_before=limit_text.get("before"),
        limit_after=limit_text.get("after"),
        changes=changes,
    )


@dataclass(frozen=True)
class AffectedSubstances:
    entries: tuple[ChangedEntry, ...]

    @classmethod
    def from_report(cls, report: Mapping[str, Any]) -> AffectedSubstances:
        found: list[ChangedEntry] = []
        kinds: tuple[ChangeKind, ...] = ("added", "removed", "changed")
        for kind in kinds:
            for item in report.get(kind) or []:
                entry = _changed_entry(kind, item)
                if entry is not None:
                    found.append(entry)
        return cls(tuple(found))

    def __bool__(self) -> bool:
        return bool(self.entries)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(e.key for e in self.entries)

    @property
    def cas_numbers(self) -> list[str]:
        return sorted({c for e in self.entries for c in e.cas})

    def by_key(self) -> dict[str, ChangedEntry]:
        return {e.key: e for e in self.entries}

    def probe(self, dictionary_rows: Iterable[DictionaryEntry]) -> RegulatorySnapshot:
        """A snapshot of the affected entries alone, resolving names through
        ``dictionary_rows`` as the rule engine does."""
        entries = (e.probe_entry() for e in self.entries)
        return RegulatorySnapshot(entries, dictionary_rows, version="probe")

    def related_rows(self, dictionary_rows: Iterable[DictionaryEntry]) -> list[DictionaryEntry]:
        """The dictionary rows whose names or CAS numbers are an affected entry's: the
        only rows through which a name can reach one."""
        keys = {name_key(n) for e in self.entries for n in e.names} - {""}
        numbers = set(self.cas_numbers)
        return [
            row
            for row in dictionary_rows
            if numbers.intersection(row.cas)
            or any(name_key(n) in keys for n in (row.inci, *row.synonyms))
        ]


class NameScreen:
    """A cheap first look at a formula name: could it resolve to an affected entry?

    It never turns one away that does: a name resolves to an affected entry only through
    a variant whose key is one of the entry's names, a related dictionary row's (or of a
    built-in synonym group holding one of those), or through the dictionary's fuzzy match,
    which the screen repeats over those keys with the same cutoff. It may let through a
    name that does not (the probe then says no). The probe's full resolution costs
    milliseconds a name; the screen, microseconds."""

    def __init__(self, affected: AffectedSubstances, related: Sequence[DictionaryEntry]) -> None:
        names = [n for e in affected.entries for n in e.names]
        for row in related:
            names += [row.inci, *row.synonyms, *row.zh_names]
        keys = {name_key(n) for n in names} - {""}
        for group in BUILTIN_SYNONYMS:
            group_keys = {name_key(n) for n in group}
            if group_keys & keys:
                keys |= group_keys
        self.keys = frozenset(keys)
        self.fuzzy = [k for k in self.keys if len(k) >= 4 and not has_cjk(k)]

    def may_resolve(self, name: str) -> bool:
        variants = [name_key(v) for v in name_variants(name)]
        if any(k in self.keys for k in variants):
            return True
        return self.fuzzy != [] and any(
            process.extractOne(k, self.fuzzy, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            for k in variants
            if len(k) >= 4 and not has_cjk(k)
        )


class Matcher:
    """Which affected entries a formula row resolves to, as the rule engine resolves it:
    the screen first (cheap), the probe's full resolution for what passes it."""

    def __init__(self, affected: AffectedSubstances, dictionary_rows: Iterable[DictionaryEntry]):
        rows = list(dictionary_rows)
        self.probe = affected.probe(rows)
        self.screen = NameScreen(affected, affected.related_rows(rows))

    def name_keys(self, name: str) -> set[str]:
        if not self.screen.may_resolve(name):
            return set()
        return {e.key for e in self.probe.resolve(name, None).entries}

    def keys(self, name: str | None, cas: str | None) -> set[str]:
        """The affected entries a row (its name as checked, its CAS) resolves to."""
        keys = self.name_keys(name) if name else set()
        numbers = set(find_cas_numbers(cas)) if cas else set()
        for entry in self.probe.entries:
            if numbers & set(entry.cas):
                keys.add(entry.key)
        return keys


# Cross-tenant: run on the platform role (BYPASSRLS) or the admin connection only.
_FORMULA_NAMES = text(
    "SELECT DISTINCT coalesce(nullif(i.inci, ''), i.raw_name) AS name "
    "FROM product_ingredients i JOIN products p ON p.id = i.product_id "
    "WHERE p.archived_at IS NULL"
)
_AFFECTED_PRODUCTS = text(
    "SELECT DISTINCT p.org_id, p.id FROM product_ingredients i "
    "JOIN products p ON p.id = i.product_id "
    "WHERE p.archived_at IS NULL AND (i.cas = ANY(:cas) "
    "OR coalesce(nullif(i.inci, ''), i.raw_name) = ANY(:names)) "
    "ORDER BY p.org_id, p.id"
)


async def affected_products(
    session: AsyncSession, affected: AffectedSubstances, dictionary_rows: Iterable[DictionaryEntry]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Product ids by organisation, across every organisation: ``session`` must see every
    tenant's formulas (the platform role or the admin connection, never a tenant's)."""
    if not affected:
        return {}
    matcher = Matcher(affected, dictionary_rows)
    # Distinct names, not rows: a formula vocabulary is far smaller than the formulas.
    names = [n for n in (await session.scalars(_FORMULA_NAMES)).all() if n]
    matched = [n for n in names if matcher.name_keys(n)]
    rows = await session.execute(
        _AFFECTED_PRODUCTS, {"cas": affected.cas_numbers, "names": matched}
    )
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for org_id, product_id in rows.all():
        out.setdefault(org_id, []).append(product_id)
    return out
