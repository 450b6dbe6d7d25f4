"""Bringing the store to a set of records, and the change report of each import.

Every import that changes the store records what changed (added, removed, limit
changed) in ``regulatory_imports``; entries that disappear are marked ``removed_at``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.regulatory import entry_key, expand_scope
from pifai.models.regulatory import RegulatoryEntry, RegulatoryImport
from pifai.services.cosing_export import decode_export
from pifai.services.regulatory.cosing_annex import ANNEX_LIST_TYPES, parse_cosing_annex
from pifai.services.regulatory.errors import RegulatoryImportError
from pifai.services.regulatory.tfda_files import check_tfda_records, parse_tfda_file
from pifai.services.regulatory.tfda_opendata import is_tfda_opendata, parse_tfda_opendata

log = structlog.get_logger(__name__)


def record_key(record: Mapping[str, Any]) -> str:
    return str(
        record.get("key")
        or entry_key(str(record["authority"]), str(record["list_type"]), str(record["entry_ref"]))
    )


# Which file a row was last read from is recorded, but is not a change of the rule.
_VOLATILE_SOURCE_KEYS = frozenset({"checked", "file", "file_sha256"})


def content_hash(record: Mapping[str, Any]) -> str:
    """Hash of what the rule says (names, CAS, rule, citation), not of when it was read."""
    payload = {
        "name": record.get("name"),
        "names": record.get("names"),
        "cas": record.get("cas") or record.get("cas_numbers"),
        "rule": record.get("rule"),
        "source": {
            k: v for k, v in (record.get("source") or {}).items() if k not in _VOLATILE_SOURCE_KEYS
        },
        "verified": record.get("verified"),
        "effective_date": str(record.get("effective_date") or ""),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def row_to_record(row: RegulatoryEntry) -> dict[str, Any]:
    return {
        "key": row.key,
        "authority": row.authority,
        "list_type": row.list_type,
        "entry_ref": row.entry_ref,
        "name": row.name,
        "names": list(row.names),
        "cas": list(row.cas_numbers),
        "rule": dict(row.rule),
        "source": dict(row.source),
        "verified": row.verified,
        "verification_note": row.verification_note,
        "effective_date": row.effective_date.isoformat() if row.effective_date else None,
    }


def _limits_summary(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    rule = record.get("rule") or {}
    out: list[dict[str, Any]] = []
    for lim in rule.get("limits") or []:
        tags = lim.get("applies_to") or []
        try:
            # Compare product types, not spellings ("rinse_off" == both rinse-off types).
            types = sorted(expand_scope(tags))
        except ValueError:
            types = sorted(tags)
        out.append({"max_pct": lim.get("max_pct"), "applies_to": types})
    return sorted(out, key=lambda item: (str(item["max_pct"]), item["applies_to"]))


def limit_text(record: Mapping[str, Any]) -> str | None:
    """What the entry says of its limits, as the list words it: the official text read
    (``source_text``), else each limit's own text, else the parsed maxima."""
    rule = record.get("rule") or {}
    if rule.get("source_text"):
        return str(rule["source_text"])
    limits = rule.get("limits") or []
    texts = [str(lim["text"]) for lim in limits if lim.get("text")]
    if texts:
        return "; ".join(texts)
    parsed = [
        f"max {lim['max_pct']}%"
        + (f" ({', '.join(lim['applies_to'])})" if lim["applies_to"] else "")
        for lim in _limits_summary(record)
        if lim["max_pct"] is not None
    ]
    return "; ".join(parsed) or None


def _substances(*records: Mapping[str, Any]) -> dict[str, Any]:
    """The CAS numbers and names of an entry's old and new content (what a re-check of
    the products that contain it looks for)."""
    cas: list[str] = []
    names: list[str] = []
    for record in records:
        cas += [str(c) for c in record.get("cas") or record.get("cas_numbers") or []]
        names += [str(n) for n in record.get("names") or [record.get("name")] if n]
    return {"cas": list(dict.fromkeys(cas)), "names": list(dict.fromkeys(names))}


def diff_records(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if _limits_summary(old) != _limits_summary(new):
        changes["limits"] = {"before": _limits_summary(old), "after": _limits_summary(new)}
    old_rule, new_rule = old.get("rule") or {}, new.get("rule") or {}
    for key in sorted(set(old_rule) | set(new_rule)):
        if key != "limits" and old_rule.get(key) != new_rule.get(key):
            changes[key] = {"before": old_rule.get(key), "after": new_rule.get(key)}
    for key in ("name", "names", "cas", "verified"):
        before = old.get(key) if key != "cas" else (old.get("cas") or old.get("cas_numbers"))
        after = new.get(key) if key != "cas" else (new.get("cas") or new.get("cas_numbers"))
        if before != after:
            changes[key] = {"before": before, "after": after}
    return changes


@dataclass(slots=True)
class ChangeReport:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)

    @property
    def limit_changed(self) -> list[dict[str, Any]]:
        return [c for c in self.changed if "limits" in c["changes"]]

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "limit_changed": [c["key"] for c in self.limit_changed],
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


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
                **_substances(old),
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
            "limits": _limits_summary(record),
            "limit_text": {"before": None, "after": limit_text(record)},
            **_substances(record),
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
            **_substances(old, record),
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
