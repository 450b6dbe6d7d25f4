"""The substances a change report touches, and the names that resolve to them."""

from __future__ import annotations

from typing import Any

from pifai.services.compliance_alerts.affected import AffectedSubstances, Matcher, NameScreen
from pifai.services.regulatory.snapshots import curated_dictionary_rows, load_shipped_records


def _item(record: dict[str, Any]) -> dict[str, Any]:
    key = f"{record['authority']}:{record['list_type']}:{record['entry_ref']}"
    return {
        "key": key,
        "name": record["name"],
        "names": record.get("names") or [record["name"]],
        "cas": record.get("cas") or [],
        "changes": {"limits": {"before": [], "after": []}},
    }


def test_old_and_new_content_count_and_a_redated_entry_does_not() -> None:
    report = {
        "added": [{"key": "EU:preservative:Annex V/99", "name": "New", "names": ["New"],
                   "cas": ["50-00-0"]}],
        "removed": [{"key": "EU:preservative:Annex V/98", "name": "Gone", "names": ["Gone"],
                     "cas": []}],
        "changed": [
            {"key": "EU:preservative:Annex V/29", "name": "Renamed",
             "names": ["Old name", "Renamed"], "cas": ["122-99-6"],
             "changes": {"names": {"before": ["Old name"], "after": ["Renamed"]}}},
            # Read again from a newer export: same rule, nothing to re-check.
            {"key": "EU:preservative:Annex V/1", "name": "Same", "changes": {}},
            # A report written before items carried their substances.
            {"key": "EU:preservative:Annex V/3", "name": "Older report",
             "changes": {"cas": {"before": ["69-72-7"], "after": []}}},
        ],
    }  # fmt: skip
    affected = AffectedSubstances.from_report(report)
    assert affected.keys == {
        "EU:preservative:Annex V/99",
        "EU:preservative:Annex V/98",
        "EU:preservative:Annex V/29",
        "EU:preservative:Annex V/3",
    }
    assert affected.cas_numbers == ["122-99-6", "50-00-0", "69-72-7"]
    matcher = Matcher(affected, ())
    assert matcher.keys("Old name", None) == {"EU:preservative:Annex V/29"}
    assert matcher.keys("Water", "69-72-7") == {"EU:preservative:Annex V/3"}
    assert matcher.keys("Water", None) == set()
    assert not AffectedSubstances.from_report({"changed": [{"key": "x", "changes": {}}]})


def test_the_name_screen_lets_through_every_name_the_probe_resolves() -> None:
    """The screen is only a shortcut: over the curated dictionary's names and synonyms
    (English and Chinese) and the shipped entries' names, the names it passes that the
    probe resolves are exactly the names the probe resolves on its own."""
    rows = list(curated_dictionary_rows())
    records = load_shipped_records()
    names = [r.inci for r in rows] + [n for r in rows for n in (*r.synonyms, *r.zh_names)]
    names += [n for r in records for n in r.get("names") or []]
    names += ["Phenoxy ethanol", "Phenoxyethanoll", "Aqua (Water)", "甘油 Glycerin"]
    names = list(dict.fromkeys(names))
    for start in (0, 150, 400):
        affected = AffectedSubstances.from_report(
            {"changed": [_item(r) for r in records[start : start + 40]]}
        )
        probe = affected.probe(rows)
        screen = NameScreen(affected, affected.related_rows(rows))
        resolved = [n for n in names if probe.resolve(n, None).entries]
        screened = [n for n in names if screen.may_resolve(n) and probe.resolve(n, None).entries]
        assert resolved and screened == resolved
