"""Formula files (xlsx, csv, docx, pdf, label text, images) to raw ingredient rows.

Deterministic and offline: the format is sniffed from the bytes, the header row is found
by meaning (Chinese or English), and every limit (size, rows, pages, zip ratio) is checked
before the expensive work so hostile input fails fast with a `FormulaParseError`.
Interpretation of the values (INCI identity, concentration maths) is left to
`pifai.ai.ingredient_validator`.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
import statistics
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from charset_normalizer import from_bytes

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


# --- header detection -----------------------------------------------------------------

Column = Literal["name", "alt_name", "concentration", "cas", "function"]

_CAS_WORD_RE = re.compile(r"(?<![a-z])cas(?![a-z])")
_CONC_WORDS = (
    "含量", "濃度", "浓度", "比例", "配比", "用量", "添加量", "百分比", "%", "％", "w/w", "wt",
    "conc", "amount", "percent", "quantity", "qty", "dosage", "level", "ratio",
)  # fmt: skip
_FUNC_WORDS = ("功能", "用途", "作用", "目的", "function", "purpose", "role", "usage")
_INCI_WORD_RE = re.compile(r"(?<![a-z])inci(?![a-z])")
_NAME_WORDS = (
    "成分", "名稱", "名称", "原料", "品名", "ingredient", "component", "name", "material",
    "chemical",
)  # fmt: skip
_ZH_NAME_WORDS = ("中文",)
# Columns that look like names but are not the ingredient (supplier, trade name, number).
_SKIP_WORDS = ("trade", "商品", "供應", "供应", "supplier", "vendor", "廠商", "編號", "代號",
               "code", "lot", "no.", "序號", "phase", "相別")  # fmt: skip


def _norm_cell(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().lower()


def classify_header_cell(value: str) -> Column | None:
    """What a header cell announces, judged by its words rather than its position."""
    text = _norm_cell(value)
    if not text or len(text) > 40:
        return None
    # Whole words only for the Latin keys: "Casein" and "Principle" are not headers.
    if _CAS_WORD_RE.search(text):
        return "cas"
    if _INCI_WORD_RE.search(text):
        return "name"
    if any(w in text for w in _CONC_WORDS):
        return "concentration"
    if any(w in text for w in _FUNC_WORDS):
        return "function"
    if any(w in text for w in _SKIP_WORDS):
        return None
    if any(w in text for w in _NAME_WORDS):
        return "alt_name" if any(w in text for w in _ZH_NAME_WORDS) else "name"
    return None


def find_header(grid: Sequence[Sequence[str]]) -> tuple[int, dict[Column, int]] | None:
    """First row (within the first rows) naming an ingredient column and one more column."""
    for index, cells in enumerate(grid[:HEADER_SCAN_ROWS]):
        columns: dict[Column, int] = {}
        names: list[tuple[int, bool]] = []  # (column, says INCI)
        for col, cell in enumerate(cells):
            kind = classify_header_cell(cell)
            if kind is None:
                continue
            if kind in ("name", "alt_name"):
                says_inci = kind == "name" and _INCI_WORD_RE.search(_norm_cell(cell)) is not None
                names.append((col, says_inci))
                if kind == "alt_name":
                    columns.setdefault("alt_name", col)
                continue
            columns.setdefault(kind, col)
        if not names or len(columns.keys() - {"alt_name"}) < 1:
            continue
        # The INCI column wins; another name column (often Chinese) is kept as a fallback.
        names.sort(key=lambda n: not n[1])
        primary = names[0][0]
        columns["name"] = primary
        others = [c for c, _ in names if c != primary]
        if others and "alt_name" not in columns:
            columns["alt_name"] = others[0]
        if columns.get("alt_name") == primary:
            columns.pop("alt_name")
        return index, columns
    return None


# --- rows from a grid -----------------------------------------------------------------

_TOTAL_RE = re.compile(r"^(total|sum|合計|合计|總計|总计|總和|小計)\b", re.IGNORECASE)
_PHASE_RE = re.compile(r"^(phase|part|相)\s*[a-z0-9一二三四五]?\s*[:：]?$", re.IGNORECASE)
_EMPTY_MARKS = {"", "-", "—", "n/a", "na", "none", "/"}


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return None if text.lower() in _EMPTY_MARKS else text


class _RowBudget:
    """Shared cap on data rows across sheets and pages of one file."""

    def __init__(self, limit: int) -> None:
        self.left = limit
        self.truncated = False

    def take(self) -> bool:
        if self.left <= 0:
            self.truncated = True
            return False
        self.left -= 1
        return True


def rows_from_grid(
    grid: Sequence[Sequence[str]],
    budget: _RowBudget,
    *,
    sheet: str | None = None,
    page: int | None = None,
    header: tuple[int, dict[Column, int]] | None = None,
    row_offset: int = 1,
) -> list[RawRow]:
    """Data rows under the header found by meaning; empty, phase and total rows skipped."""
    found = header or find_header(grid)
    if found is None:
        return []
    start, columns = found
    out: list[RawRow] = []

    def cell(cells: Sequence[str], kind: Column) -> str | None:
        col = columns.get(kind)
        if col is None or col >= len(cells):
            return None
        return _clean(cells[col])

    for offset, cells in enumerate(grid[start + 1 :], start=start + 1):
        name = cell(cells, "name")
        alt = cell(cells, "alt_name")
        conc = cell(cells, "concentration")
        if name is None and alt is None:
            continue
        label = name or alt or ""
        if _TOTAL_RE.match(label) or (_PHASE_RE.match(label) and conc is None):
            continue
        if not (conc and any(ch.isdigit() for ch in conc)) and find_header([cells]) is not None:
            continue  # a repeated header (next page, next phase)
        if not budget.take():
            break
        out.append(
            RawRow(
                name=label,
                concentration=conc,
                cas=cell(cells, "cas"),
                function=cell(cells, "function"),
                alt_name=alt if name is not None else None,
                sheet=sheet,
                page=page,
                row=offset + row_offset,
            )
        )
    return out


# --- format sniffing ------------------------------------------------------------------


Sniffed = Literal["pdf", "zip", "ole", "image", "text"]


def sniff_format(data: bytes) -> Sniffed:
    """Container format from the leading bytes (a zip is told apart later by its members)."""
    head = data[:16]
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    if head.startswith((b"GIF87a", b"GIF89a")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return "image"
    return "text"


def _check_zip(data: bytes) -> tuple[zipfile.ZipFile, set[str]]:
    """Open a zip only after its declared sizes say it is not a bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FormulaParseError(
            "The file looks like an Office document but its zip container is damaged; "
            "re-save it from Excel or Word and upload again."
        ) from exc
    if len(infos) > MAX_ZIP_MEMBERS:
        raise FormulaParseError("The document has too many parts to be a formula file.")
    total = 0
    for info in infos:
        total += info.file_size
        # Python's zipfile stops at the declared size, so declared sizes are a real bound.
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO:
            raise FormulaParseError(
                f"The document part {info.filename!r} expands {ratio:.0f}-fold; "
                "refusing it as a possible zip bomb."
            )
    if total > MAX_ZIP_UNCOMPRESSED:
        raise FormulaParseError(
            f"The document expands to {total // (1024 * 1024)} MB; the limit is "
            f"{MAX_ZIP_UNCOMPRESSED // (1024 * 1024)} MB."
        )
    return archive, {i.filename for i in infos}


# --- xlsx -----------------------------------------------------------------------------


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


def parse_xlsx(data: bytes, budget: _RowBudget | None = None) -> ParsedFormula:
    import openpyxl

    budget = budget or _RowBudget(MAX_ROWS)
    archive, _ = _check_zip(data)
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


# --- docx -----------------------------------------------------------------------------


def parse_docx(data: bytes, budget: _RowBudget | None = None) -> ParsedFormula:
    import docx

    budget = budget or _RowBudget(MAX_ROWS)
    _check_zip(data)
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


# --- pdf ------------------------------------------------------------------------------


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
    budget: _RowBudget,
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


def parse_pdf(data: bytes, budget: _RowBudget | None = None) -> ParsedFormula:
    import pdfplumber

    budget = budget or _RowBudget(MAX_ROWS)
    result = ParsedFormula(format="pdf")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises password, syntax and EOF errors alike
        name = type(exc).__name__
        if _is_password_error(exc):
            raise FormulaParseError(
                "The PDF is password-protected; upload an unprotected copy or the Excel formula."
            ) from exc
        raise FormulaParseError(
            "The PDF could not be read (damaged or not a real PDF).", details={"reason": name}
        ) from exc
    texts: list[str] = []
    try:
        pages = pdf.pages
        if len(pages) > MAX_PDF_PAGES:
            result.notes.append(f"Only the first {MAX_PDF_PAGES} of {len(pages)} pages were read.")
        header: tuple[int, dict[Column, int]] | None = None
        layout: _TextColumns | None = None
        for number, page in enumerate(pages[:MAX_PDF_PAGES], start=1):
            page_rows: list[RawRow] = []
            for table in page.extract_tables(_table_settings()):
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
                page_rows += rows_from_grid(grid, budget, page=number, header=found)
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


# --- text: csv or a label list --------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and encoding: BOMs first, then UTF-8, then Big5/CP950, then a detector."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    sample = data[:4096]
    # UTF-16 without BOM: every other byte is zero for ASCII text.
    if len(sample) >= 4 and sample.count(b"\x00") > len(sample) // 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Taiwan ERP exports are CP950 (Big5 plus Microsoft's extensions).
        text = data.decode("cp950")
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return text, "cp950"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise FormulaParseError("The file is neither a known document format nor readable text.")
    return str(best), best.encoding


_PREFIX_RE = re.compile(
    r"^.*?(?:ingredients?|全成分|成分表|成分|inci)\s*(?:list)?\s*[:：]\s*",
    re.IGNORECASE | re.DOTALL,
)
# Split a label list on commas unless between digits ("1,2-Hexanediol"), and on CJK marks.
_LIST_SPLIT_RE = re.compile(r"(?<!\d),|,(?!\d)|[、，;；\n•·]")


def parse_label_list(text: str, budget: _RowBudget) -> list[RawRow]:
    body = unicodedata.normalize("NFC", text).strip()
    match = _PREFIX_RE.match(body)
    if match and len(match.group(0)) < 200:
        body = body[match.end() :]
    parts = [p.strip().strip(".。*").strip() for p in _LIST_SPLIT_RE.split(body)]
    names = [(i, p) for i, p in enumerate(parts, start=1) if p]
    if names and classify_header_cell(names[0][1]) is not None:
        names = names[1:]  # a one-column table's header ("INCI Name")
    # Without an "Ingredients:" prefix, only a list of short items is taken for a label.
    if not names or (match is None and (len(names) < 3 or max(len(p) for _, p in names) > 80)):
        return []
    rows: list[RawRow] = []
    for index, name in names:
        if len(name) > 150:
            continue
        if not budget.take():
            break
        rows.append(RawRow(name=name, row=index))
    return rows


def _sniff_delimiter(text: str) -> str | None:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        for delim in ("\t", ";", "|", ","):
            if delim in sample:
                return delim
        return None


def _csv_grid(text: str, delimiter: str) -> list[list[str]]:
    grid: list[list[str]] = []
    try:
        for line in csv.reader(io.StringIO(text), delimiter=delimiter):
            grid.append(line)
            if len(grid) > MAX_ROWS + HEADER_SCAN_ROWS + MAX_SCAN_ROWS:
                break
    except csv.Error:
        pass  # an oversized or broken field: keep the rows read so far
    return grid


def parse_text_content(text: str, budget: _RowBudget | None = None) -> ParsedFormula:
    """A delimited table with a meaningful header, else a label ingredient list."""
    budget = budget or _RowBudget(MAX_ROWS)
    result = ParsedFormula(format="csv")
    text = text.replace("\x00", "")
    delimiter = _sniff_delimiter(text)
    if delimiter is not None:
        # Sniffing can pick ',' where ';' or tab separates and ',' is a decimal: try each.
        for delim in dict.fromkeys([delimiter, "\t", ";", ",", "|"]):
            grid = _csv_grid(text, delim)
            found = find_header(grid)
            if found is not None and found[1].keys() - {"name", "alt_name"}:
                result.rows = rows_from_grid(grid, budget, header=found, row_offset=1)
                if result.rows or budget.truncated:
                    result.truncated = budget.truncated
                    return result
    result.format = "text"
    result.rows = parse_label_list(text, budget)
    if result.rows:
        result.notes.append("Read as an ingredient list without concentrations.")
    return result


# --- images ---------------------------------------------------------------------------


def parse_image(data: bytes, budget: _RowBudget | None = None) -> ParsedFormula:
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


# --- entry point ----------------------------------------------------------------------


def parse_formula(data: bytes, filename: str | None = None) -> ParsedFormula:
    """Raw rows of a formula file; the format comes from the bytes, not `filename`."""
    if not data or not data.strip():
        raise FormulaParseError("The file is empty.")
    if len(data) > MAX_INPUT_BYTES:
        raise FormulaParseError(
            f"The file is {len(data) // (1024 * 1024)} MB; formula files are limited to "
            f"{MAX_INPUT_BYTES // (1024 * 1024)} MB."
        )
    budget = _RowBudget(MAX_ROWS)
    kind = sniff_format(data)
    result: ParsedFormula
    if kind == "zip":
        _, names = _check_zip(data)
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
