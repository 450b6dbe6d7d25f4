"""Loading the ingredient dictionary: the curated CSV and the EU CosIng inventory."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bench.fixtures.cosing import (
    COSING_HEADER,
    CURATED_TAIL,
    PREAMBLE,
    cosing_file,
    generate_cosing,
)
from pifai.ai.ingredient_validator import is_valid_cas
from pifai.core.migrations import migrate
from pifai.models.ingredient import Ingredient
from pifai.services import ingredient_import as importer
from pifai.services import ingredients as service
from pifai.services.reference import ReferenceData
from tests.factories.ingredients import ingredient_count, stored_ingredient
from tests.integration.fixtures.servers import ROOT

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


# --- curated dictionary ---------------------------------------------------------------


async def test_load_twice_gives_the_same_rows(session: AsyncSession) -> None:
    first = await importer.load_reference_data(session)
    after_first = await ingredient_count(session)
    second = await importer.load_reference_data(session)

    assert first.rows >= 300
    assert first.invalid_cas == 0
    assert after_first == await ingredient_count(session) >= first.rows
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, first.rows)
    glycerin = await stored_ingredient(session, "GLYCERIN")
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
    assert (await stored_ingredient(session, "GLYCERIN")).zh_name == "丙三醇甘油"


# --- CosIng import --------------------------------------------------------------------


async def test_cosing_import_merges_without_touching_curated_fields(
    session: AsyncSession,
) -> None:
    await importer.load_reference_data(session)
    # An unverified curated row (made so here: the shipped rows are verified by now).
    await session.execute(
        update(Ingredient).where(Ingredient.inci_name == "NIACINAMIDE").values(verified=False)
    )
    niacinamide_before = await stored_ingredient(session, "NIACINAMIDE")
    assert niacinamide_before.verified is False
    glycerin_source = (await stored_ingredient(session, "GLYCERIN")).source
    before = await ingredient_count(session)

    report = await importer.import_cosing(session, cosing_file(COSING_ROWS))

    assert report.header_line == len(PREAMBLE) + 1
    assert (report.rows, report.skipped, report.duplicates) == (7, 1, 1)
    assert report.ingredients == 5
    assert report.invalid_cas == 1
    assert report.invalid_cas_examples == ["FAKEOLINE: 123-45-6"]
    assert (report.inserted, report.updated, report.unchanged) == (3, 2, 0)
    assert await ingredient_count(session) == before + 3

    glycerin = await stored_ingredient(session, "GLYCERIN")
    assert glycerin.zh_name == "甘油"
    assert glycerin.source == glycerin_source
    assert (glycerin.verified, glycerin.origin) == (True, "curated")
    assert glycerin.cas_numbers == ["56-81-5", "8043-29-6"]
    assert glycerin.cosing_ref == "31925"
    assert glycerin.cosing_updated is not None and glycerin.cosing_updated.year == 2010
    assert "emollient" in glycerin.functions and "humectant" in glycerin.functions
    assert "8043-29-6" in glycerin.search_text

    niacinamide = await stored_ingredient(session, "NIACINAMIDE")
    assert niacinamide.verified is False  # never promoted by an import
    assert (niacinamide.zh_name, niacinamide.source) == ("菸鹼醯胺", niacinamide_before.source)

    new = await stored_ingredient(session, "TESTOSYL GLUCOSIDE")
    assert (new.origin, new.zh_name, new.verified) == ("cosing", None, True)
    assert new.cas_numbers == ["12345-67-4", "77-92-9"]  # the duplicate row merged
    assert new.functions == ["cleansing"]
    assert new.source is not None and "COSING Ref No 99001" in new.source
    fake = await stored_ingredient(session, "FAKEOLINE")
    assert (fake.cas_numbers, fake.restriction) == ([], "III/99")
    dual = await stored_ingredient(session, "DUALCAS ESTER")
    assert dual.cas_numbers == ["9004-61-9", "25322-68-3"]
    assert dual.cosing_updated is None

    again = await importer.import_cosing(session, cosing_file(COSING_ROWS))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    assert await ingredient_count(session) == before + 3

    # Reloading the curated file keeps what CosIng added; it only restores the row this
    # test made unverified to its shipped state.
    reload = await importer.load_reference_data(session)
    assert reload.updated == 1
    assert (await stored_ingredient(session, "NIACINAMIDE")).verified is True
    glycerin = await stored_ingredient(session, "GLYCERIN")
    assert glycerin.cas_numbers == ["56-81-5", "8043-29-6"]
    assert glycerin.cosing_ref == "31925"


async def test_cosing_import_finds_new_names_in_search_and_dictionary(
    session: AsyncSession,
) -> None:
    await importer.load_reference_data(session)
    await importer.import_cosing(session, cosing_file(COSING_ROWS, delimiter=";"))
    hits = (await service.search_ingredients(session, ReferenceData(), "12345-67-4", 5)).hits
    assert hits[0].ingredient.inci_name == "TESTOSYL GLUCOSIDE"
    dictionary = await service.read_dictionary(session)
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
    # The curated CSV and the shipped CosIng/IECIC dictionary, every row new.
    shipped = len(importer.read_shipped())
    assert f"{shipped} rows ({shipped} new, 468 updated)" in loaded.stdout
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
    glycerin = await stored_ingredient(session, "GLYCERIN")
    assert (glycerin.zh_name, glycerin.origin) == ("甘油", "curated")
    assert glycerin.cosing_ref
