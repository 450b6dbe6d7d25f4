"""China's Inventory of Existing Cosmetic Ingredients (IECIC 2021, NMPA announcement
2021 No. 62), as the NMPA's xlsx: 序号 (serial), 中文名称 (simplified Chinese name),
INCI名称/英文名称, the historical maximum use in rinse-off and leave-on products (%) and
备注 (note), under three rows of title and notes.

Its Chinese names are mainland simplified Chinese. Converted to Traditional Chinese with
OpenCC's Taiwan phrases (s2twp) they become *derived* names of the CosIng entry with the
same INCI name: a machine conversion of another jurisdiction's term, so matched with less
confidence than a curated Taiwan label name and never replacing one. The historical
maximum use is kept with its source as evidence for a safety assessment; it is not a
limit and no rule reads it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pifai.ai.ingredient_validator import name_key, normalize_name
from pifai.ai.ingredient_validator.names import has_cjk
from pifai.core.errors import ValidationFailed
from pifai.services.ingredient_import.staging import Stage

OPENCC_CONFIG = "s2twp"
HEADER_SCAN_ROWS = 10
# Header labels by their start (the xlsx writes "INCI名称/英文名称" and "（%）" suffixes).
_COLUMNS = {
    "serial": "序号",
    "zh_cn": "中文名称",
    "inci": "INCI",
    "rinse_off": "淋洗",
    "leave_on": "驻留",
    "note": "备注",
}


class IecicFormatError(ValidationFailed):
    code = "iecic_format_error"


@dataclass(frozen=True, slots=True)
class IecicEntry:
    serial: int
    zh_cn: str  # as printed, with its "*" (class name) or "**" (non-standard) mark
    inci: str | None  # the INCI or English name
    rinse_off: str | None  # historical maximum use, % as printed ("/": see the note)
    leave_on: str | None
    note: str | None
    # The second name under one serial (说明 七: the same ingredient, e.g. a former name).
    second_name: bool = False
    sheet_row: int = 0


@dataclass(slots=True)
class IecicReport:
    header_row: int = 0
    rows: int = 0  # rows with a serial
    with_inci: int = 0
    second_names: int = 0
    rinse_off: int = 0
    leave_on: int = 0
    last_serial: int = 0
    unreadable: list[str] = field(default_factory=list)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        # The shortest decimal that reads back as the cell's number, never "1e-05".
        return format(Decimal(repr(value)).normalize(), "f")
    text = " ".join(str(value).split())
    return text or None


def _header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        labels = [(_text(c) or "") for c in row]
        if labels and labels[0].startswith(_COLUMNS["serial"]):
            columns: dict[str, int] = {}
            for kind, prefix in _COLUMNS.items():
                found = [i for i, label in enumerate(labels) if label.startswith(prefix)]
                if found:
                    columns[kind] = found[0]
            if {"serial", "zh_cn", "inci"} <= columns.keys():
                return index, columns
    raise IecicFormatError(
        "No IECIC header found: expected a row starting with 序号 and the columns 中文名称 "
        f"and INCI名称/英文名称 within the first {HEADER_SCAN_ROWS} rows."
    )


def _sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise IecicFormatError(f"The IECIC file is not a readable xlsx: {exc}") from exc
    try:
        # The sheet is 16,368 columns wide (empty formatting): read the six that hold data.
        return list(book.worksheets[0].iter_rows(values_only=True, max_col=12))
    finally:
        book.close()


def parse_iecic(data: bytes) -> tuple[list[IecicEntry], IecicReport]:
    """Every entry of the IECIC xlsx, a second name under a serial as its own entry."""
    rows = _sheet_rows(data)
    header, columns = _header(rows)
    report = IecicReport(header_row=header + 1)

    def cell(row: Sequence[Any], kind: str) -> str | None:
        position = columns.get(kind)
        return _text(row[position]) if position is not None and position < len(row) else None

    entries: list[IecicEntry] = []
    for offset, row in enumerate(rows[header + 1 :], start=header + 2):
        serial_text, zh_cn = cell(row, "serial"), cell(row, "zh_cn")
        if zh_cn is None and cell(row, "inci") is None:
            continue  # blank (or a stray space in the note column)
        second = serial_text is None
        if second and not entries:
            report.unreadable.append(f"row {offset}: a name without a serial")
            continue
        try:
            serial = entries[-1].serial if second else int(Decimal(serial_text or ""))
        except ArithmeticError:
            report.unreadable.append(f"row {offset}: serial {serial_text!r}")
            continue
        entry = IecicEntry(
            serial=serial,
            zh_cn=zh_cn or "",
            inci=cell(row, "inci"),
            rinse_off=cell(row, "rinse_off"),
            leave_on=cell(row, "leave_on"),
            note=cell(row, "note"),
            second_name=second,
            sheet_row=offset,
        )
        entries.append(entry)
        _count(report, entry)
    return entries, report


def _count(report: IecicReport, entry: IecicEntry) -> None:
    if entry.second_name:
        report.second_names += 1
        return
    report.rows += 1
    report.with_inci += entry.inci is not None
    report.rinse_off += entry.rinse_off is not None
    report.leave_on += entry.leave_on is not None
    report.last_serial = max(report.last_serial, entry.serial)


@lru_cache(maxsize=1)
def _converter() -> Callable[[str], str]:
    import opencc

    convert: Callable[[str], str] = opencc.OpenCC(OPENCC_CONFIG).convert
    return convert


def to_traditional(name: str) -> str:
    """A simplified Chinese name in Traditional Chinese with Taiwan phrases (OpenCC s2twp)."""
    return _converter()(name)


def derived_name(entry: IecicEntry) -> str | None:
    """The Traditional Chinese name derived from the entry (its "*" marks dropped), or None
    where the Chinese column holds no Chinese (colorants listed as "CI 10020")."""
    name = normalize_name(entry.zh_cn.replace("*", ""))
    return to_traditional(name) if name and has_cjk(name) else None


@dataclass(slots=True)
class AttachReport:
    attached: int = 0  # entries attached to a dictionary row
    derived_names: int = 0  # distinct (row, derived name) pairs
    unmatched: int = 0  # entries with an INCI name no dictionary row has
    without_inci: int = 0
    unmatched_examples: list[str] = field(default_factory=list)


def attach_iecic(stages: Mapping[str, Stage], entries: Sequence[IecicEntry]) -> AttachReport:
    """Each entry onto the row with its INCI name (a second name without one: its serial's),
    adding its derived Traditional Chinese name and the entry itself to the row."""
    report = AttachReport()
    inci_of_serial: dict[int, str] = {}
    for entry in entries:
        inci = entry.inci or (inci_of_serial.get(entry.serial) if entry.second_name else None)
        if entry.inci and not entry.second_name:
            inci_of_serial[entry.serial] = entry.inci
        if inci is None:
            report.without_inci += 1
            continue
        stage = stages.get(name_key(inci))
        if stage is None:
            report.unmatched += 1
            if len(report.unmatched_examples) < 30:
                report.unmatched_examples.append(f"{entry.serial:05d} {inci}")
            continue
        report.attached += 1
        zh_tw = derived_name(entry)
        if zh_tw and zh_tw not in stage.zh_derived:
            stage.zh_derived.append(zh_tw)
            report.derived_names += 1
        if stage.iecic is None:
            stage.iecic = []
        stage.iecic.append(iecic_fact(entry, zh_tw))
    return report


def iecic_fact(entry: IecicEntry, zh_tw: str | None) -> dict[str, Any]:
    """The entry as kept on the dictionary row (its source is the shipped sources table's
    IECIC file; ``serial`` is its entry)."""
    fact: dict[str, Any] = {"serial": f"{entry.serial:05d}", "zh_cn": entry.zh_cn}
    optional = {
        "zh_tw": zh_tw,
        "inci": entry.inci,
        "rinse_off_max_pct": entry.rinse_off,
        "leave_on_max_pct": entry.leave_on,
        "note": entry.note,
        "second_name": True if entry.second_name else None,
    }
    fact.update({k: v for k, v in optional.items() if v is not None})
    return fact
