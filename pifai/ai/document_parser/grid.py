"""Rows from a grid of cells: the header row found by meaning (Chinese or English), then
the data rows under it, within a row budget shared by every sheet and page of one file."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Literal

from pifai.ai.document_parser.types import HEADER_SCAN_ROWS, RawRow

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


_TOTAL_RE = re.compile(r"^(total|sum|合計|合计|總計|总计|總和|小計)\b", re.IGNORECASE)
_PHASE_RE = re.compile(r"^(phase|part|相)\s*[a-z0-9一二三四五]?\s*[:：]?$", re.IGNORECASE)
_EMPTY_MARKS = {"", "-", "—", "n/a", "na", "none", "/"}


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return None if text.lower() in _EMPTY_MARKS else text


class RowBudget:
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
    budget: RowBudget,
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
