"""Text files: the encoding, then a delimited table (csv) or a label ingredient list."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from charset_normalizer import from_bytes

from pifai.ai.document_parser.grid import (
    RowBudget,
    classify_header_cell,
    find_header,
    rows_from_grid,
)
from pifai.ai.document_parser.types import (
    HEADER_SCAN_ROWS,
    MAX_ROWS,
    MAX_SCAN_ROWS,
    FormulaParseError,
    ParsedFormula,
    RawRow,
)


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


def parse_label_list(text: str, budget: RowBudget) -> list[RawRow]:
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


def parse_text_content(text: str, budget: RowBudget | None = None) -> ParsedFormula:
    """A delimited table with a meaningful header, else a label ingredient list."""
    budget = budget or RowBudget(MAX_ROWS)
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
