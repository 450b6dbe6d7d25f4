"""What every reader of a formula file produces or raises, and the limits they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pifai.core.errors import ValidationFailed

FormatName = Literal["xlsx", "csv", "docx", "pdf", "text", "image"]

MAX_INPUT_BYTES = 25 * 1024 * 1024
MAX_ROWS = 2_000
MAX_PDF_PAGES = 50
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_MEMBERS = 2_000
HEADER_SCAN_ROWS = 30
# Data rows past the header scanned per sheet before giving up on an endless sheet.
MAX_SCAN_ROWS = 5_000


class FormulaParseError(ValidationFailed):
    """The file cannot be read as a formula; the message says what to upload instead."""

    code = "formula_parse_error"


@dataclass(frozen=True, slots=True)
class RawRow:
    """One ingredient line as written in the document, not yet interpreted."""

    name: str
    concentration: str | None = None
    cas: str | None = None
    function: str | None = None
    alt_name: str | None = None  # a second name column (often Chinese) used when INCI fails
    sheet: str | None = None
    page: int | None = None
    row: int | None = None
    # What reading this row noticed that the value alone does not say (e.g. an unchecked CAS
    # the LLM path dropped); `pifai.ai.formula_llm.apply_review` carries it to the result.
    notes: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        parts = []
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        return ", ".join(parts) or "text"


@dataclass(slots=True)
class ParsedFormula:
    format: FormatName
    rows: list[RawRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    truncated: bool = False
    encoding: str | None = None
    # Upper bound for every row's confidence when a person must check the rows against the
    # document (rows transcribed by the LLM path); None: the validator's confidence stands.
    confidence_cap: float | None = None
