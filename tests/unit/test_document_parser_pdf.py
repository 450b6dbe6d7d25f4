"""PDFs: password-protected and text-less files fail clearly."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from pifai.ai.document_parser import (
    FormulaParseError,
    parse_formula,
)


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
