"""The EU CosIng ingredient inventory export, merged into ``ingredients``.

CosIng adds CAS/EC numbers, functions and names, and owns its own fields (reference,
description, restriction, update date); it never changes what a curator decided.
"""

from __future__ import annotations

import gzip
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import name_key, normalize_name
from pifai.core.errors import ValidationFailed
from pifai.models.ingredient import MAX_NAME_LENGTH
from pifai.services.cosing_export import decode_export, read_export
from pifai.services.ingredient_import.staging import (
    Stage,
    dedupe,
    keys_of,
    merge_stages,
    split_cas,
    split_ec,
)

log = structlog.get_logger(__name__)

HEADER_SCAN_LINES = 50
MAX_INVALID_EXAMPLES = 20

CosingColumn = Literal[
    "ref", "inci", "inn", "ph_eur", "cas", "ec", "description", "restriction", "function",
    "updated",
]  # fmt: skip
Columns = dict[CosingColumn, int]

# Line breaks inside a cell are stored as "\n", whatever the file used.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class CosingFormatError(ValidationFailed):
    code = "cosing_format_error"


@dataclass(slots=True)
class CosingReport:
    lines_read: int = 0
    header_line: int = 0
    rows: int = 0
    ingredients: int = 0
    duplicates: int = 0
    skipped: int = 0
    cas_numbers: int = 0
    invalid_cas: int = 0
    invalid_cas_examples: list[str] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0


# Header labels by their start, in the order they are tried (a label matches once).
_COLUMN_PREFIXES: tuple[tuple[CosingColumn, tuple[str, ...]], ...] = (
    ("ref", ("cosing ref",)),
    ("inci", ("inci name",)),
    ("inn", ("inn name",)),
    ("ph_eur", ("ph. eur", "ph.eur", "ph eur")),
    ("cas", ("cas",)),
    ("ec", ("ec no", "ec number", "einecs")),
    ("description", ("description",)),  # also any label naming the IUPAC name
    ("restriction", ("restriction",)),
    ("function", ("function",)),
    ("updated", ("update",)),
)


def _label(cell: str) -> str:
    """A header cell as words: "Update Date", "update_date" and "UPDATE  DATE" are one."""
    return " ".join(cell.replace("\ufeff", "").replace("_", " ").strip().lower().split())


def _cosing_column(cell: str) -> CosingColumn | None:
    label = _label(cell)
    for column, prefixes in _COLUMN_PREFIXES:
        if label.startswith(prefixes) or (column == "description" and "iupac" in label):
            return column
    return None


def _is_header(line: str) -> bool:
    lowered = _label(line)
    return "inci name" in lowered and "cas" in lowered


def _columns(header: list[str]) -> Columns:
    columns: Columns = {}
    for position, cell in enumerate(header):
        kind = _cosing_column(cell)
        if kind is not None and kind not in columns:
            columns[kind] = position
    return columns


def _get(cells: list[str], columns: Columns, kind: CosingColumn) -> str | None:
    position = columns.get(kind)
    if position is None or position >= len(cells):
        return None
    value = _LINE_BREAK.sub("\n", cells[position].strip())
    return value or None


def _parse_date(cell: str | None) -> date | None:
    if not cell or not cell.strip():
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(cell.strip(), fmt).date()
        except ValueError:
            continue
    return None


def cosing_functions(cell: str | None) -> list[str]:
    """CosIng functions, written as the curated file does: "SKIN CONDITIONING - EMOLLIENT"
    becomes "emollient"."""
    out: list[str] = []
    for part in (cell or "").split(","):
        name = part.strip().lower().rsplit(" - ", 1)[-1].strip()
        if name and name not in out:
            out.append(name)
    return out


def _stage(cells: list[str], columns: Columns, report: CosingReport) -> Stage | None:
    """One inventory row as a staging row, counted in ``report`` (None: skipped)."""
    inci = normalize_name(_get(cells, columns, "inci") or "")
    key = name_key(inci)
    if not key or len(inci) > MAX_NAME_LENGTH:
        report.skipped += 1
        return None
    valid, bad = split_cas(_get(cells, columns, "cas"))
    report.cas_numbers += len(valid)
    report.invalid_cas += len(bad)
    for cas in bad:
        if len(report.invalid_cas_examples) < MAX_INVALID_EXAMPLES:
            report.invalid_cas_examples.append(f"{inci}: {cas}")
    synonyms = [
        normalize_name(n)
        for n in (_get(cells, columns, "inn"), _get(cells, columns, "ph_eur"))
        if n and name_key(n) != key
    ]
    ref = _get(cells, columns, "ref")
    updated = _parse_date(_get(cells, columns, "updated"))
    source = "EU CosIng ingredient inventory" + (f", COSING Ref No {ref}" if ref else "")
    if updated is not None:
        source += f", update date {updated.isoformat()}"
    return Stage(
        inci_name=inci,
        inci_key=key,
        cas_numbers=valid,
        ec_numbers=split_ec(_get(cells, columns, "ec")),
        functions=cosing_functions(_get(cells, columns, "function")),
        synonyms=list(dict.fromkeys(synonyms)),
        description=_get(cells, columns, "description"),
        restriction=_get(cells, columns, "restriction"),
        source=source,
        verified=True,
        cosing_ref=ref[:20] if ref else None,
        cosing_updated=updated,
        name_keys=keys_of(inci, *synonyms),
    )


def unpack(data: bytes) -> bytes:
    """The file's bytes, gunzipped when it is a gzip file (``.csv.gz``)."""
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def parse_cosing(data: bytes) -> tuple[list[Stage], CosingReport]:
    """Rows of a CosIng inventory export (header found below any preamble lines): the
    Commission's CSV, or a conversion of it with snake_case headers, gzipped or not."""
    report = CosingReport()
    table = read_export(
        decode_export(unpack(data)), _is_header, scan_lines=HEADER_SCAN_LINES, delimiters=",;\t"
    )
    if table is None:
        raise CosingFormatError(
            "No CosIng header found: expected a line with the columns 'INCI name' and "
            f"'CAS No' within the first {HEADER_SCAN_LINES} lines.",
        )
    columns = _columns(table.header)
    report.header_line = table.header_line
    stages: list[Stage] = []
    for cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        report.rows += 1
        stage = _stage(cells, columns, report)
        if stage is not None:
            stages.append(stage)
    report.lines_read = table.line_count
    deduped, report.duplicates = dedupe(stages)
    report.ingredients = len(deduped)
    return deduped, report


async def import_cosing(session: AsyncSession, data: bytes) -> CosingReport:
    """Merge a CosIng inventory export into ``ingredients`` (idempotent)."""
    started = time.perf_counter()
    stages, report = parse_cosing(data)
    counts = await merge_stages(session, stages, "cosing")
    report.inserted, report.updated = counts.inserted, counts.updated
    report.unchanged = counts.unchanged
    report.seconds = round(time.perf_counter() - started, 3)
    log.info(
        "cosing inventory imported",
        rows=report.rows,
        ingredients=report.ingredients,
        inserted=report.inserted,
        updated=report.updated,
        invalid_cas=report.invalid_cas,
        seconds=report.seconds,
    )
    return report
