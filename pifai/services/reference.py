"""The process's copy of the reference data: one ingredient dictionary, used by the
formula validator and the rule engine alike, and the regulatory snapshot.

Both are built from the database together and rebuilt together when either store
changes: one statement reads the version of both (row counts and latest updates) on each
use, so every process follows an import or a sync without being told. Held on the
runtime, one per process; an empty regulatory store (shipped data not loaded yet)
answers from the shipped data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import IngredientDictionary
from pifai.ai.regulatory import RegulatorySnapshot
from pifai.services.ingredients.dictionary import read_dictionary
from pifai.services.regulatory.snapshots import active_records, build_snapshot, shipped_snapshot

_VERSION = text(
    "SELECT current_database(),"
    " (SELECT count(*) FROM ingredients), (SELECT max(updated_at) FROM ingredients),"
    " (SELECT count(*) FROM regulatory_entries WHERE removed_at IS NULL),"
    " (SELECT max(updated_at) FROM regulatory_entries WHERE removed_at IS NULL)"
)


@dataclass(frozen=True)
class ReferenceSet:
    version: tuple[Any, ...]
    dictionary: IngredientDictionary
    snapshot: RegulatorySnapshot


class ReferenceData:
    def __init__(self) -> None:
        self._current: ReferenceSet | None = None

    async def load(self, session: AsyncSession) -> ReferenceSet:
        version = tuple((await session.execute(_VERSION)).one())
        current = self._current
        if current is None or current.version != version:
            current = await _build(session, version)
            self._current = current
        return current

    async def dictionary(self, session: AsyncSession) -> IngredientDictionary:
        return (await self.load(session)).dictionary

    async def snapshot(self, session: AsyncSession) -> RegulatorySnapshot:
        return (await self.load(session)).snapshot


async def _build(session: AsyncSession, version: tuple[Any, ...]) -> ReferenceSet:
    dictionary = await read_dictionary(session)
    _, _, _, entries, updated = version
    if not entries:
        return ReferenceSet(version, dictionary, shipped_snapshot())
    label = f"{entries}@{updated.isoformat() if updated else ''}"
    snapshot = build_snapshot(
        await active_records(session), dictionary_rows=dictionary.entries, version=label
    )
    return ReferenceSet(version, dictionary, snapshot)
