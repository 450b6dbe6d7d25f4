"""Items 9 and 10 per ingredient, built from the PubChem and ECHA clients' answers (run
against MockTransport in the services' JSON shapes) and the shipped reference records.

The mocked answers are shapes with placeholder values, not data about the compounds; the
shipped record asserted on (salicylic acid, SCCS/1601/18) is read from pifai/data."""

from __future__ import annotations

from pifai.ai.toxicology.profile import ENDPOINTS, build_profile, endpoint_of
from pifai.ai.toxicology.sources import SourceResult
from tests.unit.test_toxicology_sources import echa, echa_healthy, healthy, pubchem


def test_h_codes_sort_into_the_item_10_endpoints() -> None:
    assert endpoint_of("H302") == "acute_toxicity"
    assert endpoint_of("H315") == "skin_irritation" and endpoint_of("H319") == "eye_irritation"
    assert endpoint_of("H317") == "sensitisation"
    assert endpoint_of("H341") == "genotoxicity" and endpoint_of("H350i") == "carcinogenicity"
    assert endpoint_of("H360FD") == "reproductive_toxicity"
    assert endpoint_of("H372") == "repeated_dose"
    assert endpoint_of("H225") is None  # a physical hazard is not a toxicological endpoint


async def test_every_endpoint_has_findings_or_says_which_source_had_nothing() -> None:
    client, _ = pubchem(healthy)
    answers = await client.lookup(["phenoxyethanol"])
    echa_client, _ = echa(echa_healthy)
    answer = await echa_client.lookup("0000-00-0")
    # A fictitious name: the shipped records hold nothing of it, only the live sources.
    profile = build_profile(
        "TEST SUBSTANCE P",
        None,
        {"pubchem": answers["phenoxyethanol"], "echa": answer},
        name="TEST SUBSTANCE P",
    )
    table = {row["endpoint"]: row for row in profile.to_dict()["endpoints"]}
    assert list(table) == list(ENDPOINTS)
    [acute] = table["acute_toxicity"]["findings"]
    assert acute["text"] == "H302: Harmful if swallowed"
    assert "notified by European Chemicals Agency (ECHA)" in acute["source"]
    assert acute["url"] == "https://pubchem.ncbi.nlm.nih.gov/compound/31236"
    [repro] = table["reproductive_toxicity"]["findings"]
    assert repro["text"] == "Repr. 1B (H360F)" and "CLP Annex VI" in repro["source"]
    for row in table.values():
        assert row["findings"] or row["gaps"]
        assert all(g.startswith("[") and "not found" not in g for g in row["gaps"])
    assert "[no data in PubChem]" in table["genotoxicity"]["gaps"]
    assert "[no data in ECHA CHEM]" in table["genotoxicity"]["gaps"]
    assert (
        "[no data in shipped reference data (pifai/data/toxicology)]"
        in table["genotoxicity"]["gaps"]
    )
    # item 9 from PubChem's computed properties, with what it did not give.
    assert profile.physchem is not None and profile.physchem["molecular_weight"] == 100.5
    assert profile.physchem_basis.startswith("PubChem CID 31236")
    assert "appearance, solubility" in profile.physchem_basis


def test_a_source_down_or_never_asked_is_named_not_hidden() -> None:
    profile = build_profile(
        "SALICYLIC ACID",
        "69-72-7",
        {"pubchem": SourceResult.unavailable("pubchem", "PubChem: timed out")},
        name="SALICYLIC ACID",
    )
    data = profile.to_dict()
    assert data["sources_unavailable"] == ["[source unavailable]: PubChem"]
    assert data["physchem"] is None and data["physchem_basis"] == "[source unavailable]: PubChem"
    table = {row["endpoint"]: row for row in data["endpoints"]}
    gaps = table["acute_toxicity"]["gaps"]
    assert "[source unavailable]: PubChem" in gaps
    assert any(g.startswith("[no data in ECHA CHEM: no answer on record") for g in gaps)
    # The shipped SCCS record: a developmental NOAEL is reproductive-toxicity data.
    [finding] = table["reproductive_toxicity"]["findings"]
    assert finding["text"].startswith("NOAEL 75 mg/kg bw/day")
    assert "SCCS/1601/18" in finding["source"] and finding["verified"] is True
    assert data["conclusions"] and all(c["source"] for c in data["conclusions"])


def test_not_in_the_source_and_no_harmonised_classification_are_answers() -> None:
    not_there = SourceResult.from_dict(
        {"source": "pubchem", "status": "not_found", "message": "not in PubChem"}
    )
    not_harmonised = SourceResult.from_dict(
        {"source": "echa", "status": "found", "message": "ECHA CHEM: no harmonised "
         "classification (CLP Annex VI)", "data": {"harmonised": False, "rml_id": "100.1"}}
    )  # fmt: skip
    profile = build_profile("X", None, {"pubchem": not_there, "echa": not_harmonised})
    gaps = profile.gaps["carcinogenicity"]
    assert "[no data in PubChem: the substance is not in it]" in gaps
    assert "[no data in ECHA CHEM: no harmonised classification]" in gaps
    assert profile.unavailable == []
