"""Import of a full-size EU CosIng inventory, and ingredient search latency.

    .venv/bin/python -m bench.ingredients [--rows 30000] [--file COSING.csv] [--searches 200]

Without --file a CosIng-format file (preamble lines, the official columns, CAS cells with
one or two numbers, ~1 % failing their check digit) is generated. Uses DATABASE_URL when
set, else the local server; a throwaway database is created and dropped. Goal: the import
under 30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bench.fixtures.cosing import generate_cosing
from pifai.core.database import asyncpg_dsn, create_engine, create_session_factory
from pifai.core.logging import configure_logging
from pifai.core.migrations import migrate
from pifai.services.ingredient_import import (
    import_cosing,
    load_reference_data,
    vacuum_ingredients,
)
from pifai.services.ingredients import read_dictionary, search_ingredients
from pifai.services.reference import ReferenceData


async def main(rows: int, file: Path | None, searches: int) -> None:
    configure_logging(json=False, level="WARNING")
    server = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    db_name = f"pifai_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(asyncpg_dsn(server))
    await admin.execute(f'CREATE DATABASE "{db_name}"')
    url = make_url(server).set(database=db_name).render_as_string(hide_password=False)
    engine = create_engine(url, pool_size=2)
    try:
        await migrate(url)
        factory = create_session_factory(engine)
        started = time.perf_counter()
        data = await asyncio.to_thread(file.read_bytes) if file else generate_cosing(rows)
        label = str(file) if file else f"generated, {rows} rows"
        took = time.perf_counter() - started
        print(f"CosIng file: {label}, {len(data) / 1e6:.1f} MB in {took:.2f} s")

        async with factory() as session, session.begin():
            curated = await load_reference_data(session)
        print(f"curated dictionary:   {curated.rows} rows in {curated.seconds:.2f} s")

        for run in ("first import", "re-import"):
            started = time.perf_counter()
            async with factory() as session, session.begin():
                report = await import_cosing(session, data)
            elapsed = time.perf_counter() - started
            await vacuum_ingredients(engine)
            vacuumed = time.perf_counter() - started - elapsed
            print(
                f"{run:<21} {report.rows} rows -> {report.inserted} new, {report.updated} "
                f"updated, {report.unchanged} unchanged, {report.invalid_cas} bad CAS dropped: "
                f"{elapsed:.2f} s ({report.rows / elapsed:,.0f} rows/s, committed); "
                f"then VACUUM ANALYZE {vacuumed:.2f} s"
            )

        async with factory() as session:
            started = time.perf_counter()
            dictionary = await read_dictionary(session)
            print(
                f"validator dictionary: {len(dictionary.entries)} entries built in "
                f"{time.perf_counter() - started:.2f} s"
            )
            queries = ["glycerin", "甘油", "56-81-5", "Aqua", "cetyl", "glyceryl stearate",
                       "phenoxyethanl", "hydrolyzed", "sodium-1234", "zzqxjv"]  # fmt: skip
            await _search(session, ReferenceData(), queries, searches)
    finally:
        await engine.dispose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        await admin.close()


async def _search(
    session: AsyncSession, reference: ReferenceData, queries: list[str], n: int
) -> None:
    latencies: dict[str, list[float]] = {q: [] for q in queries}
    for i in range(n):
        q = queries[i % len(queries)]
        started = time.perf_counter()
        await search_ingredients(session, reference, q, 20)
        latencies[q].append(time.perf_counter() - started)
    every = sorted(x for values in latencies.values() for x in values)
    p50 = statistics.median(every) * 1000
    p99 = every[max(0, int(len(every) * 0.99) - 1)] * 1000
    print(f"search, {n} queries:   p50 {p50:.1f} ms   p99 {p99:.1f} ms")
    for q, values in latencies.items():
        print(f"  {q!r:<22} median {statistics.median(values) * 1000:6.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.file, args.searches))
