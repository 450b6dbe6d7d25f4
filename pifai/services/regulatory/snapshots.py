"""The shipped data and the engine's snapshots of the store.

Shipped data (``pifai/data/regulatory/*.json``) is loaded idempotently: only what changed
is written, rows changed by a later official import are left alone.  The process's
snapshot of the store is kept by `pifai.services.reference`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import DictionaryEntry, IngredientDictionary
from pifai.ai.regulatory import RegEntry, RegulatorySnapshot
from pifai.models.regulatory import RegulatoryEntry, RegulatoryImport
from pifai.services.ingredient_import import DATA_CSV, curated_csv_rows
from pifai.services.regulatory.changes import ChangeReport, row_to_record
from pifai.services.regulatory.sync import sync_records

REGULATORY_DIR = Path(__file__).resolve().parents[2] / "data" / "regulatory"


def shipped_files() -> list[Path]:
    return sorted(REGULATORY_DIR.glob("*.json"))


def load_shipped_records(authority: str | None = None) -> list[dict[str, Any]]:
    """Every record of the shipped data files (optionally of one authority)."""
    records: list[dict[str, Any]] = []
    for path in shipped_files():
        for record in json.loads(path.read_text(encoding="utf-8")):
            if authority is None or record["authority"] == authority:
                source = record.setdefault("source", {})
                # "official_export" or "curation": what the shipped row was read from.
                source.setdefault("basis", source.get("origin") or "curation")
                source["origin"] = "shipped"
                record["source"].setdefault("file", f"pifai/data/regulatory/{path.name}")
                records.append(record)
    return records


@lru_cache(maxsize=1)
def shipped_entry_count() -> int:
    """How many entries the shipped files hold (read once: they change with a release)."""
    return len(load_shipped_records())


@lru_cache(maxsize=1)
def curated_dictionary_rows() -> tuple[DictionaryEntry, ...]:
    """The curated ingredient dictionary (pifai/data/ingredients.csv): names, Chinese
    names and CAS numbers, so that synonyms resolve to regulated entries."""
    if not DATA_CSV.exists():
        return ()
    return tuple(IngredientDictionary.from_rows(curated_csv_rows(DATA_CSV)).entries)


def build_snapshot(
    records: Iterable[Mapping[str, Any]],
    *,
    dictionary_rows: Iterable[DictionaryEntry] | None = None,
    version: str = "",
) -> RegulatorySnapshot:
    """The engine's snapshot of ``records``. Names resolve through ``dictionary_rows``:
    the ingredients table's (the validator's dictionary), or the curated file's when
    there is no database (the shipped snapshot)."""
    rows = curated_dictionary_rows() if dictionary_rows is None else dictionary_rows
    return RegulatorySnapshot((RegEntry.from_record(r) for r in records), rows, version=version)


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
    """Load the shipped data into the store (idempotent). A start whose shipped files
    were loaded before (the same digest on the last shipped run) reads nothing more:
    the rows that load wrote are as it left them or were changed by an official import,
    which a shipped load never undoes."""
    label = f"shipped:{authority or 'all'}"
    digest = shipped_digest()
    if not always_record and await _loaded_before(session, label, digest):
        return None, ChangeReport()
    records = load_shipped_records(authority)
    scopes = {(str(r["authority"]), str(r["list_type"])) for r in records}
    return await sync_records(
        session,
        records,
        source="shipped",
        scopes=scopes,
        scope_label=label,
        file_sha256=digest,
        requested_by=requested_by,
        shipped=True,
        always_record=always_record,
    )


@lru_cache(maxsize=1)
def shipped_digest() -> str:
    """SHA-256 over the shipped files' names and bytes."""
    digest = hashlib.sha256()
    for path in shipped_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


async def _loaded_before(session: AsyncSession, label: str, digest: str) -> bool:
    last = await session.scalar(
        select(RegulatoryImport.file_sha256)
        .where(RegulatoryImport.source == "shipped", RegulatoryImport.scope == label)
        .order_by(RegulatoryImport.started_at.desc())
        .limit(1)
    )
    return last == digest


async def active_records(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(RegulatoryEntry).where(RegulatoryEntry.removed_at.is_(None))
    )
    return [row_to_record(row) for row in rows]
