"""Report facts: per item, the share of its schema's fields the deterministic path fills
on the test documents (an English and a Chinese report per item, bench/fixtures/
report_texts.py, which the tests use too), and how many of the expected values it gets right.

    .venv/bin/python -m bench.report_facts [--repeat 20]

Each document is read twice: from its text, and from the file a user would upload (the
English reports as PDF, the Chinese ones as Word, since no CJK font is at hand for PDFs)
through the same text extraction as an upload. "filled" counts the fields of the item's
schema (all but provenance and notes) that got a value; "right" counts the expected
values matched. Goal: well under 50 ms per document, far below an LLM call.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from typing import Any

from bench.fixtures.report_files import docx_of, pdf_of
from bench.fixtures.report_texts import REPORTS, ReportText
from pifai.ai.report_facts import REPORT_ITEMS, extract_report, filled_share, schema_fields
from pifai.services.pif.files import extract_pages
from pifai.services.pif.uploads import FileKind, mime_type


def _pages(report: ReportText) -> tuple[str, list[str]]:
    if report.name.endswith(".pdf"):
        return "pdf", extract_pages(pdf_of(report.pages), mime_type(FileKind.pdf))
    return "docx", extract_pages(docx_of(report.pages), mime_type(FileKind.docx))


def _right(report: ReportText, values: dict[str, Any]) -> int:
    def same(a: Any, b: Any) -> bool:
        return a == b or (isinstance(b, date) and a == b.isoformat())

    return sum(1 for k, v in report.expected.items() if same(values.get(k), v))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(f"{'item':>4} {'fields':>6} {'source':<6} {'filled':>7} {'right':>9} {'ms/doc':>7}")
    totals: list[float] = []
    for item in REPORT_ITEMS:
        reports = [r for r in REPORTS if r.item == item]
        for source in ("text", "file"):
            shares, right, expected, times = [], 0, 0, []
            for report in reports:
                pages = list(report.pages) if source == "text" else _pages(report)[1]
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    extraction = extract_report(item, pages, report.name)
                    times.append((time.perf_counter() - start) * 1000)
                shares.append(filled_share(extraction))
                right += _right(report, extraction.values)
                expected += len(report.expected)
            share = statistics.mean(shares)
            if source == "file":
                totals.append(share)
            print(
                f"{item:>4} {len(schema_fields(item)):>6} {source:<6} {share:>6.0%} "
                f"{right:>4}/{expected:<4} {statistics.median(times):>7.2f}"
            )
    print(f"mean share filled over items (uploaded files): {statistics.mean(totals):.0%}")


if __name__ == "__main__":
    main()
