"""The shipped ingredient dictionary (~34,000 CosIng entries, IECIC-derived Chinese names)
against the curated one (468 rows) in the same run: dictionary and rule-engine snapshot
build, and the normaliser's cost per name (exact, Chinese, typo), as ratios. With --db, the
load into PostgreSQL: the first load and a start where nothing changed.

    .venv/bin/python -m bench.dictionary [--rounds 200] [--db URL | --db embedded]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pifai.ai.ingredient_validator import DictionaryEntry, IngredientDictionary
from pifai.services.ingredient_import import ROWS_FILE, SOURCES_FILE, read_shipped
from pifai.services.regulatory.snapshots import (
    build_snapshot,
    curated_dictionary_rows,
    load_shipped_records,
)

NAMES = {
    "exact INCI": ["Glycerin", "Sodium Laureth Sulfate", "Tocopheryl Acetate", "CI 77891",
                   "Phenoxyethanol", "PEG-40 Hydrogenated Castor Oil"],
    "curated Chinese": ["甘油", "菸鹼醯胺", "玻尿酸鈉"],
    "typo (fuzzy)": ["Glycerine USP", "Phenoxyethnol", "Sodium Laureth Sulphate",
                     "Tocopheryl Acetat", "Butylene Glycoll"],
    "unknown": ["Zzqxj Extract Blend", "Proprietary Complex 7"],
}  # fmt: skip


def _timed(work: Callable[[], Any], rounds: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        work()
    return (time.perf_counter() - started) / rounds


def _entries() -> tuple[list[DictionaryEntry], list[DictionaryEntry]]:
    curated = list(curated_dictionary_rows())
    shipped = [
        DictionaryEntry(
            inci=s.inci_name,
            cas=tuple(s.cas_numbers),
            synonyms=tuple(s.synonyms),
            functions=tuple(s.functions),
            derived_zh=tuple(s.zh_derived),
        )
        for s in read_shipped()
    ]
    return curated, curated + shipped  # curated first, as read_dictionary orders them


def _per_name(dictionary: IngredientDictionary, names: list[str], rounds: int) -> float:
    samples = [_timed(lambda n=n: dictionary.match(n), rounds) for n in names]
    return statistics.median(samples) * 1e6


def in_memory(rounds: int) -> None:
    curated, full = _entries()
    print(f"shipped files: {ROWS_FILE.stat().st_size:,} + {SOURCES_FILE.stat().st_size:,} bytes")
    small = IngredientDictionary(curated)
    build_small = _timed(lambda: IngredientDictionary(curated), 5)
    build_full = _timed(lambda: IngredientDictionary(full), 3)
    big = IngredientDictionary(full)
    print(f"dictionary build: {len(curated)} entries {build_small * 1000:.1f} ms, "
          f"{len(full)} entries {build_full * 1000:.0f} ms "
          f"(x{build_full / build_small:.0f})")  # fmt: skip
    records = load_shipped_records()
    snap_small = _timed(lambda: build_snapshot(records, dictionary_rows=curated), 3)
    snap_full = _timed(lambda: build_snapshot(records, dictionary_rows=full), 3)
    print(f"regulatory snapshot build ({len(records)} records): curated rows "
          f"{snap_small * 1000:.0f} ms, full rows {snap_full * 1000:.0f} ms "
          f"(x{snap_full / snap_small:.1f})")  # fmt: skip
    for kind, names in NAMES.items():
        a, b = _per_name(small, names, rounds), _per_name(big, names, rounds)
        print(f"  match, {kind:<16} curated {a:8.1f} us   full {b:8.1f} us   (x{b / a:.1f})")


async def load(db: str) -> None:
    """First load and a no-change start into a throwaway database on ``db``."""
    import asyncpg
    from sqlalchemy.engine import make_url

    from pifai.core.database import asyncpg_dsn, create_engine, create_session_factory
    from pifai.core.migrations import migrate
    from pifai.services.ingredient_import import ensure_reference_data

    name = f"pifai_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(asyncpg_dsn(db))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(db).set(database=name).render_as_string(hide_password=False)
    try:
        await migrate(url)
        engine = create_engine(url, pool_size=1)
        factory = create_session_factory(engine)
        for label in ("first load", "no-change start", "no-change start"):
            started = time.perf_counter()
            async with factory() as session, session.begin():
                report = await ensure_reference_data(session)
            took = time.perf_counter() - started
            print(f"  {label:<16} {took * 1000:8.0f} ms  rows {report.rows} "
                  f"(+{report.inserted}, ~{report.updated}, skipped={report.skipped})")  # fmt: skip
        await engine.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--db", default=None, help="a server URL, or 'embedded'")
    args = parser.parse_args()
    in_memory(args.rounds)
    if args.db == "embedded":
        from pifai.core.embedded import start_embedded

        folder = Path(tempfile.mkdtemp(prefix="pifai-bench-embedded-"))
        services = start_embedded(folder, need_postgres=True, need_redis=False)
        try:
            assert services.database_url
            print("embedded PostgreSQL:")
            asyncio.run(load(services.database_url))
        finally:
            services.stop()
    elif args.db:
        print(f"PostgreSQL at {args.db}:")
        asyncio.run(load(args.db))


if __name__ == "__main__":
    main()
