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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import DictionaryEntry, find_cas_numbers
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
        return RegulatorySnapshot(
            (e.probe_entry() for e in self.entries), dictionary_rows, version="probe"
        )


def matched_keys(probe: RegulatorySnapshot, name: str | None, cas: str | None) -> set[str]:
    """The affected entries a formula row (its name as checked, its CAS) resolves to."""
    keys = {e.key for e in probe.resolve(name, None).entries} if name else set()
    numbers = set(find_cas_numbers(cas)) if cas else set()
    for entry in probe.entries:
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
    probe = affected.probe(dictionary_rows)
    # Distinct names, not rows: resolving each costs a dictionary look-up, and a formula
    # vocabulary is far smaller than the formulas that use it.
    names = [n for n in (await session.scalars(_FORMULA_NAMES)).all() if n]
    matched = [n for n in names if probe.resolve(n, None).entries]
    rows = await session.execute(
        _AFFECTED_PRODUCTS, {"cas": affected.cas_numbers, "names": matched}
    )
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for org_id, product_id in rows.all():
        out.setdefault(org_id, []).append(product_id)
    return out
