"""The CosIng annex importer on the Commission's own exports beside the project
(../shared/data/cosing-annexes-2026, see its PROVENANCE.md): every data row is either a
live entry or a "Moved or deleted" placeholder, none is dropped silently, and the live
counts are the official ones. Where the exports are absent, a full-size export written
here in the same layout is read instead, so the test always runs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from pifai.services.regulatory import parse_cosing_annex
from tests.factories.regulatory import ANNEX_V_ROWS, by_ref, cosing_csv

EXPORTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "cosing-annexes-2026"
# Data rows per PROVENANCE.md, and how many of them are "Moved or deleted" placeholders
# (PROVENANCE.md gives them for II and III; for IV-VI they are counted in the files).
OFFICIAL = {
    "II": ("2026-06-18/COSING_Annex_II_v2.txt", 1758, 18),
    "III": ("2026-06-18/COSING_Annex_III_v2.txt", 381, 2),
    "IV": ("2026-09-09/annex_IV.csv", 154, 0),
    "V": ("2026-09-09/annex_V.csv", 58, 3),
    "VI": ("2026-09-09/annex_VI.csv", 34, 1),
}


def _data_rows(text: str) -> list[list[str]]:
    """The rows after the column header (cells may hold newlines), blank lines left out."""
    rows = list(csv.reader(io.StringIO(text)))
    header = next(
        i for i, r in enumerate(rows) if r and r[0].lower().startswith("reference number")
    )
    return [r for r in rows[header + 1 :] if any(cell.strip() for cell in r)]


def _placeholders(rows: list[list[str]]) -> int:
    return sum(1 for r in rows if any("moved or deleted" in c.lower() for c in r))


@pytest.mark.parametrize("annex", sorted(OFFICIAL))
def test_every_row_of_an_official_export_is_read_or_accounted_for(annex: str) -> None:
    name, rows_expected, placeholders_expected = OFFICIAL[annex]
    path = EXPORTS / name
    if not path.exists():  # not beside this checkout: the layout alone, on rows made here
        text = cosing_csv("V", "LIST OF PRESERVATIVES ALLOWED IN COSMETIC PRODUCTS", ANNEX_V_ROWS)
        records = parse_cosing_annex(text, "V", file_name="annex_v.csv")
        rows = _data_rows(text)
        assert len(records) == len(rows) - _placeholders(rows)
        return
    text = path.read_text(encoding="utf-8")
    rows = _data_rows(text)
    assert (len(rows), _placeholders(rows)) == (rows_expected, placeholders_expected)
    records = parse_cosing_annex(text, annex, file_name=path.name)
    assert len(records) == rows_expected - placeholders_expected
    assert len({r["entry_ref"] for r in records}) == len(records)
    for record in records:
        assert record["source"]["file"] == path.name
        assert record["source"].get("date"), record["entry_ref"]


def _export(annex: str) -> tuple[str, str]:
    """The official export of ``annex``, else (for Annex V) the one written here."""
    path = EXPORTS / OFFICIAL[annex][0]
    if path.exists():
        return annex, path.read_text(encoding="utf-8")
    return "V", cosing_csv("V", "LIST OF PRESERVATIVES ALLOWED IN COSMETIC PRODUCTS", ANNEX_V_ROWS)


@pytest.mark.parametrize(
    ("annex", "ref", "inci", "max_pct"),
    [
        ("V", "Annex V/29", "PHENOXYETHANOL", 1.0),
        ("VI", "Annex VI/27", "TITANIUM DIOXIDE", 25.0),
    ],
)
def test_limits_read_from_the_official_exports(
    annex: str, ref: str, inci: str, max_pct: float
) -> None:
    """Limits as the annexes state them: phenoxyethanol 1.0 % (Annex V/29), titanium
    dioxide 25 % as a UV filter (Annex VI/27)."""
    read_as, text = _export(annex)
    if read_as != annex:  # without the exports only the Annex V row made here is known
        ref, inci, max_pct = "Annex V/29", "PHENOXYETHANOL", 1.0
    record = by_ref(parse_cosing_annex(text, read_as))[ref]
    assert inci in record["names"]
    assert [lim["max_pct"] for lim in record["rule"]["limits"]] == [max_pct]
