"""Word documents (.docx): the tables, else the paragraphs read as text."""

from __future__ import annotations

import io

from pifai.ai.document_parser.grid import RowBudget, rows_from_grid
from pifai.ai.document_parser.sniff import check_zip
from pifai.ai.document_parser.text import parse_text_content
from pifai.ai.document_parser.types import (
    HEADER_SCAN_ROWS,
    MAX_ROWS,
    FormulaParseError,
    ParsedFormula,
)


def parse_docx(data: bytes, budget: RowBudget | None = None) -> ParsedFormula:
    import docx

    budget = budget or RowBudget(MAX_ROWS)
    check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx surfaces lxml and zip errors as they come
        raise FormulaParseError(
            "The Word file could not be read (damaged or not a real .docx); "
            "re-save it from Word as .docx and upload again.",
            details={"reason": type(exc).__name__},
        ) from exc
    result = ParsedFormula(format="docx")
    for number, table in enumerate(document.tables, start=1):
        # python-docx repeats a merged cell's text in every grid position it covers.
        grid = [[c.text for c in row.cells] for row in table.rows[: MAX_ROWS + HEADER_SCAN_ROWS]]
        rows = rows_from_grid(grid, budget, sheet=f"table {number}", row_offset=1)
        result.rows.extend(rows)
        if budget.truncated:
            break
    if not result.rows:
        text = "\n".join(p.text for p in document.paragraphs)
        inner = parse_text_content(text, budget)
        result.rows = inner.rows
        result.notes.extend(inner.notes)
        if not result.rows:
            raise FormulaParseError(
                "The Word file has no table with an ingredient column and no ingredient list."
            )
    return result
