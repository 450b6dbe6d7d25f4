"""Header cells classified by meaning, and the header row found below a preamble."""

from __future__ import annotations

import pytest

from pifai.ai.document_parser import (
    classify_header_cell,
    find_header,
)


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("INCI Name", "name"),
        ("INCI名稱", "name"),
        ("成分名稱", "name"),
        ("原料", "name"),
        ("中文名稱", "alt_name"),
        ("含量 (%)", "concentration"),
        ("濃度", "concentration"),
        ("% w/w", "concentration"),
        ("Percentage", "concentration"),
        ("CAS No.", "cas"),
        ("CAS號碼", "cas"),
        ("功能", "function"),
        ("Function", "function"),
        ("用途", "function"),
        ("Trade name", None),
        ("No.", None),
        ("Supplier", None),
    ],
)
def test_header_cells_are_classified_by_meaning(cell: str, kind: str | None) -> None:
    assert classify_header_cell(cell) == kind


def test_header_found_below_preamble_and_inci_column_preferred() -> None:
    grid = [
        ["Formula F-1", "", ""],
        ["", "", ""],
        ["中文名稱", "用量%", "INCI"],
        ["甘油", "5", "Glycerin"],
    ]
    found = find_header(grid)
    assert found is not None
    row, columns = found
    assert row == 2
    assert columns["name"] == 2 and columns["alt_name"] == 0 and columns["concentration"] == 1
