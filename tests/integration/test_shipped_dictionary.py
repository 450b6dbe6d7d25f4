"""The shipped ingredient dictionary (~34,000 CosIng entries with IECIC-derived Chinese
names) loaded as a start loads it, then matched through the validator's dictionary read
from the table: near names resolve to themselves, derived Chinese names resolve with less
confidence than curated ones (and not at all when two entries share one), and a start
where nothing changed writes nothing.

Expected names, numbers and serials were read from the data files (../shared/data:
cosing_ingredients.csv.gz, 1686130272110055533.xlsx) and are checked against them when
they are beside the checkout."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.ai.document_parser import RawRow
from pifai.ai.ingredient_validator import IngredientDictionary, validate_row
from pifai.core.database import create_engine, create_session_factory
from pifai.core.migrations import migrate
from pifai.models.ingredient import Ingredient, ReferenceLoad
from pifai.services import ingredient_import as importer
from pifai.services.ingredients import read_dictionary
from tests.integration.fixtures.servers import drop_database, recreate_database

IECIC = Path(__file__).resolve().parents[3] / "shared" / "data" / "iecic"


@pytest.fixture(scope="module")
async def loaded(server_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A database of this module's own with the shipped data loaded by the start path."""
    name = f"pifai_dictionary_{uuid.uuid4().hex[:8]}"
    url = await recreate_database(server_url, name)
    await migrate(url)
    engine = create_engine(url, pool_size=2)
    factory = create_session_factory(engine)
    async with factory() as session, session.begin():
        first = await importer.ensure_reference_data(session)
    assert not first.skipped and first.inserted == first.rows > 30000
    yield factory
    await engine.dispose()
    await drop_database(server_url, name)


@pytest.fixture(scope="module")
async def dictionary(loaded: async_sessionmaker[AsyncSession]) -> IngredientDictionary:
    async with loaded() as session:
        return await read_dictionary(session)


# Each name and a neighbour CosIng also lists: both are entries, each matches itself.
NEAR_NAMES = [
    ("Glycerin", "GLYCERIN", "GLYCERYL STEARATE"),
    ("Glyceryl Stearate", "GLYCERYL STEARATE", "GLYCERIN"),
    ("Sodium Laureth Sulfate", "SODIUM LAURETH SULFATE", "SODIUM LAURYL SULFATE"),
    ("Sodium Lauryl Sulfate", "SODIUM LAURYL SULFATE", "SODIUM LAURETH SULFATE"),
    ("Tocopherol", "TOCOPHEROL", "TOCOPHERYL ACETATE"),
    ("Tocopheryl Acetate", "TOCOPHERYL ACETATE", "TOCOPHEROL"),
    ("PEG-40", "PEG-40", "PEG-4"),
    ("PEG 4", "PEG-4", "PEG-40"),
    ("PEG-400", "PEG-400", "PEG-40"),
    ("Phenoxyethanol", "PHENOXYETHANOL", "PHENOXYISOPROPANOL"),
    ("Phenoxyisopropanol", "PHENOXYISOPROPANOL", "PHENOXYETHANOL"),
    ("CI 77891", "CI 77891", "CI 77491"),
    ("CI77491", "CI 77491", "CI 77891"),
]


@pytest.mark.parametrize(("written", "inci", "neighbour"), NEAR_NAMES)
async def test_near_names_resolve_to_themselves(
    dictionary: IngredientDictionary, written: str, inci: str, neighbour: str
) -> None:
    match = dictionary.match(written)
    assert match.entry is not None and match.entry.inci == inci
    assert (match.method, match.confidence) == ("exact", 1.0)
    assert dictionary.match(neighbour).entry.inci == neighbour  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("typo", "inci"),
    [
        ("Phenoxyethnol", "PHENOXYETHANOL"),
        ("Sodium Laureth Sulphate", "SODIUM LAURETH SULFATE"),
        ("Tocopheryl Acetat", "TOCOPHERYL ACETATE"),
    ],
)
async def test_a_typo_still_finds_its_entry(
    dictionary: IngredientDictionary, typo: str, inci: str
) -> None:
    match = dictionary.match(typo)
    assert match.entry is not None and match.entry.inci == inci
    assert match.method == "fuzzy" and match.confidence < 0.95


@pytest.mark.parametrize("written", ["PEG-45", "CI 77897", "PEG-4000000"])
async def test_a_number_no_entry_has_is_not_matched_to_a_near_number(
    dictionary: IngredientDictionary, written: str
) -> None:
    """PEG-45 is not PEG-4 or PEG-450, nor CI 77897 CI 77891: the numbers identify."""
    match = dictionary.match(written)
    assert match.entry is None or match.entry.inci.replace(" ", "") == written.replace(" ", "")


async def test_cas_only_lookups_use_every_number_of_an_entry(
    dictionary: IngredientDictionary,
) -> None:
    phenoxyethanol = dictionary.by_cas("122-99-6")
    assert phenoxyethanol is not None and phenoxyethanol.inci == "PHENOXYETHANOL"
    assert dictionary.cas_shared("122-99-6") == 1
    # The inventory's fourth CAS of TOCOPHEROL (the curated file had only the first).
    tocopherol = dictionary.by_cas("119-13-1")
    assert tocopherol is not None and tocopherol.inci == "TOCOPHEROL"
    # A CAS that the PEG-n entries share identifies none of them on its own.
    assert dictionary.cas_shared("25322-68-3") > 3
    row = validate_row(RawRow(name="Unknown polymer XJ", cas="25322-68-3"), dictionary)
    assert row.method == "unknown" and row.flagged
    assert any("listed for" in note for note in row.notes)


# IECIC 2021 serial 00032: 2-邻-乙基抗坏血酸, "2-o-ETHYL ASCORBIC ACID" (no curated row).
DERIVED = ("00032", "2-邻-乙基抗坏血酸", "2-鄰-乙基抗壞血酸", "2-O-ETHYL ASCORBIC ACID")


async def test_a_derived_traditional_chinese_name_resolves_with_less_confidence(
    dictionary: IngredientDictionary,
) -> None:
    serial, simplified, traditional, inci = DERIVED
    assert importer.to_traditional(simplified) == traditional
    if IECIC.is_dir():  # the serial's row in the official file
        entries, _ = importer.parse_iecic((IECIC / "1686130272110055533.xlsx").read_bytes())
        row = next(e for e in entries if f"{e.serial:05d}" == serial)
        assert (row.zh_cn, (row.inci or "").upper()) == (simplified, inci)
    match = dictionary.match(traditional)
    assert match.entry is not None and match.entry.inci == inci
    assert match.derived and match.method == "synonym"
    curated = dictionary.match("甘油")  # a curated Taiwan name
    assert curated.confidence > match.confidence
    row = validate_row(RawRow(name=traditional, concentration="0.5"), dictionary)
    assert row.inci == inci and any("derived from IECIC" in n for n in row.notes)


async def test_a_curated_taiwan_name_wins_over_a_derived_one(
    dictionary: IngredientDictionary, loaded: async_sessionmaker[AsyncSession]
) -> None:
    # 亞麻油酸 is the curated name of LINOLEIC ACID, and the name IECIC's 亚麻油酸 (serial of
    # LINSEED ACID) converts to: the curated entry is the match, at a curated confidence.
    match = dictionary.match("亞麻油酸")
    assert match.entry is not None and match.entry.inci == "LINOLEIC ACID"
    assert not match.derived and match.confidence == 0.95
    async with loaded() as session:
        linseed = await session.scalar(
            select(Ingredient).where(Ingredient.inci_name == "LINSEED ACID")
        )
        sls = await session.scalar(
            select(Ingredient).where(Ingredient.inci_name == "SODIUM LAURYL SULFATE")
        )
    assert linseed is not None and "亞麻油酸" in linseed.zh_derived
    # A curated row keeps its curated name and citation; the derived name sits beside it.
    assert sls is not None and sls.origin == "curated" and sls.zh_name == "月桂基硫酸鈉"
    assert "月桂醇硫酸酯鈉" in sls.zh_derived and sls.source and "CosIng" in sls.source
    assert sls.iecic and sls.iecic[0]["serial"] == "08346"
    assert all("IECIC 2021" in fact["source"] for fact in sls.iecic)
    assert (
        dictionary.match("月桂基硫酸鈉").confidence > dictionary.match("月桂醇硫酸酯鈉").confidence
    )


async def test_an_inci_name_wins_over_another_entrys_curated_synonym(
    dictionary: IngredientDictionary,
) -> None:
    # The curated PEG-8 row gives "PEG-400" (its trade name) as a synonym; CosIng lists
    # PEG-400 as an INCI name of its own, which is what the name means on a label.
    peg = dictionary.match("PEG-400")
    assert peg.entry is not None and (peg.entry.inci, peg.method) == ("PEG-400", "exact")
    trade = dictionary.match("Polyethylene Glycol 400")
    assert trade.entry is not None and trade.entry.inci == "PEG-8"
    # CosIng lists AQUA and WATER; the built-in names of water find the curated WATER (so
    # Water and Aqua rows of one formula are one ingredient).
    for name in ("AQUA", "Aqua/Water", "Purified Water", "水"):
        assert dictionary.match(name).entry.inci == "WATER"  # type: ignore[union-attr]


async def test_a_derived_name_two_entries_share_is_not_chosen(
    dictionary: IngredientDictionary,
) -> None:
    # IECIC gives 醋 to both ACETUM and VINEGAR.
    match = dictionary.match("醋")
    assert match.entry is None
    assert set(match.candidates) == {"ACETUM", "VINEGAR"}
    row = validate_row(RawRow(name="醋", concentration="1"), dictionary)
    assert row.flagged and row.method == "unknown"
    assert any("not chosen" in note for note in row.notes)


async def test_a_start_where_nothing_changed_writes_nothing(
    loaded: async_sessionmaker[AsyncSession],
) -> None:
    async with loaded() as session, session.begin():
        report = await importer.ensure_reference_data(session)
        written = await session.scalar(
            select(func.count())
            .select_from(Ingredient)
            .where(text("ingredients.xmin::text::bigint = (pg_current_xact_id()::text::bigint)"))
        )
        record = await session.get(ReferenceLoad, "ingredient-dictionary")
    assert report.skipped and written == 0
    assert record is not None and record.sha256 == importer.shipped_digest()


async def test_a_truncated_table_is_loaded_again(
    loaded: async_sessionmaker[AsyncSession],
) -> None:
    async with loaded() as session:
        await session.execute(
            update(Ingredient).where(Ingredient.inci_name == "GLYCERIN").values(zh_derived=[])
        )
        await session.execute(text("DELETE FROM ingredients WHERE origin = 'cosing' AND "
                                   "inci_name LIKE 'ZEA MAYS%'"))  # fmt: skip
        report = await importer.ensure_reference_data(session)
        glycerin = await session.scalar(
            select(Ingredient).where(Ingredient.inci_name == "GLYCERIN")
        )
        assert not report.skipped and report.inserted > 0
        assert glycerin is not None and glycerin.zh_derived == ["甘油"]
        await session.rollback()
