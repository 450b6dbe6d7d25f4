"""The ingredient dictionary shipped in the package (``pifai/data/ingredient_dictionary``):
one gzipped JSON line per ingredient, and ``sources.json``, the table of the files the
rows cite (file, hash, date, what an entry reference means). Built by
``pifai data build-dictionary`` (`pifai.services.ingredient_import.build`).

A row:  {"inci": ..., "cas": [...], "ec": [...], "functions": [...], "synonyms": [...],
"restriction": ..., "cite": ["cosing-2021", "34040", "2019-11-21"] (source, CosIng
reference, update date; the 2026 name list: ["cosing-2026"], the name is the entry),
"zh_derived": [...], "iecic": [{"serial": "02421", "zh_cn": ..., "zh_tw": ...,
"rinse_off_max_pct": ..., "leave_on_max_pct": ..., "note": ...}]} (source iecic-2021;
"inci" only where IECIC spells the name differently).

On start (`ensure_reference_data`) the curated CSV and this file are merged into the
``ingredients`` table; the hash of what was loaded is recorded, so a start where nothing
changed reads one row and writes nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import name_key
from pifai.models.ingredient import Ingredient, ReferenceLoad
from pifai.services.ingredient_import.curated import DATA_CSV, load_reference_data
from pifai.services.ingredient_import.staging import LOAD_LOCK_KEY, Stage, keys_of, merge_stages

log = structlog.get_logger(__name__)

FORMAT = "pifai-ingredient-dictionary/1"
DICTIONARY_DIR = Path(__file__).resolve().parents[2] / "data" / "ingredient_dictionary"
ROWS_FILE = DICTIONARY_DIR / "ingredients.jsonl.gz"
SOURCES_FILE = DICTIONARY_DIR / "sources.json"
LOAD_NAME = "ingredient-dictionary"
# Part of the recorded hash: a change in how rows are merged reloads them once.
LOADER_VERSION = b"1"


IECIC_SOURCE = "iecic-2021"


def _row(stage: Stage) -> dict[str, Any]:
    cite = [stage.source or "", stage.cosing_ref or ""]
    cite += [stage.cosing_updated.isoformat()] if stage.cosing_updated else []
    row: dict[str, Any] = {"inci": stage.inci_name}
    for key, value in (
        ("cas", stage.cas_numbers),
        ("ec", stage.ec_numbers),
        ("functions", stage.functions),
        ("synonyms", stage.synonyms),
        ("restriction", stage.restriction),
    ):
        if value:
            row[key] = value
    row["cite"] = cite
    if stage.zh_derived:
        row["zh_derived"] = stage.zh_derived
    if stage.iecic:
        row["iecic"] = [
            {k: v for k, v in fact.items() if k != "inci" or name_key(v) != stage.inci_key}
            for fact in stage.iecic
        ]
    return row


def write_rows(stages: list[Stage], path: Path = ROWS_FILE) -> int:
    """Write ``stages`` in the shipped format (gzip without a timestamp: the same sources
    give the same bytes); returns the file's size."""
    lines = "".join(
        json.dumps(_row(s), ensure_ascii=False, separators=(",", ":")) + "\n" for s in stages
    )
    data = gzip.compress(lines.encode("utf-8"), compresslevel=9, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def read_sources(path: Path = SOURCES_FILE) -> dict[str, dict[str, Any]]:
    sources: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["sources"]
    return sources


def _citation(source: dict[str, Any], ref: str, updated: str | None) -> str:
    text = f"{source['title']}; file {source['file']} (sha256 {source['sha256'][:12]}"
    text += f", data to {source['date']})" if source.get("date") else ")"
    if ref:
        text += f", COSING Ref No {ref}"
    if updated:
        text += f", update date {updated}"
    return text


def _iecic_fact(source: dict[str, Any], inci: str, fact: dict[str, Any]) -> dict[str, Any]:
    cited = f"{source['title']}; file {source['file']} (sha256 {source['sha256'][:12]})"
    cited += f", serial {fact['serial']}"
    if fact.get("zh_tw"):
        cited += f"; {source['conversion']}"
    return {"inci": inci, **fact, "source": cited}


def _stage(row: dict[str, Any], sources: dict[str, dict[str, Any]]) -> Stage:
    cite: list[str] = [*row["cite"], "", ""]
    source, ref, updated = cite[0], cite[1], cite[2] or None
    iecic = [_iecic_fact(sources[IECIC_SOURCE], row["inci"], f) for f in row.get("iecic", ())]
    return Stage(
        inci_name=row["inci"],
        inci_key=name_key(row["inci"]),
        cas_numbers=row.get("cas", []),
        ec_numbers=row.get("ec", []),
        functions=row.get("functions", []),
        synonyms=row.get("synonyms", []),
        restriction=row.get("restriction"),
        source=_citation(sources[source], ref, updated),
        # The inventory states each entry's CAS (or none); the 2026 list has no CAS at all.
        verified=source == "cosing-2021",
        cosing_ref=ref or None,
        cosing_updated=date.fromisoformat(updated) if updated else None,
        name_keys=keys_of(row["inci"], *row.get("synonyms", ())),
        zh_derived=row.get("zh_derived", []),
        iecic=iecic,
    )


def read_shipped(rows_file: Path = ROWS_FILE, sources_file: Path = SOURCES_FILE) -> list[Stage]:
    """The shipped dictionary as staging rows, each citing its file, date and entry."""
    sources = read_sources(sources_file)
    with gzip.open(rows_file, "rt", encoding="utf-8") as handle:
        return [_stage(json.loads(line), sources) for line in handle if line.strip()]


@lru_cache(maxsize=4)
def _digest_of(paths: tuple[Path, ...], stamps: tuple[tuple[int, int], ...]) -> str:
    digest = hashlib.sha256(LOADER_VERSION)
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def shipped_digest(paths: tuple[Path, ...] = (DATA_CSV, ROWS_FILE, SOURCES_FILE)) -> str:
    """The hash of every shipped dictionary file (re-read when a file's size or time
    changes)."""
    stamps = tuple((p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
    return _digest_of(paths, stamps)


@dataclass(frozen=True, slots=True)
class StartLoad:
    skipped: bool  # nothing changed since the last load: nothing read, nothing written
    rows: int  # rows in the table afterwards
    inserted: int = 0
    updated: int = 0
    seconds: float = 0.0


async def load_shipped_dictionary(
    session: AsyncSession, rows_file: Path = ROWS_FILE, sources_file: Path = SOURCES_FILE
) -> tuple[int, int, int]:
    """Merge the shipped dictionary (rows, inserted, updated); curated fields never change."""
    stages = read_shipped(rows_file, sources_file)
    counts = await merge_stages(session, stages, "cosing")
    return counts.rows, counts.inserted, counts.updated


async def ensure_reference_data(session: AsyncSession, *, force: bool = False) -> StartLoad:
    """On start-up: bring the ingredients table up to the shipped data (the curated CSV,
    then the shipped dictionary), unless the files hash as they did at the last load and
    the table still holds its rows (``force``: load all the same). Replicas starting
    together take turns on a lock."""
    started = time.perf_counter()
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOAD_LOCK_KEY})
    digest = shipped_digest()
    recorded = await session.get(ReferenceLoad, LOAD_NAME)
    count = int(await session.scalar(select(func.count()).select_from(Ingredient)) or 0)
    unchanged = recorded is not None and recorded.sha256 == digest and count >= recorded.rows
    if unchanged and not force:
        return StartLoad(skipped=True, rows=count, seconds=time.perf_counter() - started)
    curated = await load_reference_data(session)
    _, inserted, updated = await load_shipped_dictionary(session)
    count = int(await session.scalar(select(func.count()).select_from(Ingredient)) or 0)
    values = {"sha256": digest, "rows": count, "loaded_at": func.now()}
    statement = insert(ReferenceLoad).values(name=LOAD_NAME, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=values))
    report = StartLoad(
        skipped=False,
        rows=count,
        inserted=curated.inserted + inserted,
        updated=curated.updated + updated,
        seconds=round(time.perf_counter() - started, 3),
    )
    log.info("ingredient dictionary loaded", rows=count, inserted=report.inserted,
             updated=report.updated, seconds=report.seconds)  # fmt: skip
    return report
