"""Formula extraction benchmark: a 60-row formula in each format, parsed and validated,
then hostile files that must be refused or capped quickly.

Run: .venv/bin/python bench/extract.py [--rows 60] [--repeat 5]
Prints, per file, the cold time (first call, imports included), the median warm time, rows
per second and how many rows came out with the right INCI and concentration.
Goal: under 1 s per file, far below what a call to an LLM takes.

Hostile files, each beside a baseline run here: a zip bomb disguised as a .docx (refused
from its declared sizes: against reading the zip's central directory alone, and against
expanding the bomb, which the refusal spares), and a 10,000-row sheet capped at MAX_ROWS
(against openpyxl reading the same workbook and its rows). Goals: the bomb refused in
under 1 s, the sheet read in under 10 s.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl

from bench.fixtures.formula_corpus import (
    CorpusFile,
    Line,
    big_formula,
    build_dictionary,
    write_csv_big5,
    write_csv_semicolon,
    write_csv_utf16,
    write_docx,
    write_label,
    write_pdf_table,
    write_pdf_text,
    write_xlsx_merged,
    write_xlsx_phases,
)
from pifai.ai.document_parser import MAX_ROWS, FormulaParseError, parse_formula
from pifai.ai.ingredient_validator import validate_formula

WRITERS: dict[str, Callable[[Sequence[Line]], bytes]] = {
    "xlsx (merged, header row 3)": write_xlsx_merged,
    "xlsx (one sheet per phase)": write_xlsx_phases,
    "docx table": write_docx,
    "pdf ruled table": write_pdf_table,
    "pdf aligned text": write_pdf_text,
    "csv Big5/CP950": write_csv_big5,
    "csv UTF-16 tab": write_csv_utf16,
    "csv UTF-8 BOM ;": write_csv_semicolon,
    "label list": lambda lines: write_label(lines, False),
}


def correct_rows(file: CorpusFile, got: dict[str, float | None]) -> int:
    good = 0
    for inci, expected in file.expected().items():
        actual = got.get(inci, -1.0)
        if expected is None:
            good += actual is None
        elif actual is not None and abs(actual - expected) < 1e-6:
            good += 1
    return good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    dictionary = build_dictionary()
    lines = big_formula(args.rows)
    print(f"{'format':30} {'bytes':>8} {'cold ms':>8} {'warm ms':>8} {'rows/s':>8}  correct")
    worst = 0.0
    for label, writer in WRITERS.items():
        data = writer(lines)
        file = CorpusFile(label, data, lines, label_list=label == "label list")
        timings = []
        result = None
        for _ in range(args.repeat + 1):
            started = time.perf_counter()
            parsed = parse_formula(data)
            result = validate_formula(parsed.rows, dictionary)
            timings.append(time.perf_counter() - started)
        assert result is not None
        cold, warm = timings[0], statistics.median(timings[1:])
        worst = max(worst, cold)
        got = {r.inci: r.concentration for r in result.rows}
        good = correct_rows(file, got)
        print(
            f"{label:30} {len(data):8d} {cold * 1000:8.1f} {warm * 1000:8.1f} "
            f"{len(result.rows) / warm:8.0f}  {good}/{len(file.expected())}"
        )
    print(f"slowest cold file: {worst * 1000:.0f} ms (goal < 1000 ms)")
    print()
    hostile_files(args.repeat)


def median_seconds(call: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def zip_bomb(megabytes: int = 30) -> bytes:
    """A small .docx look-alike whose document part expands to `megabytes` of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (megabytes * 1024 * 1024))
    return buf.getvalue()


def huge_sheet(rows: int = 10_000) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["INCI Name", "CAS No.", "% w/w"])
    for _ in range(rows):
        sheet.append(["Glycerin", "56-81-5", 0.01])
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


def refuse(data: bytes) -> None:
    try:
        parse_formula(data, "formula.docx")
    except FormulaParseError:
        return
    raise AssertionError("the file was not refused")


def openpyxl_rows(data: bytes) -> int:
    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    return sum(1 for sheet in workbook.worksheets for _ in sheet.iter_rows(values_only=True))


def hostile_files(repeat: int) -> None:
    bomb = zip_bomb()
    refused = median_seconds(lambda: refuse(bomb), repeat)
    directory = median_seconds(lambda: zipfile.ZipFile(io.BytesIO(bomb)).infolist(), repeat)
    expanded = median_seconds(
        lambda: zipfile.ZipFile(io.BytesIO(bomb)).read("word/document.xml"), 1
    )
    print(f"zip bomb ({len(bomb)} bytes) refused: {refused * 1000:.2f} ms (goal < 1000 ms)")
    print(f"  ratio (refused / central directory alone): {refused / directory:.1f}x")
    print(f"  ratio (expanding it / refused): {expanded / refused:.0f}x")

    sheet = huge_sheet()
    parsed = parse_formula(sheet, "huge.xlsx")
    assert len(parsed.rows) == MAX_ROWS and parsed.truncated
    ours = median_seconds(lambda: parse_formula(sheet, "huge.xlsx"), repeat)
    library = median_seconds(lambda: openpyxl_rows(sheet), repeat)
    print(f"10,000-row sheet capped at {MAX_ROWS} rows: {ours * 1000:.0f} ms (goal < 10000 ms)")
    print(f"  ratio (ours / openpyxl reading every row): {ours / library:.2f}x")


if __name__ == "__main__":
    main()
