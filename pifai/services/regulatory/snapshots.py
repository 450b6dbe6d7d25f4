"""The shipped data and the engine's snapshots of the store.

Shipped data (``pifai/data/regulatory/*.json``) is loaded idempotently: only what changed
is written, rows changed by a later official import are left alone. :func:`get_snapshot`
gives the rule engine an in-memory snapshot, rebuilt only when the store changed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import DictionaryEntry, IngredientDictionary
from pifai.ai.regulatory import RegEntry, RegulatorySnapshot
from pifai.models.regulatory import RegulatoryEntry, RegulatoryImport
from pifai.services.ingredient_import import DATA_CSV, curated_csv_rows
from pifai.services.regulatory.sync import ChangeReport, row_to_record, sync_records

REGULATORY_DIR = Path(__file__).resolve().parents[2] / "data" / "regulatory"


def shipped_files() -> list[Path]:
    return sorted(REGULATORY_DIR.glob("*.json"))


def load_shipped_records(authority: str | None = None) -> list[dict[str, Any]]:
    """Every record of the shipped data files (optionally of one authority)."""
    records: list[dict[str, Any]] = []
    for path in shipped_files():
        for record in json.loads(path.read_text(encoding="utf-8")):
            if authority is None or record["authority"] == authority:
                record.setdefault("source", {})["origin"] = "shipped"
                record["source"].setdefault("file", f"pifai/data/regulatory/{path.name}")
                records.append(record)
    return records


@lru_cache(maxsize=1)
def curated_dictionary_rows() -> tuple[DictionaryEntry, ...]:
    """The curated ingredient dictionary (pifai/data/ingredients.csv): names, Chinese
    names and CAS numbers, so that synonyms resolve to regulated entries."""
    if not DATA_CSV.exists():
        return ()
    return tuple(IngredientDictionary.from_rows(curated_csv_rows(DATA_CSV)).entries)


def build_snapshot(
    records: Iterable[Mapping[str, Any]], *, version: str = ""
) -> RegulatorySnapshot:
    return RegulatorySnapshot(
        (RegEntry.from_record(r) for r in records), curated_dictionary_rows(), version=version
    )


@lru_cache(maxsize=1)
def shipped_snapshot() -> RegulatorySnapshot:
    """A snapshot of the shipped data alone: no database needed (MCP servers, tests)."""
    return build_snapshot(load_shipped_records(), version="shipped")


async def load_shipped(
    session: AsyncSession,
    *,
    authority: str | None = None,
    requested_by: uuid.UUID | None = None,
    always_record: bool = False,
) -> tuple[RegulatoryImport | None, ChangeReport]:
    """Load the shipped data into the store (idempotent)."""
    records = load_shipped_records(authority)
    scopes = {(str(r["authority"]), str(r["list_type"])) for r in records}
    return await sync_records(
        session,
        records,
        source="shipped",
        scopes=scopes,
        scope_label=f"shipped:{authority or 'all'}",
        requested_by=requested_by,
        shipped=True,
        always_record=always_record,
    )


async def store_version(session: AsyncSession) -> tuple[int, datetime | None]:
    row = (
        await session.execute(
            select(func.count(RegulatoryEntry.id), func.max(RegulatoryEntry.updated_at)).where(
                RegulatoryEntry.removed_at.is_(None)
            )
        )
    ).one()
    return int(row[0]), row[1]


async def active_records(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(RegulatoryEntry).where(RegulatoryEntry.removed_at.is_(None))
    )
    return [row_to_record(row) for row in rows]


_SNAPSHOT: dict[str, Any] = {"version": None, "snapshot": None}


async def get_snapshot(session: AsyncSession) -> RegulatorySnapshot:
    """The engine's snapshot of the store, rebuilt only when the store changed. An empty
    store (shipped data not loaded yet) answers from the shipped data."""
    count, updated = await store_version(session)
    if count == 0:
        return shipped_snapshot()
    version = f"{count}@{updated.isoformat() if updated else ''}"
    if _SNAPSHOT["version"] != version or _SNAPSHOT["snapshot"] is None:
        _SNAPSHOT["snapshot"] = build_snapshot(await active_records(session), version=version)
        _SNAPSHOT["version"] = version
    snapshot: RegulatorySnapshot = _SNAPSHOT["snapshot"]
    return snapshot


def invalidate_snapshot() -> None:
    _SNAPSHOT["version"] = None
    _SNAPSHOT["snapshot"] = None
