"""The ingredient dictionary (curated load, CosIng import, search) and a product's
formula rows (GET/PUT /api/v1/products/{id}/ingredients), on real PostgreSQL."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.document_parser import RawRow
from pifai.ai.ingredient_validator import is_valid_cas, validate_formula
from pifai.core.config import Settings
from pifai.core.database import create_engine
from pifai.core.migrations import migrate, schema_drift
from pifai.core.tenancy import scope_session
from pifai.models.ingredient import Ingredient, ProductIngredient
from pifai.services import ingredient_import as importer
from pifai.services import ingredients as service
from pifai.services.products import ProductNotFound
from tests.factories.auth import create_tenant
from tests.factories.cosing import (
    COSING_HEADER,
    CURATED_TAIL,
    PREAMBLE,
    cosing_file,
    generate_cosing,
)
from tests.factories.products import create_product
from tests.integration.conftest import ROOT

SHARED_DATA = ROOT.parent / "shared" / "data"

COSING_ROWS = [
    # A curated row: CosIng adds a second CAS, its reference and its functions.
    ["31925", "GLYCERIN", "", "GLYCEROL", "56-81-5 / 8043-29-6", "200-289-5",
     "Propane-1,2,3-triol", "", "HUMECTANT, SKIN CONDITIONING - EMOLLIENT", "16/04/2010"],
    # A curated row whose CAS was only check-digit validated (verified = no).
    ["38093", "NIACINAMIDE", "NICOTINAMIDE", "", "98-92-0", "202-713-4",
     "Pyridine-3-carboxamide", "", "SMOOTHING, SKIN CONDITIONING", "26/06/2012"],
    # New ingredients, one with a CAS that fails its check digit, one with two CAS.
    ["99001", "TESTOSYL GLUCOSIDE", "", "", "12345-67-4", "", "A test glucoside", "",
     "SURFACTANT - CLEANSING", "01/02/2020"],
    ["99002", "FAKEOLINE", "", "", "123-45-6", "", "", "III/99", "PRESERVATIVE", "01/02/2020"],
    ["99003", "DUALCAS ESTER", "", "", "9004-61-9, 25322-68-3", "", "", "", "EMOLLIENT",
     "bad date"],
    # The same INCI twice (merged) and a row without an INCI name (skipped).
    ["99004", "testosyl  glucoside", "", "", "77-92-9", "", "", "", "", ""],
    ["99005", "", "", "", "123-45-5", "", "", "", "", ""],
]  # fmt: skip


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Ingredient)) or 0)


async def _ingredient(session: AsyncSession, inci: str) -> Ingredient:
    row = await session.scalar(select(Ingredient).where(Ingredient.inci_name == inci))
    assert row is not None, inci
    await session.refresh(row)
    return row


# --- curated dictionary ---------------------------------------------------------------


async def test_load_twice_gives_the_same_rows(session: AsyncSession) -> None:
    first = await importer.load_reference_data(session)
    after_first = await _count(session)
    second = await importer.load_reference_data(session)

    assert first.rows >= 300
    assert first.invalid_cas == 0
    assert after_first == await _count(session) >= first.rows
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, first.rows)
    glycerin = await _ingredient(session, "GLYCERIN")
    assert (glycerin.zh_name, glycerin.verified, glycerin.origin) == ("甘油", True, "curated")
    assert glycerin.cas_numbers == ["56-81-5"]
    assert glycerin.source and "CosIng" in glycerin.source
    assert "甘油" in glycerin.search_text and "glycerol" in glycerin.search_text


async def test_ensure_reference_data_loads_then_only_refreshes(
    session: AsyncSession, tmp_path: Path
) -> None:
    first = await importer.ensure_reference_data(session)
    assert first.inserted == first.rows >= 300
    second = await importer.ensure_reference_data(session)
    assert (second.inserted, second.updated) == (0, 0)
    # A newer shipped CSV (one Chinese name corrected) is applied on the next start.
    lines = importer.DATA_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    edited = tmp_path / "ingredients.csv"
    edited.write_text(
        "".join(line.replace(",甘油,", ",丙三醇甘油,", 1) for line in lines), encoding="utf-8"
    )
    refreshed = await importer.load_reference_data(session, edited)
    assert (refreshed.inserted, refreshed.updated) == (0, 1)
    assert (await _ingredient(session, "GLYCERIN")).zh_name == "丙三醇甘油"


# --- search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "inci", "matched_on"),
    [
        ("glycerin", "GLYCERIN", "inci"),
        ("  GLYCERIN ", "GLYCERIN", "inci"),
        ("Glycerol", "GLYCERIN", "synonym"),
        ("甘油", "GLYCERIN", "zh_name"),
        ("56-81-5", "GLYCERIN", "cas"),
        ("aqua", "WATER", "synonym"),
        ("水", "WATER", "zh_name"),
        ("Nicotinamide", "NIACINAMIDE", "synonym"),
        ("菸鹼醯胺", "NIACINAMIDE", "zh_name"),
        ("phenoxyethanol", "PHENOXYETHANOL", "inci"),
        ("phenoxyethanl", "PHENOXYETHANOL", "text"),  # a typo: trigram similarity
    ],
)
async def test_search_finds_by_inci_synonym_chinese_name_and_cas(
    session: AsyncSession, q: str, inci: str, matched_on: str
) -> None:
    await importer.load_reference_data(session)
    page = await service.search_ingredients(session, q, 5)
    assert page.hits, q
    best = page.hits[0]
    assert (best.ingredient.inci_name, best.matched_on) == (inci, matched_on)
    assert page.total >= len(page.hits)
    assert [h.score for h in page.hits] == sorted((h.score for h in page.hits), reverse=True)


async def test_search_ranks_exact_before_longer_names(session: AsyncSession) -> None:
    await importer.load_reference_data(session)
    page = await service.search_ingredients(session, "glyceryl", 20)
    names = [h.ingredient.inci_name for h in page.hits]
    assert len(names) > 1
    assert all("GLYCERYL" in n for n in names[:3])
    exact = await service.search_ingredients(session, "cetyl alcohol", 5)
    assert exact.hits[0].ingredient.inci_name == "CETYL ALCOHOL"
    assert exact.hits[0].score == 1.0


async def test_search_of_nothing_matching_is_empty(session: AsyncSession) -> None:
    await importer.load_reference_data(session)
    page = await service.search_ingredients(session, "zzqxjv", 10)
    assert (page.hits, page.total) == ([], 0)
    # LIKE wildcards in the query are text, not patterns.
    assert (await service.search_ingredients(session, "%_%", 10)).total == 0


async def test_search_api_paginates_and_rejects_empty_q(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    url = "/api/v1/ingredients/search"

    response = await client.get(url, params={"q": "甘油"}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"][0]["inci_name"] == "GLYCERIN"
    assert body["items"][0]["matched_on"] == "zh_name"
    assert body["items"][0]["cas_numbers"] == ["56-81-5"]

    full = (await client.get(url, params={"q": "glyc"}, headers=tenant.headers)).json()
    assert full["total"] >= 3
    second = await client.get(
        url, params={"q": "glyc", "limit": 1, "offset": 1}, headers=tenant.headers
    )
    assert second.json()["items"][0]["id"] == full["items"][1]["id"]
    assert (second.json()["total"], second.json()["limit"]) == (full["total"], 1)

    for bad in ("", "   "):
        empty = await client.get(url, params={"q": bad}, headers=tenant.headers)
        assert empty.status_code == 422, bad
        assert empty.json()["error"]["code"] == "validation_error"
    missing = await client.get(url, headers=tenant.headers)
    assert missing.status_code == 422
    assert (await client.get(url, params={"q": "glycerin"})).status_code == 401


async def test_get_ingredient_by_id(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    water = await _ingredient(session, "WATER")
    response = await client.get(f"/api/v1/ingredients/{water.id}", headers=tenant.headers)
    assert response.status_code == 200
    assert response.json()["zh_name"] == "水"
    assert "Aqua" in response.json()["synonyms"]
    missing = await client.get(f"/api/v1/ingredients/{uuid.uuid4()}", headers=tenant.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "ingredient_not_found"


async def test_search_without_pg_trgm(scratch_db: str) -> None:
    """The embedded server has no pg_trgm: migration 0005 falls back to a btree index and
    search to LIKE plus the validator's fuzzy matcher for typos."""
    await migrate(scratch_db)
    engine = create_engine(scratch_db, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP INDEX ix_ingredients_search_text"))
            await conn.execute(text("DROP EXTENSION pg_trgm CASCADE"))
            await conn.execute(
                text(
                    "CREATE INDEX ix_ingredients_search_text ON ingredients "
                    "(search_text text_pattern_ops)"
                )
            )
        async with AsyncSession(engine) as session, session.begin():
            await importer.load_reference_data(session)
            expected = [("glycerin", "GLYCERIN"), ("甘油", "GLYCERIN"), ("56-81-5", "GLYCERIN"),
                        ("phenoxyethanl", "PHENOXYETHANOL")]  # fmt: skip
            for q, inci in expected:
                page = await service.search_ingredients(session, q, 5)
                assert page.hits and page.hits[0].ingredient.inci_name == inci, q
            glyc = await service.search_ingredients(session, "glyc", 50)
            assert glyc.total >= 3
            assert all("glyc" in h.ingredient.search_text for h in glyc.hits)
        # (CASCADE also dropped other contexts' trigram indexes; only ours is checked.)
        drift = [d for d in await schema_drift(scratch_db) if "ingredients" in repr(d)]
        assert drift == []
    finally:
        await engine.dispose()


# --- CosIng import --------------------------------------------------------------------


async def test_cosing_import_merges_without_touching_curated_fields(
    session: AsyncSession,
) -> None:
    await importer.load_reference_data(session)
    # An unverified curated row (made so here: the shipped rows are verified by now).
    await session.execute(
        update(Ingredient).where(Ingredient.inci_name == "NIACINAMIDE").values(verified=False)
    )
    niacinamide_before = await _ingredient(session, "NIACINAMIDE")
    assert niacinamide_before.verified is False
    glycerin_source = (await _ingredient(session, "GLYCERIN")).source
    before = await _count(session)

    report = await importer.import_cosing(session, cosing_file(COSING_ROWS))

    assert report.header_line == len(PREAMBLE) + 1
    assert (report.rows, report.skipped, report.duplicates) == (7, 1, 1)
    assert report.ingredients == 5
    assert report.invalid_cas == 1
    assert report.invalid_cas_examples == ["FAKEOLINE: 123-45-6"]
    assert (report.inserted, report.updated, report.unchanged) == (3, 2, 0)
    assert await _count(session) == before + 3

    glycerin = await _ingredient(session, "GLYCERIN")
    assert glycerin.zh_name == "甘油"
    assert glycerin.source == glycerin_source
    assert (glycerin.verified, glycerin.origin) == (True, "curated")
    assert glycerin.cas_numbers == ["56-81-5", "8043-29-6"]
    assert glycerin.cosing_ref == "31925"
    assert glycerin.cosing_updated is not None and glycerin.cosing_updated.year == 2010
    assert "emollient" in glycerin.functions and "humectant" in glycerin.functions
    assert "8043-29-6" in glycerin.search_text

    niacinamide = await _ingredient(session, "NIACINAMIDE")
    assert niacinamide.verified is False  # never promoted by an import
    assert (niacinamide.zh_name, niacinamide.source) == ("菸鹼醯胺", niacinamide_before.source)

    new = await _ingredient(session, "TESTOSYL GLUCOSIDE")
    assert (new.origin, new.zh_name, new.verified) == ("cosing", None, True)
    assert new.cas_numbers == ["12345-67-4", "77-92-9"]  # the duplicate row merged
    assert new.functions == ["cleansing"]
    assert new.source is not None and "COSING Ref No 99001" in new.source
    fake = await _ingredient(session, "FAKEOLINE")
    assert (fake.cas_numbers, fake.restriction) == ([], "III/99")
    dual = await _ingredient(session, "DUALCAS ESTER")
    assert dual.cas_numbers == ["9004-61-9", "25322-68-3"]
    assert dual.cosing_updated is None

    again = await importer.import_cosing(session, cosing_file(COSING_ROWS))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    assert await _count(session) == before + 3

    # Reloading the curated file keeps what CosIng added; it only restores the row this
    # test made unverified to its shipped state.
    reload = await importer.load_reference_data(session)
    assert reload.updated == 1
    assert (await _ingredient(session, "NIACINAMIDE")).verified is True
    glycerin = await _ingredient(session, "GLYCERIN")
    assert glycerin.cas_numbers == ["56-81-5", "8043-29-6"]
    assert glycerin.cosing_ref == "31925"


async def test_cosing_import_finds_new_names_in_search_and_dictionary(
    session: AsyncSession,
) -> None:
    await importer.load_reference_data(session)
    await importer.import_cosing(session, cosing_file(COSING_ROWS, delimiter=";"))
    hits = (await service.search_ingredients(session, "12345-67-4", 5)).hits
    assert hits[0].ingredient.inci_name == "TESTOSYL GLUCOSIDE"
    dictionary = await service.load_dictionary(session)
    match = dictionary.match("Testosyl Glucoside")
    assert match.entry is not None and match.entry.inci == "TESTOSYL GLUCOSIDE"
    assert dictionary.match("Aqua").entry is not None
    # Curated rows come first: the curated entry wins a shared CAS.
    water = dictionary.by_cas("7732-18-5")
    assert water is not None and water.inci == "WATER"


async def test_cosing_file_without_header_is_refused(session: AsyncSession) -> None:
    with pytest.raises(importer.CosingFormatError, match="INCI name"):
        await importer.import_cosing(session, b"just,some,columns\n1,2,3\n")


def test_cosing_parser_reads_cp1252_and_a_file_without_preamble() -> None:
    rows = [["1", "BENZYL ALCOHOL", "", "", "100-51-6", "202-859-9", "Benzyl alcohol ·",
             "III/45; V/34", "PRESERVATIVE", "10/08/2015"]]  # fmt: skip
    data = cosing_file(rows, preamble=False).decode().encode("cp1252")
    stages, report = importer.parse_cosing(data)
    assert report.header_line == 1
    assert [(s.inci_name, s.cas_numbers, s.ec_numbers) for s in stages] == [
        ("BENZYL ALCOHOL", ["100-51-6"], ["202-859-9"])
    ]
    assert stages[0].description == "Benzyl alcohol ·"


async def test_cli_load_and_import_cosing(scratch_db: str, tmp_path: Path) -> None:
    await migrate(scratch_db)
    path = tmp_path / "COSING_Ingredients-Fragrance Inventory_v2.csv"
    path.write_bytes(cosing_file(COSING_ROWS))
    env = {**os.environ, "DATABASE_URL": scratch_db, "LOG_LEVEL": "WARNING"}
    env["DATA_DIR"] = str(tmp_path / "data")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pifai.cli", "data", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    loaded = cli("load")
    assert loaded.returncode == 0, loaded.stderr
    assert "468 rows (468 new" in loaded.stdout
    imported = cli("import-cosing", str(path))
    assert imported.returncode == 0, imported.stderr
    assert "3 new, 2 updated" in imported.stdout
    assert "1 CAS number(s) failing the check digit dropped" in imported.stdout
    again = cli("import-cosing", str(path))
    assert "0 new, 0 updated, 5 unchanged" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    refused = cli("import-cosing", str(bad))
    assert refused.returncode == 2
    assert "No CosIng header" in refused.stderr


def _shared_cosing_files() -> list[Path]:
    """Real exports, when a checkout has them beside it (not in CI)."""
    if not SHARED_DATA.is_dir():
        return []
    return sorted(
        p
        for p in SHARED_DATA.rglob("*")
        if p.suffix.lower() == ".csv"
        and "cosing" in p.name.lower()
        and "annex" not in p.name.lower()
    )


def _invalid_cas_count(data: bytes) -> int:
    rows = list(csv.reader(io.StringIO(data.decode())))
    cells = [row[4] for row in rows[rows.index(COSING_HEADER) + 1 :]]
    numbers = [cas for cell in cells for cas in cell.split(" / ") if cas]
    return sum(1 for cas in numbers if not is_valid_cas(cas))


async def test_full_size_cosing_export_imports_and_reimports_unchanged(
    session: AsyncSession,
) -> None:
    """3,000 rows in the export's layout (one or two CAS per cell, ~1 % failing the check
    digit, curated names merged), then any real export found under ../shared/data."""
    await importer.load_reference_data(session)
    generated = generate_cosing(3000)
    report = await importer.import_cosing(session, generated)
    assert report.ingredients == 3000 + len(CURATED_TAIL)
    assert report.invalid_cas == _invalid_cas_count(generated) > 0
    again = await importer.import_cosing(session, generated)
    assert (again.inserted, again.updated) == (0, 0)
    for path in _shared_cosing_files():
        report = await importer.import_cosing(session, path.read_bytes())
        assert report.ingredients > 1000, path
        assert report.invalid_cas < report.cas_numbers * 0.01, path
        again = await importer.import_cosing(session, path.read_bytes())
        assert (again.inserted, again.updated) == (0, 0), path
    glycerin = await _ingredient(session, "GLYCERIN")
    assert (glycerin.zh_name, glycerin.origin) == ("甘油", "curated")
    assert glycerin.cosing_ref


# --- a product's formula --------------------------------------------------------------

FORMULA = [
    {"name": "Aqua", "raw_name": "Aqua (Water) 水", "concentration": "q.s."},
    {"name": "Glycerin", "cas": "56-81-5", "concentration": 5},
    {"name": "Niacinamide", "concentration": "3"},
    {"name": "Phenoxyethanol", "concentration": "0,8", "function": "preservative"},
    {"name": "Mystery Extract 42", "concentration": 0.2},
]


async def test_put_then_get_product_ingredients(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    url = f"/api/v1/products/{product.id}/ingredients"

    empty = await client.get(url, headers=tenant.headers)
    assert empty.status_code == 200
    assert empty.json()["items"] == []

    put = await client.put(url, json={"rows": FORMULA}, headers=tenant.headers)
    assert put.status_code == 200, put.text
    body = put.json()
    rows = body["items"]
    assert [r["inci"] for r in rows] == [
        "WATER", "GLYCERIN", "NIACINAMIDE", "PHENOXYETHANOL", "Mystery Extract 42",
    ]  # fmt: skip
    assert [r["sort_order"] for r in rows] == [0, 1, 2, 3, 4]
    assert rows[0]["is_balance"] is True
    assert rows[0]["concentration"] == pytest.approx(91.0)
    assert rows[0]["raw_name"] == "Aqua (Water) 水"
    assert rows[3]["concentration"] == pytest.approx(0.8)
    assert rows[1]["cas"] == "56-81-5" and rows[1]["confidence"]["cas"] == 1.0
    assert all(r["ingredient_id"] for r in rows[:4])
    assert all(r["source"] == "operator" for r in rows)
    unknown = rows[4]
    assert unknown["ingredient_id"] is None and unknown["flagged"] is True
    assert unknown["confidence"]["row"] < 0.5 and unknown["match_method"] == "unknown"
    assert body["total"] == pytest.approx(100.0)
    assert body["findings"] == []

    got = (await client.get(url, headers=tenant.headers)).json()
    assert [r["id"] for r in got["items"]] == [r["id"] for r in rows]
    assert got["total"] == pytest.approx(100.0) and got["findings"] == []

    # A second PUT replaces, it does not append.
    again = await client.put(url, json={"rows": FORMULA[1:3]}, headers=tenant.headers)
    assert again.status_code == 200
    assert len((await client.get(url, headers=tenant.headers)).json()["items"]) == 2
    assert any("outside 100%" in f for f in again.json()["findings"])


async def test_put_of_no_rows_clears_the_formula(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    url = f"/api/v1/products/{product.id}/ingredients"
    assert (await client.put(url, json={"rows": FORMULA}, headers=tenant.headers)).is_success
    cleared = await client.put(url, json={"rows": []}, headers=tenant.headers)
    assert cleared.status_code == 200
    assert cleared.json()["items"] == []
    assert cleared.json()["findings"] == ["the formula has no ingredient rows"]
    assert (await client.get(url, headers=tenant.headers)).json()["items"] == []


async def test_put_reports_a_total_off_100_as_a_finding(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    rows = [{"name": "Water", "concentration": 80}, {"name": "Glycerin", "concentration": 17.9}]
    response = await client.put(
        f"/api/v1/products/{product.id}/ingredients", json={"rows": rows}, headers=tenant.headers
    )
    assert response.status_code == 200
    assert response.json()["total"] == pytest.approx(97.9)
    assert response.json()["findings"] == ["concentrations total 97.9%, outside 100% +/- 2%"]
    within = [{"name": "Water", "concentration": 80}, {"name": "Glycerin", "concentration": 18.5}]
    ok = await client.put(
        f"/api/v1/products/{product.id}/ingredients", json={"rows": within}, headers=tenant.headers
    )
    assert ok.json()["findings"] == []


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"name": "Glycerin", "cas": "56-81-6", "concentration": 5}, "cas", "check digit"),
        ({"name": "Glycerin", "cas": "glycerol", "concentration": 5}, "cas", "not a CAS"),
        ({"name": "Glycerin", "concentration": 150}, "concentration", "outside 0-100"),
        ({"name": "Glycerin", "concentration": "150%"}, "concentration", "not a valid share"),
        ({"name": "Glycerin", "concentration": "-1"}, "concentration", "not understood"),
        ({"name": "Glycerin", "concentration": "lots"}, "concentration", "not understood"),
        ({"name": "***", "concentration": 1}, "name", "no letters or digits"),
    ],
)
async def test_put_refuses_invalid_rows_and_keeps_the_old_ones(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    row: dict[str, object],
    field: str,
    message: str,
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    url = f"/api/v1/products/{product.id}/ingredients"
    assert (await client.put(url, json={"rows": FORMULA}, headers=tenant.headers)).is_success

    response = await client.put(url, json={"rows": [FORMULA[0], row]}, headers=tenant.headers)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "formula_rows_invalid"
    assert error["details"][0]["row"] == 1 and error["details"][0]["field"] == field
    assert message in error["details"][0]["message"]
    assert "row 1" in error["message"]
    kept = (await client.get(url, headers=tenant.headers)).json()["items"]
    assert len(kept) == len(FORMULA)


@pytest.mark.parametrize(
    "body",
    [{"rows": [{"name": ""}]}, {"rows": [{"name": "Water", "colour": "blue"}]}, {}],
)
async def test_put_refuses_malformed_bodies(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, body: object
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    response = await client.put(
        f"/api/v1/products/{product.id}/ingredients", json=body, headers=tenant.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_another_orgs_product_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    owner = await create_tenant(session, settings)
    product = await create_product(session, owner.org)
    url = f"/api/v1/products/{product.id}/ingredients"
    assert (await client.put(url, json={"rows": FORMULA}, headers=owner.headers)).is_success
    other = await create_tenant(session, settings)

    read = await client.get(url, headers=other.headers)
    write = await client.put(url, json={"rows": FORMULA[:2]}, headers=other.headers)
    invalid = await client.put(
        url, json={"rows": [{"name": "x", "cas": "1-11-1"}]}, headers=other.headers
    )
    nowhere = await client.get(
        f"/api/v1/products/{uuid.uuid4()}/ingredients", headers=other.headers
    )

    for response in (read, write, invalid, nowhere):
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "product_not_found"
    assert len((await client.get(url, headers=owner.headers)).json()["items"]) == len(FORMULA)

    # The service refuses too, and RLS hides the rows from the other org's scope.
    with pytest.raises(ProductNotFound):
        await service.list_product_ingredients(session, product.id, other.org.id)
    await scope_session(session, other.org.id)
    assert await session.scalar(select(func.count()).select_from(ProductIngredient)) == 0
    await scope_session(session, owner.org.id)
    assert await session.scalar(select(func.count()).select_from(ProductIngredient)) == len(FORMULA)


async def test_replace_is_idempotent_for_a_redelivered_extraction(session: AsyncSession) -> None:
    from tests.factories.identity import create_org

    await importer.load_reference_data(session)
    org = await create_org(session)
    product = await create_product(session, org)
    dictionary = await service.load_dictionary(session)
    rows = [
        RawRow(name="水 Water", concentration="ad 100", row=2),
        RawRow(name="Glycerine", cas="56-81-5", concentration="5.0", row=3),
        RawRow(name="Phenoxyethanol", concentration="0.5-1.0", row=4),
    ]
    validated = validate_formula(rows, dictionary)

    for _ in range(2):
        stored = await service.replace_product_ingredients(
            session, product.id, org.id, validated, source="extraction"
        )
    listed = await service.list_product_ingredients(session, product.id, org.id)
    assert [r.id for r in listed] == [r.id for r in stored]
    assert [(r.inci, r.concentration) for r in listed] == [
        ("WATER", pytest.approx(94.0)),
        ("GLYCERIN", pytest.approx(5.0)),
        ("PHENOXYETHANOL", pytest.approx(1.0)),
    ]
    assert listed[2].confidence["concentration"] == 0.8  # upper bound of a range
    assert any("upper bound" in n for n in listed[2].notes)
    count = await session.scalar(
        text("SELECT count(*) FROM product_ingredients WHERE product_id = :p"), {"p": product.id}
    )
    assert count == 3
