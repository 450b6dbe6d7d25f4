"""Excel workbooks: merged cells, percentages, damaged and oversized files."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.fixtures.formula_corpus import (
    cream_lines,
    write_xlsx_merged,
)
from pifai.ai.document_parser import (
    MAX_ROWS,
    FormulaParseError,
    parse_formula,
    xlsx,
)


def test_xlsx_merged_cells_header_row_and_sources() -> None:
    parsed = parse_formula(write_xlsx_merged(cream_lines()))
    by_name = {r.name: r for r in parsed.rows}
    assert len(parsed.rows) == len(cream_lines())  # title, total and notes rows skipped
    water = by_name["Aqua (Water)"]
    assert water.sheet == "配方 Formula" and water.row == 4
    assert water.concentration == "q.s. to 100"
    assert water.alt_name == "水"
    # The merged function cell applies to both rows it covers.
    assert by_name["Phenoxyethanol*"].function == "Preservative system"
    assert by_name["Ethylhexylglycerin"].function == "Preservative system"
    # A percentage-formatted cell stores 0.015 and shows 1.50%.
    assert by_name["Glyceryl Stearate"].concentration == "1.5%"
    assert any("Notes" in note for note in parsed.notes)


def test_corrupt_xlsx_fails_clearly() -> None:
    good = write_xlsx_merged(cream_lines())
    with pytest.raises(FormulaParseError, match="damaged"):
        parse_formula(good[: len(good) // 2], "formula.xlsx")
    # A sound zip whose workbook part is garbage.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<<< not xml")
    with pytest.raises(FormulaParseError, match="Excel"):
        parse_formula(buf.getvalue(), "formula.xlsx")


def test_ten_thousand_row_sheet_is_capped_with_a_note() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["INCI Name", "CAS No.", "% w/w"])
    for _ in range(10_000):
        ws.append(["Glycerin", "56-81-5", 0.01])
    buf = io.BytesIO()
    wb.save(buf)
    parsed = parse_formula(buf.getvalue(), "huge.xlsx")
    assert len(parsed.rows) == MAX_ROWS
    assert parsed.truncated
    assert any(str(MAX_ROWS) in note for note in parsed.notes)


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=1, max_size=4096))
def test_mangled_xlsx_never_crashes(noise: bytes) -> None:
    good = bytearray(write_xlsx_merged(cream_lines()[:3]))
    start = len(good) // 3
    good[start : start + len(noise)] = noise
    try:
        parse_formula(bytes(good))
    except FormulaParseError:
        pass


def test_large_workbook_is_streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "XLSX_STREAM_BYTES", 0)
    parsed = parse_formula(write_xlsx_merged(cream_lines()))
    assert len(parsed.rows) == len(cream_lines())
    assert any("streaming" in note for note in parsed.notes)
