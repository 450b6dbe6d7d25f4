"""Formula files to raw rows: the generated corpus end to end, header finding, hostile files."""

from __future__ import annotations

import importlib.util
import io
import time
import zipfile
from collections.abc import Callable, Sequence

import openpyxl
import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pifai.ai.document_parser import (
    MAX_ROWS,
    FormulaParseError,
    classify_header_cell,
    decode_text,
    find_header,
    parse_formula,
    sniff_format,
    xlsx,
)
from pifai.ai.ingredient_validator import IngredientDictionary, validate_formula
from pifai.core.errors import AppError
from tests.unit.formula_corpus import (
    CorpusFile,
    Line,
    big_formula,
    build_corpus,
    build_dictionary,
    cream_lines,
    write_csv_big5,
    write_csv_semicolon,
    write_csv_utf16,
    write_docx,
    write_label,
    write_pdf_table,
    write_pdf_text,
    write_xlsx_merged,
    write_xlsx_phases,
    zh_lines,
)

WRITERS: dict[str, Callable[[Sequence[Line]], bytes]] = {
    "xlsx": write_xlsx_merged,
    "xlsx phases": write_xlsx_phases,
    "docx": write_docx,
    "pdf table": write_pdf_table,
    "pdf text": write_pdf_text,
    "big5": write_csv_big5,
    "utf16": write_csv_utf16,
    "semicolon": write_csv_semicolon,
    "label": lambda lines: write_label(lines, False),
}


@pytest.fixture(scope="module")
def corpus() -> list[CorpusFile]:
    return build_corpus()


@pytest.fixture(scope="module")
def dictionary() -> IngredientDictionary:
    return build_dictionary()


def _score(file: CorpusFile, dictionary: IngredientDictionary) -> tuple[int, int, list[str]]:
    """Rows of `file` that come out with the right INCI and concentration."""
    result = validate_formula(parse_formula(file.data, file.name).rows, dictionary)
    got = {row.inci: row.concentration for row in result.rows}
    good, misses = 0, []
    for inci, expected in file.expected().items():
        actual = got.get(inci, "missing")
        if actual == "missing" or (expected is None) != (actual is None):
            misses.append(f"{file.name}: {inci} expected {expected}, got {actual}")
        elif expected is not None and actual is not None and abs(float(actual) - expected) > 1e-6:
            misses.append(f"{file.name}: {inci} expected {expected}, got {actual}")
        else:
            good += 1
    return good, len(file.expected()), misses


def test_corpus_accuracy_is_at_least_98_percent(
    corpus: list[CorpusFile], dictionary: IngredientDictionary
) -> None:
    good = total = 0
    misses: list[str] = []
    for file in corpus:
        g, t, m = _score(file, dictionary)
        good, total, misses = good + g, total + t, misses + m
    assert total >= 200
    assert good / total >= 0.98, misses


CORPUS_SIZE = 14


def test_corpus_size(corpus: list[CorpusFile]) -> None:
    assert len(corpus) == CORPUS_SIZE


@pytest.mark.parametrize("index", range(CORPUS_SIZE))
def test_each_corpus_file_parses_and_adds_up(
    index: int, corpus: list[CorpusFile], dictionary: IngredientDictionary
) -> None:
    file = corpus[index]
    parsed = parse_formula(file.data, file.name)
    result = validate_formula(parsed.rows, dictionary)
    good, total, misses = _score(file, dictionary)
    assert good == total, misses
    assert {r.inci for r in result.rows} <= set(file.expected())  # no stray rows
    if not file.label_list:
        assert result.total is not None and abs(result.total - 100.0) <= 2.0
        values = [r.concentration or 0.0 for r in result.rows]
        assert values == sorted(values, reverse=True)
    assert result.confidence >= 0.9


def test_corpus_covers_every_format(corpus: list[CorpusFile]) -> None:
    formats = {parse_formula(f.data).format for f in corpus}
    assert formats == {"xlsx", "docx", "pdf", "csv", "text"}
    encodings = {parse_formula(f.data).encoding for f in corpus}
    assert {"cp950", "utf-16", "utf-8-sig", "utf-8"} <= encodings


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


def test_big5_csv_with_chinese_headers_and_chinese_only_rows() -> None:
    data = write_csv_big5(zh_lines())
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = parse_formula(data, "serum.csv")
    assert parsed.encoding == "cp950"
    assert [r.name for r in parsed.rows][:3] == ["水", "甘油", "丙二醇"]
    assert parsed.rows[0].concentration == "適量"


def test_format_comes_from_bytes_not_filename() -> None:
    data = write_xlsx_merged(cream_lines())
    assert parse_formula(data, "formula.csv").format == "xlsx"
    assert sniff_format(b"%PDF-1.7\n...") == "pdf"
    assert sniff_format(b"\x89PNG\r\n\x1a\n0000") == "image"
    assert sniff_format(b"INCI,%\nWater,80") == "text"


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("INCI Name", "name"),
        ("INCI名稱", "name"),
        ("成分名稱", "name"),
        ("原料", "name"),
        ("中文名稱", "alt_name"),
        ("含量 (%)", "concentration"),
        ("濃度", "concentration"),
        ("% w/w", "concentration"),
        ("Percentage", "concentration"),
        ("CAS No.", "cas"),
        ("CAS號碼", "cas"),
        ("功能", "function"),
        ("Function", "function"),
        ("用途", "function"),
        ("Trade name", None),
        ("No.", None),
        ("Supplier", None),
    ],
)
def test_header_cells_are_classified_by_meaning(cell: str, kind: str | None) -> None:
    assert classify_header_cell(cell) == kind


def test_header_found_below_preamble_and_inci_column_preferred() -> None:
    grid = [
        ["Formula F-1", "", ""],
        ["", "", ""],
        ["中文名稱", "用量%", "INCI"],
        ["甘油", "5", "Glycerin"],
    ]
    found = find_header(grid)
    assert found is not None
    row, columns = found
    assert row == 2
    assert columns["name"] == 2 and columns["alt_name"] == 0 and columns["concentration"] == 1


def test_label_lists_keep_numbered_names_and_strip_prefix() -> None:
    parsed = parse_formula(b"Ingredients: Water, 1,2-Hexanediol, PEG-40 Hydrogenated Castor Oil.")
    assert [r.name for r in parsed.rows] == [
        "Water",
        "1,2-Hexanediol",
        "PEG-40 Hydrogenated Castor Oil",
    ]
    zh = parse_formula("成分: 水、甘油、丁二醇".encode())
    assert [r.name for r in zh.rows] == ["水", "甘油", "丁二醇"]
    assert all(r.concentration is None for r in zh.rows)


def test_utf16_without_bom_and_utf8_bom_are_decoded() -> None:
    text = "INCI\tConc.\nGlycerin\t5\n"
    assert decode_text(text.encode("utf-16-le"))[0] == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode())[0] == text


# --- hostile files --------------------------------------------------------------------


def test_parse_error_is_an_app_error_with_status_422() -> None:
    assert issubclass(FormulaParseError, AppError)
    assert FormulaParseError.status_code == 422


@pytest.mark.parametrize("data", [b"", b"   \r\n\t  ", b"\x00" * 10])
def test_empty_file_fails_clearly(data: bytes) -> None:
    with pytest.raises(FormulaParseError):
        parse_formula(data)


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


def test_zip_bomb_disguised_as_docx_is_refused_before_expanding() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (30 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 100_000
    started = time.perf_counter()
    with pytest.raises(FormulaParseError, match="zip bomb"):
        parse_formula(data, "formula.docx")
    assert time.perf_counter() - started < 1.0


def test_zip_with_too_much_declared_content_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
    # Forge the declared sizes in the central directory: a liar is still bounded.
    data = bytearray(buf.getvalue())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (400 * 1024 * 1024).to_bytes(4, "little")
    with pytest.raises(FormulaParseError):
        parse_formula(bytes(data), "formula.docx")


def test_encrypted_pdf_asks_for_an_unprotected_copy() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 10, "INCI Name    % w/w")
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    with pytest.raises(FormulaParseError, match="password"):
        parse_formula(bytes(pdf.output()), "formula.pdf")


def test_pdf_without_text_fails_clearly() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)
    with pytest.raises(FormulaParseError, match="no text"):
        parse_formula(bytes(pdf.output()))


def test_ten_thousand_row_sheet_is_capped_with_a_note() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["INCI Name", "CAS No.", "% w/w"])
    for _ in range(10_000):
        ws.append(["Glycerin", "56-81-5", 0.01])
    buf = io.BytesIO()
    wb.save(buf)
    started = time.perf_counter()
    parsed = parse_formula(buf.getvalue(), "huge.xlsx")
    assert time.perf_counter() - started < 10
    assert len(parsed.rows) == MAX_ROWS
    assert parsed.truncated
    assert any(str(MAX_ROWS) in note for note in parsed.notes)


def test_ten_thousand_row_csv_is_capped() -> None:
    data = "INCI,%\n" + "Glycerin,0.01\n" * 10_000
    parsed = parse_formula(data.encode())
    assert len(parsed.rows) == MAX_ROWS and parsed.truncated


def test_legacy_or_protected_office_file_fails_clearly() -> None:
    with pytest.raises(FormulaParseError, match="xlsx"):
        parse_formula(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "formula.xls")


def test_zip_that_is_not_office_fails_clearly() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FormulaParseError, match="neither"):
        parse_formula(buf.getvalue())


@pytest.mark.skipif(
    importlib.util.find_spec("pytesseract") is not None, reason="an OCR engine is installed"
)
def test_image_without_ocr_asks_for_a_table_file() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    with pytest.raises(FormulaParseError, match="table"):
        parse_formula(png, "formula.png")


def test_prose_without_header_or_list_fails_clearly() -> None:
    text = "Dear customer, the formula will follow by post next week. Regards"
    with pytest.raises(FormulaParseError, match="No ingredient rows"):
        parse_formula(text.encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        parsed = parse_formula(data)
    except FormulaParseError:
        return
    assert len(parsed.rows) <= MAX_ROWS


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


def test_oversized_csv_field_does_not_crash() -> None:
    data = 'INCI,%\nGlycerin,5\n"' + "x" * 300_000 + '",1\n'
    parsed = parse_formula(data.encode())
    assert parsed.rows[0].name == "Glycerin"


def test_one_column_list_drops_its_header() -> None:
    parsed = parse_formula(b"INCI Name\nWater\nGlycerin\nHydrolyzed Casein\n")
    assert [r.name for r in parsed.rows] == ["Water", "Glycerin", "Hydrolyzed Casein"]


@pytest.mark.parametrize("writer", list(WRITERS))
def test_sixty_row_formula_in_every_format(writer: str, dictionary: IngredientDictionary) -> None:
    lines = big_formula(60)
    file = CorpusFile(writer, WRITERS[writer](lines), lines, label_list=writer == "label")
    good, total, misses = _score(file, dictionary)
    assert total == 60 and good == total, misses


def test_pdf_table_continued_without_heading(dictionary: IngredientDictionary) -> None:
    lines = big_formula(60)
    data = write_pdf_table(lines, repeat_headings=False)
    parsed = parse_formula(data)
    assert len({r.page for r in parsed.rows}) >= 2
    good, total, misses = _score(CorpusFile("continued.pdf", data, lines), dictionary)
    assert good == total == 60, misses
