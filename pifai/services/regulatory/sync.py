"""Bringing the store to a set of records, and the change report of each import.

Every import that changes the store records what changed (added, removed, limit
changed) in ``regulatory_imports``; entries that disappear are marked ``removed_at``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.models.regulatory import RegulatoryEntry, RegulatoryImport
from pifai.services.cosing_export import decode_export
from pifai.services.regulatory.changes import (
    ChangeReport,
    content_hash,
    diff_records,
    limit_text,
    limits_summary,
    record_key,
    row_to_record,
    substances,
)
from pifai.services.regulatory.cosing_annex import ANNEX_LIST_TYPES, parse_cosing_annex
from pifai.services.regulatory.errors import RegulatoryImportError
from pifai.services.regulatory.tfda_files import check_tfda_records, parse_tfda_file
from pifai.services.regulatory.tfda_opendata import is_tfda_opendata, parse_tfda_opendata

log = structlog.get_logger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _effective(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


async def sync_records(
    session: AsyncSession,
    records: Sequence[Mapping[str, Any]],
    *,
    source: str,
    scopes: Iterable[tuple[str, str]],
    scope_label: str,
    file_name: str | None = None,
    file_sha256: str | None = None,
    requested_by: uuid.UUID | None = None,
    shipped: bool = False,
    always_record: bool = True,
) -> tuple[RegulatoryImport | None, ChangeReport]:
    """Bring the store to `records` within `scopes` ((authority, list_type) pairs).

    An official import defines its whole list: entries of the scope missing from it are
    marked removed. A shipped-data load touches only rows it loaded itself (origin
    "shipped"), so it never undoes an official import. Idempotent: a second run with the
    same records changes nothing. The import row (the change report) is written when
    `always_record` or something changed."""
    scope_set = set(scopes)
    started = _now()
    by_key = _records_in_scope(records, scope_set)
    existing = await _rows_in_scope(session, scope_set)
    report = ChangeReport()
    for key, record in by_key.items():
        row = existing.get(key)
        if row is not None and shipped and row.source.get("origin") != "shipped":
            report.skipped.append({"key": key, "reason": "changed by an official import"})
        elif row is None:
            session.add(_added(key, record, started, report))
        else:
            _update(row, record, started, report)
    for key, row in existing.items():
        if key in by_key or row.removed_at is not None:
            continue
        if shipped and row.source.get("origin") != "shipped":
            continue
        row.removed_at = started
        old = row_to_record(row)
        report.removed.append(
            {
                "key": key,
                "name": row.name,
                "limit_text": {"before": limit_text(old), "after": None},
                **substances(old),
            }
        )
    await session.flush()
    run: RegulatoryImport | None = None
    if always_record or report.has_changes:
        run = _import_run(source, scope_set, scope_label, report, started)
        run.file_name, run.file_sha256, run.requested_by = file_name, file_sha256, requested_by
        session.add(run)
        await session.flush()
    log.info(
        "regulatory sync",
        source=source,
        scope=scope_label,
        added=len(report.added),
        removed=len(report.removed),
        changed=len(report.changed),
        unchanged=report.unchanged,
    )
    return run, report


def _records_in_scope(
    records: Sequence[Mapping[str, Any]], scope_set: set[tuple[str, str]]
) -> dict[str, Mapping[str, Any]]:
    by_key: dict[str, Mapping[str, Any]] = {}
    for record in records:
        pair = (str(record["authority"]), str(record["list_type"]))
        if pair not in scope_set:
            raise RegulatoryImportError(
                f"record {record_key(record)!r} is outside the import scope {sorted(scope_set)}"
            )
        by_key[record_key(record)] = record
    return by_key


async def _rows_in_scope(
    session: AsyncSession, scope_set: set[tuple[str, str]]
) -> dict[str, RegulatoryEntry]:
    rows = await session.scalars(
        select(RegulatoryEntry).where(
            func.concat(RegulatoryEntry.authority, ":", RegulatoryEntry.list_type).in_(
                [f"{a}:{lt}" for a, lt in scope_set]
            )
        )
    )
    return {row.key: row for row in rows.all()}


def _added(
    key: str, record: Mapping[str, Any], started: datetime, report: ChangeReport
) -> RegulatoryEntry:
    row = RegulatoryEntry(
        id=uuid.uuid4(),
        key=key,
        authority=str(record["authority"]),
        list_type=str(record["list_type"]),
        entry_ref=str(record["entry_ref"]),
        content_hash=content_hash(record),
        last_synced_at=started,
    )
    _set_content(row, record)
    report.added.append(
        {
            "key": key,
            "name": row.name,
            "limits": limits_summary(record),
            "limit_text": {"before": None, "after": limit_text(record)},
            **substances(record),
        }
    )
    return row


def _update(
    row: RegulatoryEntry, record: Mapping[str, Any], started: datetime, report: ChangeReport
) -> None:
    digest = content_hash(record)
    if row.content_hash == digest and row.removed_at is None:
        report.unchanged += 1
        row.last_synced_at = started
        if row.source != dict(record.get("source") or {}):
            row.source = dict(record.get("source") or {})
        return
    old = row_to_record(row)
    changes = diff_records(old, record)
    if row.removed_at is not None:
        changes["restored"] = True
    _set_content(row, record)
    row.content_hash = digest
    row.last_synced_at = started
    row.removed_at = None
    report.changed.append(
        {
            "key": row.key,
            "name": row.name,
            "changes": changes,
            "limit_text": {"before": limit_text(old), "after": limit_text(record)},
            **substances(old, record),
        }
    )


def _set_content(row: RegulatoryEntry, record: Mapping[str, Any]) -> None:
    """What the record says of the entry (everything but its identity and sync times)."""
    row.name = str(record["name"])
    row.names = list(record.get("names") or [record["name"]])
    row.cas_numbers = list(record.get("cas") or [])
    row.rule = dict(record.get("rule") or {})
    row.source = dict(record.get("source") or {})
    row.verified = bool(record.get("verified"))
    row.verification_note = record.get("verification_note")
    row.effective_date = _effective(record.get("effective_date"))


def _import_run(
    source: str,
    scope_set: set[tuple[str, str]],
    scope_label: str,
    report: ChangeReport,
    started: datetime,
) -> RegulatoryImport:
    authorities = sorted({a for a, _ in scope_set})
    list_types = sorted({lt for _, lt in scope_set})
    return RegulatoryImport(
        id=uuid.uuid4(),
        source=source,
        authority=authorities[0] if len(authorities) == 1 else "EU",
        list_type=list_types[0] if len(list_types) == 1 else None,
        scope=scope_label[:100],
        status="done",
        added=len(report.added),
        removed=len(report.removed),
        changed=len(report.changed),
        unchanged=report.unchanged,
        report=report.as_dict(),
        started_at=started,
        finished_at=_now(),
    )


def _tfda_records(
    text: str,
    file_name: str | None,
    sha: str,
    export_date: str | None,
    list_type: str | None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """A TFDA file's records, and the parse report of TFDA's own open-data formats."""
    if not is_tfda_opendata(text):
        return parse_tfda_file(text, file_name=file_name, file_sha256=sha), None
    parsed = parse_tfda_opendata(
        text, file_name=file_name, file_sha256=sha, export_date=export_date, list_type=list_type
    )
    return check_tfda_records(parsed.records), parsed.report.as_dict()


async def import_file(
    session: AsyncSession,
    *,
    source: str,
    content: bytes,
    file_name: str | None = None,
    annex: str | None = None,
    requested_by: uuid.UUID | None = None,
    export_date: str | None = None,
    list_type: str | None = None,
) -> tuple[RegulatoryImport, ChangeReport]:
    """Import one official file: `source` "cosing" (with `annex`) or "tfda".

    A TFDA file in one of TFDA's own open-data formats (see ``tfda_opendata``) is
    recognised as such (``export_date``/``list_type`` for the files that do not state
    them); any other TFDA file is read in the documented format. The TFDA parse report
    (rows read, structured / partly / text only, unreadable rows) is stored with the
    change report under ``report["parse"]``."""
    sha = hashlib.sha256(content).hexdigest()
    text = decode_export(content)
    parse_report: dict[str, Any] | None = None
    if source == "cosing":
        if not annex:
            raise RegulatoryImportError("a CosIng import needs the annex (II, III, IV, V or VI)")
        records = parse_cosing_annex(text, annex, file_name=file_name, file_sha256=sha)
        scopes = {("EU", ANNEX_LIST_TYPES[annex.upper()])}
        label = f"cosing:Annex {annex.upper()}"
    elif source == "tfda":
        records, parse_report = _tfda_records(text, file_name, sha, export_date, list_type)
        # Only the lists the file holds entries of: a list whose rows were all unreadable
        # must not empty the store's copy of it.
        scopes = {("TFDA", str(r["list_type"])) for r in records}
        label = "tfda:" + ",".join(sorted(lt for _, lt in scopes))
    else:
        raise RegulatoryImportError(f"unknown source {source!r}; expected cosing or tfda")
    if not records:
        raise RegulatoryImportError("the file holds no entries")
    run, report = await sync_records(
        session,
        records,
        source=source,
        scopes=scopes,
        scope_label=label,
        file_name=file_name,
        file_sha256=sha,
        requested_by=requested_by,
    )
    assert run is not None
    if parse_report is not None:
        run.report = {**run.report, "parse": parse_report}
        await session.flush()
    return run, report
