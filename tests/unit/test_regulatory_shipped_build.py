"""The shipped regulatory data is the official exports beside the project, read by the
project's importers, with the curation merged in (pifai/data/regulatory/curation/): every
live annex entry is shipped, every row says where it was read and what curation added, and
the committed files are exactly what `pifai regulatory build-shipped` writes today."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pifai.services.regulatory import load_shipped_records
from pifai.services.regulatory.shipped_build import OUTPUT_FILES, build, write

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
REGULATORY = Path(__file__).resolve().parents[2] / "pifai" / "data" / "regulatory"
# Live entries per annex: PROVENANCE.md's data rows less the "Moved or deleted" rows.
LIVE = {"prohibited": 1740, "restricted": 379, "colorant": 154, "preservative": 55, "uv_filter": 33}


def test_every_live_eu_annex_entry_is_shipped_from_its_official_export() -> None:
    records = [r for r in load_shipped_records() if r["authority"] == "EU"]
    assert Counter(r["list_type"] for r in records) == LIVE
    for record in records:
        source = record["source"]
        assert source["basis"] == "official_export", record["entry_ref"]
        assert source["file"].startswith("cosing-annexes-2026/") and source["file_sha256"]
        assert "2026" in source["document"] and source["entry"] == record["entry_ref"]


def test_curation_says_what_it_added() -> None:
    mercury = next(r for r in load_shipped_records() if r["entry_ref"] == "Annex II/221")
    added = mercury["source"]["curation"]
    # Member CAS numbers of the group entry and Chinese names come from curation, named so.
    assert "7487-94-7" in added["cas"] and "7487-94-7" in mercury["cas"]
    assert "汞" in added["names"] and added["from"].startswith("pifai/data/regulatory/curation/")
    assert added["note"]


@pytest.mark.skipif(not SHARED.exists(), reason="the official exports are not beside the project")
def test_the_committed_data_is_what_the_build_writes(tmp_path: Path) -> None:
    result = build(SHARED)
    write(result, tmp_path)
    for name in OUTPUT_FILES.values():
        assert (tmp_path / name).read_bytes() == (REGULATORY / name).read_bytes(), (
            f"{name} is out of date: run `make regulatory-data`"
        )
    dropped = {d["entry"] for d in result.report.dropped_curation}
    # Entries the law removed since the 2016 exports the curation was read from.
    assert {"EU Annex V/8", "EU Annex III/101", "EU Annex VI/18"} <= dropped
