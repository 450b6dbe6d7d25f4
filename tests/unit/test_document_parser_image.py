"""Images: without an OCR engine the user is asked for a table file."""

from __future__ import annotations

import importlib.util

import pytest

from pifai.ai.document_parser import (
    FormulaParseError,
    parse_formula,
)


@pytest.mark.skipif(
    importlib.util.find_spec("pytesseract") is not None, reason="an OCR engine is installed"
)
def test_image_without_ocr_asks_for_a_table_file() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    with pytest.raises(FormulaParseError, match="table"):
        parse_formula(png, "formula.png")
