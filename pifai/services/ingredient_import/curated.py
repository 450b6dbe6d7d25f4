"""The curated ingredient dictionary shipped with the package (pifai/data/ingredients.csv).

Curated rows win on what a curator decided (Chinese name, citation, verified flag,
category); numbers, functions and names other imports added are kept.
"""

from __future__ import annotations

import csv
import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import name_key, normalize_name
from pifai.services.ingredient_import.staging import (
    Stage,
    dedupe,
    keys_of,
    merge_stages,
    split_cas,
    split_cell,
    split_ec,
)

log = structlog.get_logger(__name__)

DATA_CSV = Path(__file__).resolve().parents[2] / "data" / "ingredients.csv"


@dataclass(frozen=True, slots=True)
class LoadReport:
    rows: int
    inserted: int
    updated: int
    unchanged: int
    invalid_cas: int
    seconds: float


def curated_csv_rows(path: Path = DATA_CSV) -> list[dict[str, str]]:
    """The rows of the curated CSV as written (the dictionary's one reader)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _stage(row: dict[str, str]) -> tuple[Stage | None, int]:
    """A curated row as a staging row (None without a usable name), and how many of its
    CAS numbers fail their check digit (those are dropped)."""
    inci = normalize_name(row.get("inci_name") or "")
    key = name_key(inci)
    if not key:
        return None, 0
    cas: list[str] = []
    invalid = 0
    for cell in split_cell(row.get("cas_numbers")):
        valid, bad = split_cas(cell)
        cas += [c for c in valid if c not in cas]
        invalid += len(bad)
    synonyms = split_cell(row.get("synonyms"))
    zh_name = (row.get("zh_name") or "").strip() or None
    stage = Stage(
        inci_name=inci,
        inci_key=key,
        cas_numbers=cas,
        ec_numbers=[e for c in split_cell(row.get("ec_numbers")) for e in split_ec(c)],
        functions=[f.lower() for f in split_cell(row.get("functions"))],
        synonyms=synonyms,
        zh_name=zh_name,
        category=(row.get("category") or "").strip() or None,
        source=(row.get("source") or "").strip() or None,
        verified=(row.get("verified") or "").strip().lower() == "yes",
        name_keys=keys_of(inci, *synonyms, zh_name),
    )
    return stage, invalid


def read_curated_csv(path: Path = DATA_CSV) -> tuple[list[Stage], int]:
    """The shipped dictionary as staging rows, and how many CAS numbers were dropped."""
    invalid = 0
    stages: list[Stage] = []
    for row in curated_csv_rows(path):
        stage, bad = _stage(row)
        invalid += bad
        if stage is not None:
            stages.append(stage)
    deduped, _ = dedupe(stages)
    return deduped, invalid


async def load_reference_data(session: AsyncSession, path: Path = DATA_CSV) -> LoadReport:
    """Load (or refresh) the curated dictionary; running it twice changes nothing."""
    started = time.perf_counter()
    stages, invalid = read_curated_csv(path)
    counts = await merge_stages(session, stages, "curated")
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
