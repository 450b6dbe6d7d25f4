"""Snapshots of imported records, and the integrity of the shipped regulatory data
(every row cited)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pifai.ai.ingredient_validator import is_valid_cas
from pifai.ai.regulatory import SCOPE_TAGS, RegEntry
from pifai.services.regulatory import (
    REGULATORY_DIR,
    build_snapshot,
    load_shipped_records,
    parse_cosing_annex,
)
from tests.factories.regulatory import (
    ANNEX_III_ROWS,
    cosing_csv,
)


def test_imported_records_drive_the_engine() -> None:
    text = cosing_csv("III", "RESTRICTED", ANNEX_III_ROWS)
    snap = build_snapshot(parse_cosing_annex(text, "III"))
    result = snap.check([("Isoeugenol", None, 0.05, "fragrance")], "leave_on_face")
    rules = {(f.severity, f.rule) for f in result.findings}
    assert ("high", "over_limit") in rules and ("info", "label_disclosure") in rules
    oral = snap.check([("Isoeugenol", None, 0.05, "flavour")], "oral")
    assert not [f for f in oral.findings if f.severity == "high"]


def test_shipped_records_are_cited_and_well_formed() -> None:
    records = load_shipped_records()
    keys = Counter(f"{r['authority']}:{r['list_type']}:{r['entry_ref']}" for r in records)
    assert not [k for k, n in keys.items() if n > 1]
    for record in records:
        source = record["source"]
        where = f"{record['authority']} {record['entry_ref']}"
        assert source.get("document"), where
        assert source.get("repository") and source.get("commit") and source.get("path"), where
        assert isinstance(record["verified"], bool), where
        if not record["verified"]:
            assert record.get("verification_note"), f"{where}: unverified without a reason"
        for cas in record["cas"]:
            assert is_valid_cas(cas), f"{where}: CAS {cas} fails its check digit"
        rule = record["rule"]
        for lim in rule.get("limits", []):
            assert 0 < lim["max_pct"] <= 100, where
            assert set(lim["applies_to"]) <= set(SCOPE_TAGS), where
        for field in ("scope", "excluded", "exempt"):
            assert set(rule.get(field, [])) <= set(SCOPE_TAGS), where
        RegEntry.from_record(record)


def test_shipped_coverage() -> None:
    records = load_shipped_records()
    counts = Counter((r["authority"], r["list_type"]) for r in records)
    # Every live entry of the official exports (PROVENANCE.md's counts).
    assert counts[("TFDA", "prohibited")] == 659 and counts[("TFDA", "restricted")] == 186
    assert counts[("TFDA", "colorant")] == 152 and counts[("TFDA", "preservative")] == 57
    assert counts[("TFDA", "uv_filter")] == 27
    assert counts[("EU", "prohibited")] == 1740 and counts[("EU", "restricted")] == 379
    assert counts[("EU", "colorant")] == 154 and counts[("EU", "preservative")] == 55
    assert counts[("EU", "uv_filter")] == 33
    assert counts[("ECHA", "classification")] >= 10
    readme = (REGULATORY_DIR / "README.md").read_text(encoding="utf-8")
    for path in Path(REGULATORY_DIR).glob("*.json"):
        assert path.name in readme, f"{path.name} is not described in the README"
