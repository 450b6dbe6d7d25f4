"""Formula extraction benchmark: a 60-row formula in each format, parsed and validated.

Run: .venv/bin/python bench/extract.py [--rows 60] [--repeat 5]
Prints, per file, the cold time (first call, imports included), the median warm time, rows
per second and how many rows came out with the right INCI and concentration.
Goal: under 1 s per file (the seed's LLM path takes 10-30 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pifai.ai.document_parser import parse_formula
from pifai.ai.ingredient_validator import validate_formula
from tests.unit.formula_corpus import (
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


if __name__ == "__main__":
    main()
