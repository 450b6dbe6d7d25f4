"""Change detection between two reads of an official list."""

from __future__ import annotations

from pifai.services.regulatory import (
    content_hash,
    parse_cosing_annex,
)
from pifai.services.regulatory.changes import diff_records
from tests.factories.regulatory import (
    ANNEX_V_ROWS,
    by_ref,
    cosing_csv,
)


def test_change_detection_sees_a_limit_change() -> None:
    text = cosing_csv("V", "PRESERVATIVES", ANNEX_V_ROWS)
    first = by_ref(parse_cosing_annex(text, "V"))
    changed_rows = [list(r) for r in ANNEX_V_ROWS]
    changed_rows[3][6] = "0.9%"  # phenoxyethanol 1.0% -> 0.9%
    second = by_ref(parse_cosing_annex(cosing_csv("V", "PRESERVATIVES", changed_rows), "V"))
    for ref in first:
        same = content_hash(first[ref]) == content_hash(second[ref])
        assert same is (ref != "Annex V/29")
    diff = diff_records(first["Annex V/29"], second["Annex V/29"])
    assert diff["limits"]["before"][0]["max_pct"] == 1.0
    assert diff["limits"]["after"][0]["max_pct"] == 0.9
