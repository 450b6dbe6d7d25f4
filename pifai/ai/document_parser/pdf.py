"""PDFs with a text layer: ruled tables, column-aligned text, else the text itself."""

from __future__ import annotations

import io
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pifai.ai.document_parser.grid import Column, RowBudget, find_header, rows_from_grid
from pifai.ai.document_parser.text import parse_text_content
from pifai.ai.document_parser.types import (
    HEADER_SCAN_ROWS,
    MAX_PDF_PAGES,
    MAX_ROWS,
    FormulaParseError,
    ParsedFormula,
    RawRow,
)


def _table_settings() -> dict[str, Any]:
    return {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


@dataclass(slots=True)
class _TextColumns:
    starts: list[float]
    columns: dict[Column, int]


def _text_lines(words: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (float(w["top"]), float(w["x0"]))):
        if lines and abs(float(lines[-1][0]["top"]) - float(word["top"])) < 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: float(w["x0"])) for line in lines]


def _header_labels(line: Sequence[dict[str, Any]]) -> list[tuple[float, str]]:
    """Neighbouring words joined into labels ("INCI Name"); columns lie further apart."""
    labels: list[tuple[float, str, float]] = []  # (x0, text, x1)
    for word in line:
        x0, x1 = float(word["x0"]), float(word["x1"])
        gap_limit = (float(word["bottom"]) - float(word["top"])) * 0.8
        if labels and x0 - labels[-1][2] < gap_limit:
            labels[-1] = (labels[-1][0], labels[-1][1] + " " + str(word["text"]), x1)
        else:
            labels.append((x0, str(word["text"]), x1))
    return [(x0, text) for x0, text, _ in labels]


def _rows_from_words(
    words: Sequence[dict[str, Any]],
    budget: RowBudget,
    page: int,
    previous: _TextColumns | None,
) -> tuple[list[RawRow], _TextColumns | None]:
    """Column-aligned text without ruling: columns start where the header's labels start."""
    lines = _text_lines(words)
    layout, first = previous, 0
    for i, line in enumerate(lines[:HEADER_SCAN_ROWS]):
        labels = _header_labels(line)
        found = find_header([[text for _, text in labels]])
        if found is not None:
            layout, first = _TextColumns([x for x, _ in labels], found[1]), i + 1
            break
    if layout is None:
        return [], None
    grid: list[list[str]] = [[""] * len(layout.starts)]
    gaps: list[float] = []
    previous_top = float(lines[first - 1][0]["top"]) if first else None
    for line in lines[first:]:
        top = float(line[0]["top"])
        if previous_top is not None:
            gap = top - previous_top
            # A gap far wider than the row pitch ends the table (signature blocks, footers).
            if len(gaps) >= 2 and gap > 2.5 * statistics.median(gaps):
                break
            gaps.append(gap)
        previous_top = top
        cells = [""] * len(layout.starts)
        for word in line:
            x0 = float(word["x0"])
            col = max((k for k, x in enumerate(layout.starts) if x0 >= x - 4), default=0)
            cells[col] = (cells[col] + " " + str(word["text"])).strip()
        grid.append(cells)
    rows = rows_from_grid(grid, budget, page=page, header=(0, layout.columns), row_offset=first)
    return rows, layout


def _is_password_error(exc: BaseException) -> bool:
    # pdfplumber wraps pdfminer's PDFPasswordIncorrect in PdfminerException(args=(cause,)).
    seen: list[BaseException] = [exc]
    for _ in range(20):  # bounded: exception chains can be cyclic
        if not seen:
            break
        current = seen.pop()
        if "password" in type(current).__name__.lower() or "password" in str(current).lower():
            return True
        seen += [a for a in current.args if isinstance(a, BaseException)]
        if current.__cause__ is not None:
            seen.append(current.__cause__)
    return False


def _open_pdf(data: bytes) -> Any:
    import pdfplumber

    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises password, syntax and EOF errors alike
        name = type(exc).__name__
        if _is_password_error(exc):
            raise FormulaParseError(
                "The PDF is password-protected; upload an unprotected copy or the Excel formula."
            ) from exc
        raise FormulaParseError(
            "The PDF could not be read (damaged or not a real PDF).", details={"reason": name}
        ) from exc


def _rows_from_tables(
    tables: Sequence[Sequence[Sequence[str | None]]],
    budget: RowBudget,
    page: int,
    header: tuple[int, dict[Column, int]] | None,
) -> tuple[list[RawRow], tuple[int, dict[Column, int]] | None]:
    """Rows of a page's ruled tables, and the header a table on a later page may continue."""
    rows: list[RawRow] = []
    for table in tables:
        grid = [[c or "" for c in row] for row in table]
        found = find_header(grid)
        if found is not None:
            header = found
        elif header is not None and grid and len(grid[0]) > max(header[1].values()):
            # A table continued from the previous page without its header.
            grid = [[""] * len(grid[0]), *grid]
            found = (0, header[1])
        if found is None:
            continue
        rows += rows_from_grid(grid, budget, page=page, header=found)
    return rows, header


def parse_pdf(data: bytes, budget: RowBudget | None = None) -> ParsedFormula:
    budget = budget or RowBudget(MAX_ROWS)
    result = ParsedFormula(format="pdf")
    pdf = _open_pdf(data)
    texts: list[str] = []
    try:
        pages = pdf.pages
        if len(pages) > MAX_PDF_PAGES:
            result.notes.append(f"Only the first {MAX_PDF_PAGES} of {len(pages)} pages were read.")
        header: tuple[int, dict[Column, int]] | None = None
        layout: _TextColumns | None = None
        for number, page in enumerate(pages[:MAX_PDF_PAGES], start=1):
            tables = page.extract_tables(_table_settings())
            page_rows, header = _rows_from_tables(tables, budget, number, header)
            if not page_rows:
                page_rows, layout = _rows_from_words(page.extract_words(), budget, number, layout)
            result.rows.extend(page_rows)
            if not page_rows:
                texts.append(page.extract_text() or "")
            if budget.truncated:
                break
    except FormulaParseError:
        raise
    except Exception as exc:
        raise FormulaParseError(
            "The PDF could not be read (damaged or unsupported content).",
            details={"reason": type(exc).__name__},
        ) from exc
    finally:
        pdf.close()
    if not result.rows:
        text = "\n".join(texts)
        if not text.strip():
            raise FormulaParseError(
                "The PDF has no text layer (a scan?); upload the formula as an Excel or CSV file."
            )
        inner = parse_text_content(text, budget)
        result.rows, result.notes = inner.rows, result.notes + inner.notes
    return result
