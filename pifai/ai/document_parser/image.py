"""Images: OCR when an engine is installed."""

from __future__ import annotations

import importlib
import io
from typing import Any

from pifai.ai.document_parser.grid import RowBudget
from pifai.ai.document_parser.text import parse_text_content
from pifai.ai.document_parser.types import FormulaParseError, ParsedFormula


def parse_image(data: bytes, budget: RowBudget | None = None) -> ParsedFormula:
    """OCR when an engine is installed; otherwise ask for a table file."""
    try:
        pytesseract: Any = importlib.import_module("pytesseract")
        image_module: Any = importlib.import_module("PIL.Image")
    except ImportError as exc:
        raise FormulaParseError(
            "This is an image and no OCR engine is installed; please upload the formula as "
            "an Excel (.xlsx), CSV, Word or PDF file with a table."
        ) from exc
    try:
        text = str(
            pytesseract.image_to_string(image_module.open(io.BytesIO(data)), lang="eng+chi_tra")
        )
    except Exception as exc:  # missing tesseract binary or language pack, unreadable image
        raise FormulaParseError(
            "The image could not be read by OCR; please upload the formula as an Excel, CSV, "
            "Word or PDF file with a table.",
            details={"reason": type(exc).__name__},
        ) from exc
    result = parse_text_content(text, budget)
    result.format = "image"
    result.notes.append("Read by OCR: check every row.")
    return result
