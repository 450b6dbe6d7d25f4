"""Excel workbooks (.xlsx): every sheet's grid, merged cells filled, percentages shown."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from pifai.ai.document_parser.grid import RowBudget, rows_from_grid
from pifai.ai.document_parser.sniff import check_zip
from pifai.ai.document_parser.types import (
    HEADER_SCAN_ROWS,
    MAX_ROWS,
    MAX_SCAN_ROWS,
    FormulaParseError,
    ParsedFormula,
)


def _format_number(value: float) -> str:
    return f"{value:.10g}"


def _xlsx_value(value: Any, number_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        # A cell formatted as a percentage stores a fraction (0.005 shows as 0.50%).
        if number_format and "%" in number_format:
            return _format_number(float(value) * 100) + "%"
        return _format_number(float(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# Above this much sheet XML, openpyxl's full mode is slow: stream instead (merged cells lost).
XLSX_STREAM_BYTES = 5 * 1024 * 1024
MAX_MERGED_CELLS = 200_000


def parse_xlsx(data: bytes, budget: RowBudget | None = None) -> ParsedFormula:
    import openpyxl

    budget = budget or RowBudget(MAX_ROWS)
    archive, _ = check_zip(data)
    sheet_bytes = sum(
        i.file_size for i in archive.infolist() if i.filename.startswith("xl/worksheets/")
    )
    streaming = sheet_bytes > XLSX_STREAM_BYTES
    result = ParsedFormula(format="xlsx")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=streaming)
        if streaming:
            result.notes.append("Large workbook read in streaming mode: merged cells not filled.")
        for ws in workbook.worksheets:
            grid = _xlsx_grid(ws, streaming, result)
            rows = rows_from_grid(grid, budget, sheet=ws.title, row_offset=1)
            if rows:
                result.rows.extend(rows)
            elif any(any(c.strip() for c in r) for r in grid):
                result.notes.append(f"Sheet {ws.title!r}: no ingredient header found; skipped.")
            if budget.truncated:
                break
        workbook.close()
    except Exception as exc:  # openpyxl raises many unrelated types on damaged files
        raise FormulaParseError(
            "The Excel file could not be read (damaged or not a real .xlsx); "
            "re-save it from Excel as .xlsx and upload again.",
            details={"reason": type(exc).__name__},
        ) from exc
    return result


def _xlsx_grid(ws: Any, streaming: bool, result: ParsedFormula) -> list[list[str]]:
    """The sheet's cells as text, a merged range's value copied to every cell it covers."""
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in [] if streaming else ws.merged_cells.ranges:
        size = (rng.max_row - rng.min_row + 1) * (rng.max_col - rng.min_col + 1)
        if size > 10_000 or len(merged) + size > MAX_MERGED_CELLS:
            continue  # a whole-column merge or a flood of ranges: not a formula layout
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged[(r, c)] = (rng.min_row, rng.min_col)
    limit = HEADER_SCAN_ROWS + MAX_SCAN_ROWS
    # iter_rows pads up to max_row with empty cells: never ask past the sheet's end.
    last_row = min(ws.max_row or limit, limit)
    max_col = min(ws.max_column or 50, 50)
    grid: list[list[str]] = []
    for r_index, row in enumerate(
        ws.iter_rows(min_row=1, max_row=last_row, max_col=max_col), start=1
    ):
        cells = [_xlsx_value(c.value, getattr(c, "number_format", None)) for c in row]
        for c_index in range(1, len(cells) + 1):
            anchor = merged.get((r_index, c_index))
            if anchor is not None and anchor != (r_index, c_index):
                source_row = cells if anchor[0] == r_index else grid[anchor[0] - 1]
                if anchor[1] - 1 < len(source_row):
                    cells[c_index - 1] = source_row[anchor[1] - 1]
        grid.append(cells)
    if (ws.max_row or 0) > limit:
        result.notes.append(f"Sheet {ws.title!r}: only the first {limit} rows were read.")
    return grid
