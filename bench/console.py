"""The console's first render of a product with 60 ingredients, in Debian's Chromium
against `pifai serve`, next to the dashboard's first render in the same browser (the
baseline: the same shell, session refresh and bundle, with little data), and the built
bundle's gzipped size.

    make web && .venv/bin/python -m bench.console [--runs 5]

Each run is a full page load (a new document: the session comes back through the
refresh cookie, then the screen's queries): the PIF builder (the product's 16 items) and
the formula table (60 editable rows). The 60 rows are the first 60 entries of the shipped
ingredient dictionary with a concentration each (a load, not a real formula).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BENCH_LIMITS, _redis_url, bench_database, register, serving

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
DICTIONARY = ROOT / "pifai" / "data" / "ingredient_dictionary" / "ingredients.jsonl.gz"
PASSWORD = "bench console passphrase"
INGREDIENTS = 60


def _bundle_gzipped() -> dict[str, int]:
    """Bytes of each built asset after gzip -9 (what a server compressing them sends)."""
    assets = sorted((WEB / "dist" / "assets").iterdir())
    return {
        path.name: len(gzip.compress(path.read_bytes(), 9))
        for path in assets
        if path.suffix in (".js", ".css")
    }


def _formula_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with gzip.open(DICTIONARY, "rt") as lines:
        for line in lines:
            entry = json.loads(line)
            if entry.get("cas"):
                rows.append({"name": entry["inci"], "cas": entry["cas"][0], "concentration": 0.5})
            if len(rows) == INGREDIENTS - 1:
                break
    rows.insert(0, {"name": "WATER", "cas": "7732-18-5", "concentration": 100 - 0.5 * len(rows)})
    return rows


async def _product(client: httpx.AsyncClient) -> str:
    account = await register(client, "console@bench.example", PASSWORD)
    created = await client.post(
        "/api/v1/products",
        json={"name": "六十成分乳液 bench", "product_type": "leave_on_face"},
        headers=account.headers,
    )
    created.raise_for_status()
    product_id = str(created.json()["id"])
    written = await client.put(
        f"/api/v1/products/{product_id}/ingredients",
        json={"rows": _formula_rows()},
        headers=account.headers,
    )
    written.raise_for_status()
    return product_id


async def _measure(runs: int) -> None:
    async with bench_database() as database_url:
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": _redis_url(),
            "DATA_DIR": tempfile.mkdtemp(prefix="pifai-bench-"),
            "CONSOLE_DIR": str(WEB / "dist"),
            "SESSION_COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
            **{name.upper(): str(value) for name, value in BENCH_LIMITS.items()},
        }
        async with serving(["pifai.cli", "serve"], env, "/readyz") as (client, port):
            product_id = await _product(client)
            browser = await asyncio.create_subprocess_exec(
                "node",
                "e2e/render.mjs",
                cwd=WEB,
                env={
                    **os.environ,
                    "BASE_URL": f"http://127.0.0.1:{port}",
                    "EMAIL": "console@bench.example",
                    "PASSWORD": PASSWORD,
                    "PRODUCT_ID": product_id,
                    "ROWS": str(INGREDIENTS),
                    "RUNS": str(runs),
                },
                stdout=asyncio.subprocess.PIPE,
            )
            out, _ = await browser.communicate()
    if browser.returncode != 0:
        raise SystemExit(f"render.mjs failed: {out.decode()}")
    times: dict[str, list[float]] = json.loads(out.decode().strip().splitlines()[-1])
    base = statistics.median(times["dashboard"])
    print(f"first render, median of {runs} full page loads (ms from navigation start):")
    for screen, label in (
        ("dashboard", "dashboard (baseline)"),
        ("builder", f"PIF builder, {INGREDIENTS} ingredients"),
        ("formula", f"formula table, {INGREDIENTS} rows"),
    ):
        median = statistics.median(times[screen])
        print(f"  {label:38} {median:7.0f} ms   x{median / base:4.2f} of the baseline")
    assets = _bundle_gzipped()
    page = (WEB / "dist" / "index.html").read_text()
    first = sum(size for name, size in assets.items() if name in page)
    print(
        f"bundle: {sum(assets.values()) / 1024:.1f} kB gzipped in {len(assets)} files, "
        f"{first / 1024:.1f} kB of them loaded by every first page (index.html's)"
    )
    for name, size in sorted(assets.items(), key=lambda pair: -pair[1])[:6]:
        print(f"  {name:40} {size / 1024:7.1f} kB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(_measure(parser.parse_args().runs))


if __name__ == "__main__":
    main()
