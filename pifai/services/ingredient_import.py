"""Importing the ingredient reference dictionary: the curated CSV shipped with the
package and the EU CosIng inventory export.

Bulk loads go through one path: rows are parsed in Python, COPYed into a temporary
staging table, then merged in two set-based statements (UPDATE of changed rows, INSERT of
new ones). Curated rows win on what a curator decided (Chinese name, citation, verified
flag, category); CosIng adds CAS/EC numbers, functions and names, and owns its own
fields (reference, description, restriction, update date). Arrays are merged as a union,
so re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from pifai.ai.ingredient_validator import find_cas_numbers, is_valid_cas, name_key, normalize_name
from pifai.core.errors import ValidationFailed

log = structlog.get_logger(__name__)

DATA_CSV = Path(__file__).resolve().parents[1] / "data" / "ingredients.csv"
# Serialises bulk loads (two replicas starting together, a CLI import meanwhile).
LOAD_LOCK_KEY = 0x5049_4641_4901
MAX_INVALID_EXAMPLES = 20
MAX_NAME_LENGTH = 500  # ingredients.inci_name


class CosingFormatError(ValidationFailed):
    code = "cosing_format_error"


# --- staging rows ---------------------------------------------------------------------


@dataclass(slots=True)
class _Stage:
    inci_name: str
    inci_key: str
    cas_numbers: list[str] = field(default_factory=list)
    ec_numbers: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    zh_name: str | None = None
    category: str | None = None
    description: str | None = None
    restriction: str | None = None
    source: str | None = None
    verified: bool = False
    cosing_ref: str | None = None
    cosing_updated: date | None = None
    name_keys: list[str] = field(default_factory=list)

    def merge(self, other: _Stage) -> None:
        for name in ("cas_numbers", "ec_numbers", "functions", "synonyms", "name_keys"):
            mine: list[str] = getattr(self, name)
            mine.extend(v for v in getattr(other, name) if v not in mine)

    def record(self) -> tuple[Any, ...]:
        return tuple(getattr(self, c) for c in _STAGE_COLUMNS)


_STAGE_COLUMNS = (
    "inci_name",
    "inci_key",
    "cas_numbers",
    "ec_numbers",
    "functions",
    "synonyms",
    "zh_name",
    "category",
    "description",
    "restriction",
    "source",
    "verified",
    "cosing_ref",
    "cosing_updated",
    "name_keys",
)

_CREATE_STAGE = """
CREATE TEMP TABLE ingredient_stage (
    inci_name text NOT NULL, inci_key text PRIMARY KEY,
    cas_numbers varchar(12)[] NOT NULL, ec_numbers varchar(12)[] NOT NULL,
    functions text[] NOT NULL, synonyms text[] NOT NULL, zh_name text, category text,
    description text, restriction text, source text, verified boolean NOT NULL,
    cosing_ref text, cosing_updated date, name_keys text[] NOT NULL
) ON COMMIT DROP
"""

# Curated rows: the CSV decides names, citation, verified flag and category; numbers,
# functions and names others added are kept (union, curated first).
_MERGE_CURATED = """
WITH m AS (
    SELECT i.id, s.inci_name, s.zh_name, s.category, s.source, s.verified,
        pifai_array_union(s.cas_numbers::text[], i.cas_numbers::text[]) AS cas_numbers,
        pifai_array_union(s.ec_numbers::text[], i.ec_numbers::text[]) AS ec_numbers,
        pifai_array_union(s.functions, i.functions) AS functions,
        pifai_array_union(s.synonyms, i.synonyms) AS synonyms,
        pifai_array_union(s.name_keys, i.name_keys) AS name_keys
    FROM ingredients i JOIN ingredient_stage s ON s.inci_key = i.inci_key
)
UPDATE ingredients i SET inci_name = m.inci_name, zh_name = m.zh_name,
    category = m.category, source = m.source, verified = m.verified, origin = 'curated',
    cas_numbers = m.cas_numbers, ec_numbers = m.ec_numbers, functions = m.functions,
    synonyms = m.synonyms, name_keys = m.name_keys, updated_at = now()
FROM m
WHERE i.id = m.id AND (i.inci_name, i.zh_name, i.category, i.source, i.verified, i.origin,
    i.cas_numbers::text[], i.ec_numbers::text[], i.functions, i.synonyms, i.name_keys)
  IS DISTINCT FROM (m.inci_name, m.zh_name, m.category, m.source, m.verified, 'curated',
    m.cas_numbers, m.ec_numbers, m.functions, m.synonyms, m.name_keys)
"""

# CosIng rows: never touch a curated row's Chinese name, citation, verified flag or
# category; CosIng's own fields follow the latest file.
_MERGE_COSING = """
WITH m AS (
    SELECT i.id, s.description, s.restriction, s.cosing_ref, s.cosing_updated,
        CASE WHEN i.origin = 'cosing' THEN s.source ELSE i.source END AS source,
        pifai_array_union(i.cas_numbers::text[], s.cas_numbers::text[]) AS cas_numbers,
        pifai_array_union(i.ec_numbers::text[], s.ec_numbers::text[]) AS ec_numbers,
        pifai_array_union(i.functions, s.functions) AS functions,
        pifai_array_union(i.synonyms, s.synonyms) AS synonyms,
        pifai_array_union(i.name_keys, s.name_keys) AS name_keys
    FROM ingredients i JOIN ingredient_stage s ON s.inci_key = i.inci_key
)
UPDATE ingredients i SET description = m.description, restriction = m.restriction,
    cosing_ref = m.cosing_ref, cosing_updated = m.cosing_updated, source = m.source,
    cas_numbers = m.cas_numbers, ec_numbers = m.ec_numbers, functions = m.functions,
    synonyms = m.synonyms, name_keys = m.name_keys, updated_at = now()
FROM m
WHERE i.id = m.id AND (i.description, i.restriction, i.cosing_ref, i.cosing_updated,
    i.source, i.cas_numbers::text[], i.ec_numbers::text[], i.functions, i.synonyms,
    i.name_keys)
  IS DISTINCT FROM (m.description, m.restriction, m.cosing_ref, m.cosing_updated,
    m.source, m.cas_numbers, m.ec_numbers, m.functions, m.synonyms, m.name_keys)
"""

_INSERT_NEW = """
INSERT INTO ingredients (inci_name, inci_key, cas_numbers, ec_numbers, functions, synonyms,
    zh_name, category, description, restriction, source, verified, cosing_ref,
    cosing_updated, name_keys, origin)
SELECT inci_name, inci_key, cas_numbers, ec_numbers, functions, synonyms, zh_name,
    category, description, restriction, source, verified, cosing_ref, cosing_updated,
    name_keys, :origin
FROM ingredient_stage
ON CONFLICT (inci_key) DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class MergeCounts:
    rows: int
    inserted: int
    updated: int

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted - self.updated


async def _merge(
    session: AsyncSession, stages: Sequence[_Stage], origin: Literal["curated", "cosing"]
) -> MergeCounts:
    """COPY ``stages`` into a temporary table and merge it in two statements."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOAD_LOCK_KEY})
    conn = await session.connection()
    await conn.execute(text("DROP TABLE IF EXISTS pg_temp.ingredient_stage"))
    await conn.execute(text(_CREATE_STAGE))
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(
        "ingredient_stage", records=[s.record() for s in stages], columns=list(_STAGE_COLUMNS)
    )
    merge_sql = _MERGE_CURATED if origin == "curated" else _MERGE_COSING
    updated: Any = await conn.execute(text(merge_sql))
    inserted: Any = await conn.execute(text(_INSERT_NEW), {"origin": origin})
    await conn.execute(text("DROP TABLE IF EXISTS pg_temp.ingredient_stage"))
    return MergeCounts(rows=len(stages), inserted=inserted.rowcount, updated=updated.rowcount)


def _dedupe(stages: Iterable[_Stage]) -> tuple[list[_Stage], int]:
    by_key: dict[str, _Stage] = {}
    duplicates = 0
    for stage in stages:
        first = by_key.get(stage.inci_key)
        if first is None:
            by_key[stage.inci_key] = stage
        else:
            first.merge(stage)
            duplicates += 1
    return list(by_key.values()), duplicates


def _keys(*names: str | None) -> list[str]:
    keys = (name_key(n) for n in names if n)
    return list(dict.fromkeys(k for k in keys if k))


def _split_cas(cell: str | None) -> tuple[list[str], list[str]]:
    """(valid, invalid) CAS numbers of a cell such as "56-81-5 / 9012-34-5"."""
    found = list(dict.fromkeys(find_cas_numbers(cell)))
    valid = [c for c in found if is_valid_cas(c)]
    return valid, [c for c in found if c not in valid]


_EC_FIND = re.compile(r"(?<![\d-])(\d{3}-\d{3}-\d)(?![\d-])")


def _split_ec(cell: str | None) -> list[str]:
    if not cell:
        return []
    return list(dict.fromkeys(_EC_FIND.findall(unicodedata.normalize("NFKC", cell))))


def _split(cell: str | None, sep: str = "|") -> list[str]:
    if not cell:
        return []
    return list(dict.fromkeys(p.strip() for p in cell.split(sep) if p.strip()))


# --- curated CSV ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadReport:
    rows: int
    inserted: int
    updated: int
    unchanged: int
    invalid_cas: int
    seconds: float


def read_curated_csv(path: Path = DATA_CSV) -> tuple[list[_Stage], int]:
    """The shipped dictionary as staging rows, and how many CAS numbers were dropped."""
    invalid = 0
    stages: list[_Stage] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            inci = normalize_name(row.get("inci_name") or "")
            key = name_key(inci)
            if not key:
                continue
            cas: list[str] = []
            for cell in _split(row.get("cas_numbers")):
                valid, bad = _split_cas(cell)
                cas += [c for c in valid if c not in cas]
                invalid += len(bad)
            synonyms = _split(row.get("synonyms"))
            zh_name = (row.get("zh_name") or "").strip() or None
            stages.append(
                _Stage(
                    inci_name=inci,
                    inci_key=key,
                    cas_numbers=cas,
                    ec_numbers=[e for c in _split(row.get("ec_numbers")) for e in _split_ec(c)],
                    functions=[f.lower() for f in _split(row.get("functions"))],
                    synonyms=synonyms,
                    zh_name=zh_name,
                    category=(row.get("category") or "").strip() or None,
                    source=(row.get("source") or "").strip() or None,
                    verified=(row.get("verified") or "").strip().lower() == "yes",
                    name_keys=_keys(inci, *synonyms, zh_name),
                )
            )
    deduped, _ = _dedupe(stages)
    return deduped, invalid


async def load_reference_data(session: AsyncSession, path: Path = DATA_CSV) -> LoadReport:
    """Load (or refresh) the curated dictionary; running it twice changes nothing."""
    started = time.perf_counter()
    stages, invalid = read_curated_csv(path)
    counts = await _merge(session, stages, "curated")
    report = LoadReport(
        rows=counts.rows,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        invalid_cas=invalid,
        seconds=round(time.perf_counter() - started, 3),
    )
    log.info("ingredient dictionary loaded", **dataclasses.asdict(report))
    return report


async def ensure_reference_data(session: AsyncSession) -> LoadReport:
    """On start-up: bring the curated dictionary up to date with the shipped CSV. Loads it
    into an empty table, applies a newer CSV after an upgrade, and writes nothing when the
    rows already match (about 0.1 s; replicas starting together take turns on a lock)."""
    return await load_reference_data(session)


# --- EU CosIng inventory --------------------------------------------------------------

CosingColumn = Literal[
    "ref", "inci", "inn", "ph_eur", "cas", "ec", "description", "restriction", "function",
    "updated",
]  # fmt: skip

HEADER_SCAN_LINES = 50


def _cosing_column(cell: str) -> CosingColumn | None:
    label = " ".join(cell.replace("\ufeff", "").strip().lower().split())
    if label.startswith("cosing ref"):
        return "ref"
    if label.startswith("inci name"):
        return "inci"
    if label.startswith("inn name"):
        return "inn"
    if label.startswith(("ph. eur", "ph.eur", "ph eur")):
        return "ph_eur"
    if label.startswith("cas"):
        return "cas"
    if label.startswith(("ec no", "ec number", "einecs")):
        return "ec"
    if "iupac" in label or label.startswith("description"):
        return "description"
    if label.startswith("restriction"):
        return "restriction"
    if label.startswith("function"):
        return "function"
    if label.startswith("update"):
        return "updated"
    return None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _parse_date(cell: str | None) -> date | None:
    if not cell or not cell.strip():
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(cell.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _functions(cell: str | None) -> list[str]:
    """CosIng functions, written as the curated file does: "SKIN CONDITIONING - EMOLLIENT"
    becomes "emollient"."""
    out: list[str] = []
    for part in (cell or "").split(","):
        name = part.strip().lower().rsplit(" - ", 1)[-1].strip()
        if name and name not in out:
            out.append(name)
    return out


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


def parse_cosing(data: bytes) -> tuple[list[_Stage], CosingReport]:
    """Rows of a CosIng inventory export (header found below any preamble lines)."""
    report = CosingReport()
    content = _decode(data)
    lines = content.splitlines()
    header_at: int | None = None
    delimiter = ","
    for index, line in enumerate(lines[:HEADER_SCAN_LINES]):
        lowered = line.lower()
        if "inci name" in lowered and "cas" in lowered:
            header_at = index
            delimiter = max((",", ";", "\t"), key=line.count)
            break
    if header_at is None:
        raise CosingFormatError(
            "No CosIng header found: expected a line with the columns 'INCI name' and "
            f"'CAS No' within the first {HEADER_SCAN_LINES} lines.",
        )
    reader = csv.reader(io.StringIO("\n".join(lines[header_at:])), delimiter=delimiter)
    header = next(reader)
    columns: dict[CosingColumn, int] = {}
    for position, cell in enumerate(header):
        kind = _cosing_column(cell)
        if kind is not None and kind not in columns:
            columns[kind] = position
    report.header_line = header_at + 1

    def get(cells: list[str], kind: CosingColumn) -> str | None:
        position = columns.get(kind)
        if position is None or position >= len(cells):
            return None
        value = cells[position].strip()
        return value or None

    stages: list[_Stage] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        report.rows += 1
        inci = normalize_name(get(cells, "inci") or "")
        key = name_key(inci)
        if not key or len(inci) > MAX_NAME_LENGTH:
            report.skipped += 1
            continue
        valid, bad = _split_cas(get(cells, "cas"))
        report.cas_numbers += len(valid)
        report.invalid_cas += len(bad)
        for cas in bad:
            if len(report.invalid_cas_examples) < MAX_INVALID_EXAMPLES:
                report.invalid_cas_examples.append(f"{inci}: {cas}")
        synonyms = [
            normalize_name(n)
            for n in (get(cells, "inn"), get(cells, "ph_eur"))
            if n and name_key(n) != key
        ]
        ref = get(cells, "ref")
        updated = _parse_date(get(cells, "updated"))
        source = "EU CosIng ingredient inventory" + (f", COSING Ref No {ref}" if ref else "")
        if updated is not None:
            source += f", update date {updated.isoformat()}"
        stages.append(
            _Stage(
                inci_name=inci,
                inci_key=key,
                cas_numbers=valid,
                ec_numbers=_split_ec(get(cells, "ec")),
                functions=_functions(get(cells, "function")),
                synonyms=list(dict.fromkeys(synonyms)),
                description=get(cells, "description"),
                restriction=get(cells, "restriction"),
                source=source,
                verified=True,
                cosing_ref=ref[:20] if ref else None,
                cosing_updated=updated,
                name_keys=_keys(inci, *synonyms),
            )
        )
    report.lines_read = len(lines)
    deduped, report.duplicates = _dedupe(stages)
    report.ingredients = len(deduped)
    return deduped, report


async def import_cosing(session: AsyncSession, data: bytes) -> CosingReport:
    """Merge a CosIng inventory export into ``ingredients`` (idempotent)."""
    started = time.perf_counter()
    stages, report = parse_cosing(data)
    counts = await _merge(session, stages, "cosing")
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


async def vacuum_ingredients(engine: AsyncEngine) -> None:
    """VACUUM (ANALYZE) ``ingredients`` after a bulk import, outside any transaction and
    as the table owner (the CLI's role): it flushes the GIN pending lists and refreshes
    the statistics, without which the planner scans the table (~300 ms a search on a
    fresh 30,000-row import instead of < 1 ms). Autovacuum gets there too, later."""
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM (ANALYZE) ingredients"))


__all__ = [
    "CosingFormatError",
    "CosingReport",
    "LoadReport",
    "ensure_reference_data",
    "import_cosing",
    "load_reference_data",
    "parse_cosing",
    "read_curated_csv",
    "vacuum_ingredients",
]
