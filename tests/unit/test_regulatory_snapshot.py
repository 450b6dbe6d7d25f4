"""The snapshot's name resolution on the shipped data: how names and CAS numbers match."""

from __future__ import annotations

import pytest

from pifai.ai.regulatory import RegulatorySnapshot
from pifai.services.regulatory import shipped_snapshot


@pytest.fixture(scope="module")
def snap() -> RegulatorySnapshot:
    return shipped_snapshot()


def test_resolution_reports_how_names_matched(snap: RegulatorySnapshot) -> None:
    result = snap.check(
        [
            ("苯氧乙醇", None, 0.5, None),
            (None, "122-99-6", 0.5, None),
            ("Phenoxyethanol", "122-99-7", 0.5, None),
            ("Phenoxyethanoll", None, 0.5, None),
        ],
        "leave_on_face",
    )
    by_input = {r.input: r for r in result.resolved}
    assert (
        by_input["苯氧乙醇"].match == "synonym"
        and by_input["苯氧乙醇"].inci_name == "PHENOXYETHANOL"
    )
    assert by_input["122-99-6"].match == "cas" and by_input["122-99-6"].confidence == 1.0
    bad = by_input["Phenoxyethanol"]
    assert bad.inci_name == "PHENOXYETHANOL" and any("check digit" in n for n in bad.notes)
    fuzzy = by_input["Phenoxyethanoll"]
    assert fuzzy.match == "fuzzy" and fuzzy.confidence < 1.0
