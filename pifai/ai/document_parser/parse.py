"""The one entry point: a formula file's bytes to raw rows, whatever the format."""

from __future__ import annotations

from pifai.ai.document_parser.docx import parse_docx
from pifai.ai.document_parser.grid import RowBudget
from pifai.ai.document_parser.image import parse_image
from pifai.ai.document_parser.pdf import parse_pdf
from pifai.ai.document_parser.sniff import check_zip, sniff_format
from pifai.ai.document_parser.text import decode_text, parse_text_content
from pifai.ai.document_parser.types import (
    MAX_INPUT_BYTES,
    MAX_ROWS,
    FormulaParseError,
    ParsedFormula,
)
from pifai.ai.document_parser.xlsx import parse_xlsx


def parse_formula(data: bytes, filename: str | None = None) -> ParsedFormula:
    """Raw rows of a formula file; the format comes from the bytes, not `filename`."""
    if not data or not data.strip():
        raise FormulaParseError("The file is empty.")
    if len(data) > MAX_INPUT_BYTES:
        raise FormulaParseError(
            f"The file is {len(data) // (1024 * 1024)} MB; formula files are limited to "
            f"{MAX_INPUT_BYTES // (1024 * 1024)} MB."
        )
    budget = RowBudget(MAX_ROWS)
    kind = sniff_format(data)
    result: ParsedFormula
    if kind == "zip":
        _, names = check_zip(data)
        if "xl/workbook.xml" in names:
            result = parse_xlsx(data, budget)
        elif "word/document.xml" in names:
            result = parse_docx(data, budget)
        else:
            raise FormulaParseError(
                "The zip file is neither an Excel (.xlsx) nor a Word (.docx) document."
            )
    elif kind == "ole":
        raise FormulaParseError(
            "This is a legacy .xls/.doc file or a password-protected Office file; save it as "
            ".xlsx or .docx without a password and upload again."
        )
    elif kind == "pdf":
        result = parse_pdf(data, budget)
    elif kind == "image":
        result = parse_image(data, budget)
    else:
        text, encoding = decode_text(data)
        if "\ufffd" in text[:2000] and text[:2000].count("\ufffd") > 20:
            raise FormulaParseError("The file looks binary, not a formula table or list.")
        result = parse_text_content(text, budget)
        result.encoding = encoding
    if not result.rows:
        raise FormulaParseError(
            "No ingredient rows found: the file needs a header naming the ingredient column "
            "(INCI / 成分 / 名稱) and its concentration (含量 / % / w/w), or a label "
            "ingredient list.",
            details={"notes": result.notes, "filename": filename},
        )
    if budget.truncated:
        result.truncated = True
        result.notes.append(f"Only the first {MAX_ROWS} ingredient rows were read.")
    return result
