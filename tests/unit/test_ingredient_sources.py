"""The ingredient-identity importers on the official files beside the project
(../shared/data, see its PROVENANCE.md sections 2 and 4), with the counts PROVENANCE.md
gives, and on small files written here in the same layouts (so every test runs)."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from pifai.ai.ingredient_validator import find_cas_numbers, is_valid_cas
from pifai.services.ingredient_import import (
    attach_iecic,
    parse_cosing,
    parse_cosing_names,
    parse_iecic,
    to_traditional,
)
from pifai.services.ingredient_import.iecic import IecicFormatError, derived_name

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
INVENTORY = SHARED / "cosing-inventory" / "cosing_ingredients.csv.gz"
NAMES = SHARED / "cosing-inventory" / "cosing_functions.json"
IECIC = SHARED / "iecic" / "1686130272110055533.xlsx"

needs_shared = pytest.mark.skipif(
    not (INVENTORY.is_file() and NAMES.is_file() and IECIC.is_file()),
    reason="../shared/data is not beside this checkout; the fixture tests below still run",
)

SNAKE_HEADER = [
    "cosing_ref_no", "inci_name", "inn_name", "ph_eur_name", "cas_no", "ec_no",
    "chem_iupac_name___description", "restriction", "function", "update_date",
]  # fmt: skip


def _snake_gz(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SNAKE_HEADER)
    writer.writerows(rows)
    return gzip.compress(out.getvalue().encode())


def _iecic_xlsx(rows: list[tuple[object, ...]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["附件"])
    sheet.append(["已使用化妆品原料目录（2021年版）"])
    sheet.append(["说   明 ..."])
    sheet.append(["序号", "中文名称", "INCI名称/英文名称", "淋洗类产品最高历史使用量（%）",
                  "驻留类产品最高历史使用量（%）", "备注"])  # fmt: skip
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the files written here -------------------------------------------------------------


def test_inventory_in_snake_case_and_gzip_keeps_every_cas_and_ec_number() -> None:
    data = _snake_gz([
        ["94753", "DISODIUM TESTYL FORMYLPROLINATE", "", "", "2040469-40-5, 2422121-34-2", "",
         "A description", "", "SKIN PROTECTING", "16/06/2020"],
        ["31", "TESTOLINE", "testolinum", "", "-", "200-289-5 / 232-360-1", "", "III/99",
         "HUMECTANT, SKIN CONDITIONING - EMOLLIENT", "15/12/2021"],
    ])  # fmt: skip
    stages, report = parse_cosing(data)
    assert (report.header_line, report.rows, report.ingredients) == (1, 2, 2)
    first, second = stages
    assert first.cas_numbers == ["2040469-40-5", "2422121-34-2"]
    assert first.cosing_ref == "94753" and first.cosing_updated is not None
    assert (second.cas_numbers, second.ec_numbers) == ([], ["200-289-5", "232-360-1"])
    assert second.functions == ["humectant", "emollient"]
    assert second.synonyms == ["testolinum"] and second.restriction == "III/99"


def test_name_list_adds_only_names_the_inventory_lacks() -> None:
    document = {"source": {"collected_at": "2026-08-10 13:00:15"},
                "map": {"TESTOLINE": ["HUMECTANT"], "NEWOLINE": ["SKIN CONDITIONING - EMOLLIENT",
                                                                 "SKIN CONDITIONING"]}}  # fmt: skip
    stages, report = parse_cosing_names(
        json.dumps(document).encode(), {"testoline"}, source="cosing-2026"
    )
    assert (report.names, report.known, report.added) == (2, 1, 1)
    assert [(s.inci_name, s.functions, s.verified) for s in stages] == [
        ("NEWOLINE", ["emollient", "skin conditioning"], False)
    ]
    assert report.collected_at == "2026-08-10 13:00:15"


def test_iecic_layout_second_names_and_derived_traditional_names() -> None:
    data = _iecic_xlsx([
        (2, "1,10-癸二醇", "1,10-DECANEDIOL", 0.375, 0.125, None),
        (3, "月桂醇硫酸酯钠", "SODIUM LAURYL SULFATE", 30, "/", "按照规范要求使用"),
        (None, "月桂基硫酸钠", None, None, 1e-05, "曾用名"),
        (5, "CI 77891", "CI 77891", None, None, None),
        (6, "某某提取物**", None, None, None, None),
        (None, None, None, None, None, " "),
    ])  # fmt: skip
    entries, report = parse_iecic(data)
    assert (report.header_row, report.rows, report.with_inci, report.second_names) == (4, 4, 3, 1)
    assert (report.rinse_off, report.leave_on) == (2, 2)
    second = entries[2]
    assert (second.serial, second.second_name, second.leave_on) == (3, True, "0.00001")
    assert derived_name(entries[1]) == to_traditional("月桂醇硫酸酯钠") == "月桂醇硫酸酯鈉"
    assert derived_name(entries[3]) is None  # "CI 77891" is not a Chinese name

    sls, _ = parse_cosing(_snake_gz([["1", "SODIUM LAURYL SULFATE", "", "", "151-21-3", "",
                                      "", "", "", ""]]))  # fmt: skip
    attached = attach_iecic({s.inci_key: s for s in sls}, entries)
    assert (attached.attached, attached.unmatched, attached.without_inci) == (2, 2, 1)
    assert sls[0].zh_derived == ["月桂醇硫酸酯鈉", "月桂基硫酸鈉"]
    facts = sls[0].iecic or []
    assert [f["serial"] for f in facts] == ["00003", "00003"]
    assert facts[0]["rinse_off_max_pct"] == "30" and facts[0]["leave_on_max_pct"] == "/"


def test_a_file_without_the_iecic_header_is_refused() -> None:
    with pytest.raises(IecicFormatError, match="序号"):
        parse_iecic(_no_header_xlsx())


def _no_header_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["a", "b", "c"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the official files -------------------------------------------------------------------


@needs_shared
def test_real_inventory_counts_match_provenance() -> None:
    data = INVENTORY.read_bytes()
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(data).decode("utf-8"))))
    # PROVENANCE.md 2a: 30,070 rows; 18,473 with a CAS cell, 15,126 with an EC cell (cells
    # that say "-" included); newest update 15/12/2021. It gives 1,070 rows with more than
    # one CAS without saying how it counted; by distinct CAS-shaped numbers (separated by
    # ", ", " / " or " - ") there are 1,071.
    assert len(rows) == 30070
    assert sum(1 for r in rows if r["cas_no"].strip()) == 18473
    assert sum(1 for r in rows if r["ec_no"].strip()) == 15126
    stages, report = parse_cosing(data)
    assert report.rows == 30070 and report.skipped == 0
    assert report.ingredients + report.duplicates == 30070
    assert max(s.cosing_updated for s in stages if s.cosing_updated).isoformat() == "2021-12-15"
    # Every CAS of a many-CAS cell is kept (those failing their check digit reported).
    many = sum(1 for r in rows if len(set(find_cas_numbers(r["cas_no"]))) > 1)
    assert many == 1071
    assert sum(1 for s in stages if len(s.cas_numbers) > 1) >= 1060
    tokens = [c for r in rows for c in dict.fromkeys(find_cas_numbers(r["cas_no"]))]
    assert report.invalid_cas == sum(1 for c in tokens if not is_valid_cas(c))
    assert report.cas_numbers == sum(1 for c in tokens if is_valid_cas(c))


@needs_shared
def test_real_name_list_and_iecic_counts_match_provenance() -> None:
    inventory, _ = parse_cosing(INVENTORY.read_bytes())
    names, report = parse_cosing_names(
        NAMES.read_bytes(), {s.inci_key for s in inventory}, source="cosing-2026"
    )
    assert report.names == 33413  # PROVENANCE.md 2b
    assert report.known + report.added + report.duplicates + report.skipped == 33413
    assert report.added == len(names) > 4000

    entries, iecic = parse_iecic(IECIC.read_bytes())
    # PROVENANCE.md 4a: 8,965 entries, serials up to 08972, 8,935 with an INCI or English
    # name, 3,186 with a rinse-off and 6,655 with a leave-on maximum.
    assert (iecic.header_row, iecic.rows, iecic.last_serial) == (4, 8965, 8972)
    assert (iecic.with_inci, iecic.rinse_off, iecic.leave_on) == (8935, 3186, 6655)
    assert iecic.unreadable == []
    assert len(entries) == 8965 + iecic.second_names
