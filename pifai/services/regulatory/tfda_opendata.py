"""TFDA's five official open-data lists (data.fda.gov.tw, in Chinese) read into store
records, with a parse report per list that accounts for every row.

Formats read (../shared/data/PROVENANCE.md section 3):
- the labelpass rules JSON: ``{"generated_at", "datasets", "rules"}``, each rule holding
  the untouched official record in ``raw`` and its list in ``source_info_id`` (only
  those, and ``generated_at``, are official: the file's other fields are not read);
- a JSON list of official records (the data.fda.gov.tw export), its list given by the
  caller or recognised from its columns or file name;
- TFDA's CSV downloads (a header with 編號), likewise.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pifai.services.regulatory.errors import RegulatoryImportError
from pifai.services.regulatory.tfda_lists import (
    BY_INFO_ID,
    LISTS,
    TfdaList,
    column_key,
    list_from_columns,
    list_from_file_name,
)
from pifai.services.regulatory.tfda_records import Origin, Unreadable, build_record, cell

_STATUSES = ("structured", "partial", "text_only", "no_limit_text")


@dataclass(slots=True)
class ListReport:
    """Rows read from one list and what became of each."""

    list_type: str
    title: str
    rows_read: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_STATUSES, 0))
    unreadable: list[dict[str, Any]] = field(default_factory=list)
    cas_rejected: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return sum(self.counts.values())

    def line(self) -> str:
        c = self.counts
        no_text = "plain prohibitions" if self.list_type == "prohibited" else "no limit text"
        return (
            f"TFDA {self.list_type} ({self.title}): {self.rows_read} rows read, "
            f"{self.entries} entries: {c['structured']} fully structured, {c['partial']} partly "
            f"structured, {c['text_only']} text only, {c['no_limit_text']} {no_text} (counted "
            f"apart from structured); {len(self.unreadable)} unreadable, "
            f"{len(self.cas_rejected)} CAS rejected"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "list_type": self.list_type,
            "title": self.title,
            "rows_read": self.rows_read,
            "entries": self.entries,
            **self.counts,
            "unreadable": self.unreadable,
            "cas_rejected": self.cas_rejected,
            "notes": self.notes,
        }


@dataclass(slots=True)
class ParseReport:
    file_name: str | None
    format: str
    export_date: str | None
    lists: dict[str, ListReport] = field(default_factory=dict)
    unassigned: list[dict[str, Any]] = field(default_factory=list)  # rows of no list
    not_asked: dict[str, int] = field(default_factory=dict)  # rows of lists not asked for

    def lines(self) -> list[str]:
        out = [f"{self.file_name or 'file'} ({self.format}), export date {self.export_date}:"]
        for report in self.lists.values():
            out.append("  " + report.line())
            out += [
                f"    unreadable row {u['row']} (編號 {u['編號'] or '-'}): {u['reason']}"
                for u in report.unreadable
            ]
            out += [
                f"    CAS rejected 編號 {c['編號']}: {c['cas']} ({c['reason']})"
                for c in report.cas_rejected
            ]
            out += [f"    note: {note}" for note in report.notes]
        out += [f"  row {u['row']} of no list: {u['reason']}" for u in self.unassigned]
        out += [
            f"  {n} rows of the {lt} list not read (not asked for)"
            for lt, n in self.not_asked.items()
        ]
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "format": self.format,
            "export_date": self.export_date,
            "lists": {k: v.as_dict() for k, v in self.lists.items()},
            "unassigned": self.unassigned,
            "not_asked": self.not_asked,
        }


@dataclass(slots=True)
class TfdaParse:
    records: list[dict[str, Any]]
    report: ParseReport


def is_tfda_opendata(text: str) -> bool:
    """Whether a file is one of the official formats (else it is the documented one)."""
    stripped = text.lstrip("\ufeff").lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            return False
        if isinstance(data, dict):
            return isinstance(data.get("rules"), list)
        first = data[0] if isinstance(data, list) and data else None
        return isinstance(first, dict) and any(column_key(str(k)) == "編號" for k in first)
    header = stripped.split("\n", 1)[0]
    return "編號" in header


def parse_tfda_opendata(
    text: str,
    *,
    file_name: str | None = None,
    file_sha256: str | None = None,
    export_date: str | None = None,
    list_type: str | None = None,
) -> TfdaParse:
    """Records (shipped format) and the parse report of an official TFDA file.

    ``export_date`` (YYYY-MM-DD): the date of the export; the labelpass JSON states its
    own (generated_at), a CSV download does not. ``list_type``: which list a JSON list
    or CSV is (recognised from the columns or file name when not given); for the
    labelpass JSON, only that list is read."""
    if export_date is not None:
        _check_date(export_date)
    if list_type is not None and list_type not in LISTS:
        raise RegulatoryImportError(
            f"unknown list {list_type!r}; expected one of {', '.join(LISTS)}"
        )
    stripped = text.lstrip("\ufeff").lstrip()
    not_asked: dict[str, int] = {}
    if stripped.startswith("{"):
        fmt, stated, groups, unassigned = _labelpass(stripped, list_type, not_asked)
        export_date = export_date or stated
    elif stripped.startswith("["):
        fmt, rows = "TFDA open-data JSON records", _json_rows(stripped)
        groups, unassigned = [(_which_list(rows, list_type, file_name), rows)], []
    else:
        fmt, rows = "TFDA open-data CSV download", _csv_rows(stripped)
        groups, unassigned = [(_which_list(rows, list_type, file_name), rows)], []
    origin = Origin(file_name, file_sha256, export_date, fmt)
    report = ParseReport(file_name, fmt, export_date, unassigned=unassigned, not_asked=not_asked)
    records: list[dict[str, Any]] = []
    for lst, rows in groups:
        list_report = report.lists.setdefault(lst.list_type, ListReport(lst.list_type, lst.title))
        records += _read_list(lst, rows, origin, list_report)
    _link_groups(records, report)
    _check_non_preservative(records, report)
    return TfdaParse(records, report)


def _check_date(value: str) -> None:
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise RegulatoryImportError(f"export date {value!r} is not YYYY-MM-DD") from exc


Group = tuple[TfdaList, list[Any]]


def _labelpass(
    text: str, only: str | None, not_asked: dict[str, int]
) -> tuple[str, str | None, list[Group], list[dict[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegulatoryImportError(f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RegulatoryImportError("a JSON object must hold the official records in 'rules'")
    stated = str(data.get("generated_at") or "")[:10] or None
    if stated is not None:
        _check_date(stated)
    rows: dict[str, list[Any]] = {}
    unassigned: list[dict[str, Any]] = []
    for index, rule in enumerate(data["rules"], start=1):
        info_id = rule.get("source_info_id") if isinstance(rule, dict) else None
        lst = BY_INFO_ID.get(info_id) if isinstance(info_id, int) else None
        if lst is None or not isinstance(rule.get("raw"), dict):
            unassigned.append(
                {
                    "row": index,
                    "reason": f"no official record of a known list (source_info_id {info_id!r})",
                }
            )
        elif only is None or lst.list_type == only:
            rows.setdefault(lst.list_type, []).append(rule["raw"])
        else:
            not_asked[lst.list_type] = not_asked.get(lst.list_type, 0) + 1
    fmt = "labelpass rules JSON (each official record kept in raw)"
    return fmt, stated, [(LISTS[lt], rs) for lt, rs in rows.items()], unassigned


def _json_rows(text: str) -> list[Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegulatoryImportError(f"invalid JSON: {exc}") from exc
    return list(data)


def _csv_rows(text: str) -> list[Any]:
    reader = csv.DictReader(io.StringIO(text))
    if "編號" not in [column_key(f) for f in reader.fieldnames or ()]:
        raise RegulatoryImportError("not a TFDA open-data CSV: no column 編號")
    return list(reader)


def _which_list(rows: Sequence[Any], given: str | None, file_name: str | None) -> TfdaList:
    if given is not None:
        return LISTS[given]
    first = next((r for r in rows if isinstance(r, dict)), None)
    found = (list_from_columns(set(first)) if first else None) or list_from_file_name(file_name)
    if found is None:
        raise RegulatoryImportError(
            "which TFDA list is this? The restricted, preservative and UV-filter lists share "
            "their columns: give the list type (restricted, preservative or uv_filter)"
        )
    return found


def _read_list(
    lst: TfdaList, rows: Sequence[Any], origin: Origin, report: ListReport
) -> list[dict[str, Any]]:
    """Every row is an entry or is reported unreadable, with its 編號 and why."""
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(rows, start=1):
        report.rows_read += 1
        number = cell(raw, lst, "no").strip() if isinstance(raw, Mapping) else ""
        try:
            if not isinstance(raw, Mapping):
                raise Unreadable("not a record (an object of columns)")
            if number in seen:
                raise Unreadable(f"a second row with 編號 {number}")
            built = build_record(lst, raw, origin)
        except Unreadable as exc:
            report.unreadable.append({"row": index, "編號": number, "reason": str(exc)})
            continue
        seen.add(number)
        report.counts[built.status] += 1
        report.cas_rejected += [
            {"編號": number, "cas": cas, "reason": "check digit fails"}
            for cas in built.cas_rejected
        ]
        records.append(built.record)
    return records


def _number(record: Mapping[str, Any]) -> str:
    return str(record["entry_ref"]).removeprefix("No. ")


def _link_groups(records: list[dict[str, Any]], report: ParseReport) -> None:
    """A summed limit one entry states for several ("混合使用編號32及33之成分") is given to
    each of them; an entry's own "混合使用" group of the same value is that one."""
    by_key = {(r["list_type"], _number(r)): r for r in records}
    for record in records:
        for group in list(record["rule"].get("groups") or ()):
            for ref in group.get("entries") or ():
                other = by_key.get((record["list_type"], ref))
                if other is None:
                    report.lists[record["list_type"]].notes.append(
                        f"{record['entry_ref']}: group {group['key']} names 編號 {ref}, "
                        "not in this file"
                    )
                    continue
                _share_group(other, group, f"TFDA:{record['list_type']}:{ref}")


def _share_group(record: dict[str, Any], group: dict[str, Any], own_key: str) -> None:
    groups: list[dict[str, Any]] = record["rule"].setdefault("groups", [])
    if any(g["key"] == group["key"] for g in groups):
        return
    for index, own in enumerate(groups):
        same = (own["max_pct"], own.get("expressed_as")) == (
            group["max_pct"],
            group.get("expressed_as"),
        )
        if own["key"] == own_key and same and "entries" not in own:
            groups[index] = {**group, "text": f"{own.get('text', '')} = {group.get('text', '')}"}
            return
    groups.append(dict(group))


def _check_non_preservative(records: list[dict[str, Any]], report: ParseReport) -> None:
    """The restricted list's 註 entries are read as the uses of a preservative other
    than preserving; say for each where the same substance is on the preservative list."""
    preservatives = [r for r in records if r["list_type"] == "preservative"]
    for record in records:
        if (
            record["list_type"] != "restricted"
            or record["rule"].get("function") != "non_preservative"
        ):
            continue
        if not preservatives:
            record["source"]["also_on_list"] = (
                "not checked: the preservative list is not in this file"
            )
            continue
        names = {_key(n) for n in record["names"]}
        match = next(
            (
                p
                for p in preservatives
                if set(p["cas"]) & set(record["cas"]) or names & {_key(n) for n in p["names"]}
            ),
            None,
        )
        if match is None:
            record["source"]["also_on_list"] = "no preservative-list entry shares its CAS or names"
            report.lists["restricted"].notes.append(
                f"{record['entry_ref']} (marked 註): no preservative-list entry shares its "
                "CAS or names"
            )
        else:
            record["source"]["also_on_list"] = f"preservative list {match['entry_ref']}"


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower()
