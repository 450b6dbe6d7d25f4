"""The regulatory context's queries and the super admin's sync: list status, import
reports, a product's compliance check."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.models.regulatory import RegulatoryEntry, RegulatoryImport
from pifai.services.regulatory.errors import RegulatoryImportNotFound
from pifai.services.regulatory.records import check_records
from pifai.services.regulatory.snapshots import (
    load_shipped,
    shipped_entry_count,
)
from pifai.services.regulatory.sync import sync_records
from pifai.services.regulatory.tfda_files import parse_tfda_file


async def sync_status(session: AsyncSession, *, recent: int = 20) -> dict[str, Any]:
    """Counts per list, last sync, and the most recent change reports."""
    rows = (
        await session.execute(
            select(
                RegulatoryEntry.authority,
                RegulatoryEntry.list_type,
                func.count(RegulatoryEntry.id),
                func.count(RegulatoryEntry.id).filter(RegulatoryEntry.verified.is_(True)),
                func.max(RegulatoryEntry.last_synced_at),
            )
            .where(RegulatoryEntry.removed_at.is_(None))
            .group_by(RegulatoryEntry.authority, RegulatoryEntry.list_type)
            .order_by(RegulatoryEntry.authority, RegulatoryEntry.list_type)
        )
    ).all()
    imports = (
        await session.scalars(
            select(RegulatoryImport).order_by(RegulatoryImport.started_at.desc()).limit(recent)
        )
    ).all()
    return {
        "lists": [
            {
                "authority": a,
                "list_type": lt,
                "entries": n,
                "verified": v,
                "unverified": n - v,
                "last_synced_at": last,
            }
            for a, lt, n, v, last in rows
        ],
        "imports": list(imports),
        "shipped_entries": shipped_entry_count(),
    }


async def data_health(session: AsyncSession, *, today: date | None = None) -> list[dict[str, Any]]:
    """Per authority and list: entries, the export date they were read from (the oldest,
    when rows of several exports are mixed), the share read from a dated official export,
    and the age of the data in days."""
    today = today or datetime.now(UTC).date()
    rows = (
        await session.execute(
            select(
                RegulatoryEntry.authority,
                RegulatoryEntry.list_type,
                RegulatoryEntry.verified,
                RegulatoryEntry.source,
            ).where(RegulatoryEntry.removed_at.is_(None))
        )
    ).all()
    lists: dict[tuple[str, str], dict[str, Any]] = {}
    for authority, list_type, verified, source in rows:
        item = lists.setdefault(
            (authority, list_type),
            {"authority": authority, "list_type": list_type, "entries": 0, "official": 0,
             "export_dates": set()},
        )  # fmt: skip
        item["entries"] += 1
        official = source.get("basis", source.get("origin")) != "curation"
        if verified and official:
            item["official"] += 1
        if source.get("export_date"):
            item["export_dates"].add(str(source["export_date"]))
    out = []
    for key in sorted(lists):
        item = lists[key]
        dates = sorted(item.pop("export_dates"))
        oldest = date.fromisoformat(dates[0][:10]) if dates else None
        out.append(
            {
                **item,
                "export_date": oldest.isoformat() if oldest else None,
                "official_share": item["official"] / item["entries"],
                "age_days": (today - oldest).days if oldest else None,
            }
        )
    return out


async def get_import(session: AsyncSession, import_id: uuid.UUID) -> RegulatoryImport:
    run = await session.get(RegulatoryImport, import_id)
    if run is None:
        raise RegulatoryImportNotFound("No such import.")
    return run


async def sync_from_request(
    session: AsyncSession,
    authority: str,
    records: Sequence[dict[str, Any]] | None,
    *,
    admin_id: uuid.UUID,
) -> RegulatoryImport:
    """The super admin's sync: the records given (the documented JSON format), or the
    shipped data of that authority when none are given. Returns the recorded run.
    Records the store or the rule engine could not use are refused first (422, naming
    each record and field), so nothing is half-written."""
    if records:
        check_records(authority, records)
        rows = [{**record, "authority": authority} for record in records]
        if authority == "TFDA":
            rows = parse_tfda_file(json.dumps(rows), file_name="api")
        run, _ = await sync_records(
            session,
            rows,
            source=authority.lower(),
            scopes={(authority, str(r.get("list_type"))) for r in rows},
            scope_label=f"{authority.lower()}:api",
            file_name="api",
            requested_by=admin_id,
        )
    else:
        run, _ = await load_shipped(
            session, authority=authority, requested_by=admin_id, always_record=True
        )
    assert run is not None  # always_record / explicit records: a run is written
    return run
