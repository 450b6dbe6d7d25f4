"""Formula files (xlsx, csv, docx, pdf, label text, images) to raw ingredient rows.

Deterministic and offline: the format is sniffed from the bytes, the header row is found
by meaning (Chinese or English), and every limit (size, rows, pages, zip ratio) is checked
before the expensive work so hostile input fails fast with a `FormulaParseError`.
Interpretation of the values (INCI identity, concentration maths) is left to
`pifai.ai.ingredient_validator`.
"""

from pifai.ai.document_parser.grid import classify_header_cell, find_header
from pifai.ai.document_parser.parse import parse_formula
from pifai.ai.document_parser.sniff import sniff_format
from pifai.ai.document_parser.text import decode_text
from pifai.ai.document_parser.types import (
    MAX_INPUT_BYTES,
    MAX_ROWS,
    FormulaParseError,
    ParsedFormula,
    RawRow,
)

__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_ROWS",
    "FormulaParseError",
    "ParsedFormula",
    "RawRow",
    "classify_header_cell",
    "decode_text",
    "find_header",
    "parse_formula",
    "sniff_format",
]
