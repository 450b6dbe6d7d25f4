"""The one path of every bulk load into ``ingredients``: rows parsed in Python are COPYed
into a temporary staging table, then merged in two set-based statements (UPDATE of
changed rows, INSERT of new ones). Arrays are merged as a union, so re-importing the same
file changes nothing."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from pifai.ai.ingredient_validator import find_cas_numbers, is_valid_cas, name_key

# Serialises bulk loads (two replicas starting together, a CLI import meanwhile).
LOAD_LOCK_KEY = 0x5049_4641_4901


@dataclass(slots=True)
class Stage:
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
    # Names derived from IECIC and the entries behind them. None: this import says nothing
    # about them (kept as they are); a list, even empty: the import owns them.
    zh_derived: list[str] = field(default_factory=list)
    iecic: list[dict[str, Any]] | None = None

    def merge(self, other: Stage) -> None:
        for name in ("cas_numbers", "ec_numbers", "functions", "synonyms", "name_keys",
                     "zh_derived"):  # fmt: skip
            mine: list[str] = getattr(self, name)
            mine.extend(v for v in getattr(other, name) if v not in mine)
        if other.iecic is not None:
            self.iecic = [*(self.iecic or []), *other.iecic]

    def record(self) -> tuple[Any, ...]:
        values = [getattr(self, c) for c in STAGE_COLUMNS]
        values[-1] = None if self.iecic is None else json.dumps(self.iecic, ensure_ascii=False)
        return tuple(values)


STAGE_COLUMNS = (
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
    "zh_derived",
    "iecic",
)

_CREATE_STAGE = """
CREATE TEMP TABLE ingredient_stage (
    inci_name text NOT NULL, inci_key text PRIMARY KEY,
    cas_numbers varchar(12)[] NOT NULL, ec_numbers varchar(12)[] NOT NULL,
    functions text[] NOT NULL, synonyms text[] NOT NULL, zh_name text, category text,
    description text, restriction text, source text, verified boolean NOT NULL,
    cosing_ref text, cosing_updated date, name_keys text[] NOT NULL,
    zh_derived text[] NOT NULL, iecic jsonb
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

# CosIng rows (an inventory export or the shipped dictionary): never touch a curated
# row's Chinese name, citation, verified flag or category; CosIng's own fields follow the
# latest file, a description only where the file has one (the shipped dictionary leaves
# them out). Derived Chinese names and IECIC entries follow a file that carries them.
_MERGE_COSING = """
WITH m AS (
    SELECT i.id, coalesce(s.description, i.description) AS description, s.restriction,
        s.cosing_ref, s.cosing_updated,
        CASE WHEN i.origin = 'cosing' THEN s.source ELSE i.source END AS source,
        pifai_array_union(i.cas_numbers::text[], s.cas_numbers::text[]) AS cas_numbers,
        pifai_array_union(i.ec_numbers::text[], s.ec_numbers::text[]) AS ec_numbers,
        pifai_array_union(i.functions, s.functions) AS functions,
        pifai_array_union(i.synonyms, s.synonyms) AS synonyms,
        pifai_array_union(i.name_keys, s.name_keys) AS name_keys,
        CASE WHEN s.iecic IS NULL THEN i.zh_derived ELSE s.zh_derived END AS zh_derived,
        CASE WHEN s.iecic IS NULL THEN i.iecic ELSE nullif(s.iecic, '[]') END AS iecic
    FROM ingredients i JOIN ingredient_stage s ON s.inci_key = i.inci_key
)
UPDATE ingredients i SET description = m.description, restriction = m.restriction,
    cosing_ref = m.cosing_ref, cosing_updated = m.cosing_updated, source = m.source,
    cas_numbers = m.cas_numbers, ec_numbers = m.ec_numbers, functions = m.functions,
    synonyms = m.synonyms, name_keys = m.name_keys, zh_derived = m.zh_derived,
    iecic = m.iecic, updated_at = now()
FROM m
WHERE i.id = m.id AND (i.description, i.restriction, i.cosing_ref, i.cosing_updated,
    i.source, i.cas_numbers::text[], i.ec_numbers::text[], i.functions, i.synonyms,
    i.name_keys, i.zh_derived, i.iecic)
  IS DISTINCT FROM (m.description, m.restriction, m.cosing_ref, m.cosing_updated,
    m.source, m.cas_numbers, m.ec_numbers, m.functions, m.synonyms, m.name_keys,
    m.zh_derived, m.iecic)
"""

_INSERT_NEW = """
INSERT INTO ingredients (inci_name, inci_key, cas_numbers, ec_numbers, functions, synonyms,
    zh_name, category, description, restriction, source, verified, cosing_ref,
    cosing_updated, name_keys, zh_derived, iecic, origin)
SELECT inci_name, inci_key, cas_numbers, ec_numbers, functions, synonyms, zh_name,
    category, description, restriction, source, verified, cosing_ref, cosing_updated,
    name_keys, zh_derived, nullif(iecic, '[]'), :origin
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


async def merge_stages(
    session: AsyncSession, stages: Sequence[Stage], origin: Literal["curated", "cosing"]
) -> MergeCounts:
    """COPY ``stages`` into a temporary table and merge it in two statements."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOAD_LOCK_KEY})
    conn = await session.connection()
    await conn.execute(text("DROP TABLE IF EXISTS pg_temp.ingredient_stage"))
    await conn.execute(text(_CREATE_STAGE))
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(
        "ingredient_stage", records=[s.record() for s in stages], columns=list(STAGE_COLUMNS)
    )
    merge_sql = _MERGE_CURATED if origin == "curated" else _MERGE_COSING
    updated: Any = await conn.execute(text(merge_sql))
    inserted: Any = await conn.execute(text(_INSERT_NEW), {"origin": origin})
    await conn.execute(text("DROP TABLE IF EXISTS pg_temp.ingredient_stage"))
    return MergeCounts(rows=len(stages), inserted=inserted.rowcount, updated=updated.rowcount)


def dedupe(stages: Iterable[Stage]) -> tuple[list[Stage], int]:
    by_key: dict[str, Stage] = {}
    duplicates = 0
    for stage in stages:
        first = by_key.get(stage.inci_key)
        if first is None:
            by_key[stage.inci_key] = stage
        else:
            first.merge(stage)
            duplicates += 1
    return list(by_key.values()), duplicates


def keys_of(*names: str | None) -> list[str]:
    keys = (name_key(n) for n in names if n)
    return list(dict.fromkeys(k for k in keys if k))


def split_cas(cell: str | None) -> tuple[list[str], list[str]]:
    """(valid, invalid) CAS numbers of a cell such as "56-81-5 / 9012-34-5"."""
    found = list(dict.fromkeys(find_cas_numbers(cell)))
    valid = [c for c in found if is_valid_cas(c)]
    return valid, [c for c in found if c not in valid]


_EC_FIND = re.compile(r"(?<![\d-])(\d{3}-\d{3}-\d)(?![\d-])")


def split_ec(cell: str | None) -> list[str]:
    if not cell:
        return []
    return list(dict.fromkeys(_EC_FIND.findall(unicodedata.normalize("NFKC", cell))))


def split_cell(cell: str | None, sep: str = "|") -> list[str]:
    if not cell:
        return []
    return list(dict.fromkeys(p.strip() for p in cell.split(sep) if p.strip()))


async def vacuum_ingredients(engine: AsyncEngine) -> None:
    """VACUUM (ANALYZE) ``ingredients`` after a bulk import, outside any transaction and
    as the table owner (the CLI's role): it flushes the GIN pending lists and refreshes
    the statistics, without which the planner scans the whole table after a fresh import
    instead of using the search indexes. Autovacuum gets there too, later."""
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM (ANALYZE) ingredients"))
