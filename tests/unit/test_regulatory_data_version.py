"""Every finding names the data version (list, export date) it was decided on."""

from __future__ import annotations

from pifai.ai.regulatory import RegEntry, RegulatorySnapshot
from pifai.ai.regulatory.entries import data_version
from pifai.services.regulatory import parse_cosing_annex
from tests.factories.regulatory import ANNEX_V_ROWS, cosing_csv, reg_entry


def test_a_cosing_entry_names_its_annex_and_the_exports_creation_date() -> None:
    records = parse_cosing_annex(cosing_csv("V", "PRESERVATIVES", ANNEX_V_ROWS), "V")
    entry = RegEntry.from_record(next(r for r in records if r["entry_ref"] == "Annex V/29"))
    # cosing_csv writes "File creation date: 20/02/2016".
    assert entry.data_version() == "EU CosIng Annex V export 20/02/2016"


def test_tfda_open_data_and_other_sources() -> None:
    open_data = {"document": "衛生福利部 list", "dataset": "TFDA open data", "date": "2026-06-25"}
    assert data_version("TFDA", "preservative", "No. 1", open_data) == (
        "TFDA open data preservative list 2026-06-25"
    )
    assert data_version("TFDA", "restricted", "x", {"document": "a list"}) == (
        "TFDA restricted list (undated)"
    )
    assert data_version("TFDA", "restricted", "x", {"data_version": "given"}) == "given"
    cmr = {"document": "CMR column of Annex III, EU CosIng export (file created 18/06/2026)"}
    assert data_version("ECHA", "classification", "x", cmr) == (
        "ECHA classification list (from EU CosIng Annex III export 18/06/2026)"
    )


def test_findings_carry_the_data_version_in_their_api_shape() -> None:
    entry = reg_entry(list_type="preservative", limits=[{"max_pct": 0.5}])
    snapshot = RegulatorySnapshot([entry])
    items = [("Testium", None, 0.8, "preservative"), ("Nothingium", None, 1.0, None)]
    result = snapshot.check(items, "leave_on_face")
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["over_limit"].to_dict()["data_version"] == "TFDA preservative list 2024-01-01"
    # An unidentified ingredient was checked against every list loaded.
    assert by_rule["unresolved"].data_version == "TFDA preservative list 2024-01-01"
