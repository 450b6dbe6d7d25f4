"""The CosIng annex importer on files written here in the official column layout."""

from __future__ import annotations

import pytest

from pifai.services.regulatory import (
    RegulatoryImportError,
    parse_cosing_annex,
)
from tests.factories.regulatory import (
    ANNEX_III_ROWS,
    ANNEX_V_ROWS,
    by_ref,
    cosing_csv,
)


def test_cosing_annex_v_layout_is_read() -> None:
    text = cosing_csv("V", "LIST OF PRESERVATIVES ALLOWED IN COSMETIC PRODUCTS", ANNEX_V_ROWS)
    records = by_ref(parse_cosing_annex(text, "V", file_name="annex_v.csv"))
    assert "Annex V/6" not in records  # "Moved or deleted"
    assert set(records) == {"Annex V/1", "Annex V/3", "Annex V/29", "Annex V/43", "Annex V/24"}
    benzoic = records["Annex V/1"]
    assert benzoic["list_type"] == "preservative" and benzoic["authority"] == "EU"
    assert benzoic["cas"] == ["65-85-0", "532-32-1"]
    assert "SODIUM BENZOATE" in benzoic["names"]
    limits = {tuple(lim["applies_to"]): lim["max_pct"] for lim in benzoic["rule"]["limits"]}
    assert limits == {("rinse_off",): 2.5, ("oral",): 1.7, ("leave_on",): 0.5}
    assert benzoic["source"]["date"] == "2010-10-25"
    assert (
        "20/02/2016" in benzoic["source"]["document"] and benzoic["source"]["file"] == "annex_v.csv"
    )
    salicylic = records["Annex V/3"]["rule"]
    assert salicylic["children_under_3"] == {"prohibited": True, "except": ["rinse_off_hair"]}
    assert records["Annex V/43"]["rule"]["scope"] == ["rinse_off"]
    assert records["Annex V/24"]["rule"]["excluded"] == ["mucous"]


def test_disclosure_clause_is_not_a_limit() -> None:
    text = cosing_csv("III", "RESTRICTED", ANNEX_III_ROWS, last_update="05/08/2015")
    records = by_ref(parse_cosing_annex(text, "III"))
    linalool = records["Annex III/84"]["rule"]
    assert linalool["limits"] == []
    assert linalool["disclosure"] == {"leave_on_pct": 0.001, "rinse_off_pct": 0.01}
    hydroxy = records["Annex III/72"]["rule"]
    assert [lim["max_pct"] for lim in hydroxy["limits"]] == [1.0]
    assert "oral" not in hydroxy["limits"][0]["applies_to"]
    assert hydroxy["disclosure"] == {"leave_on_pct": 0.001, "rinse_off_pct": 0.01}
    # Mixed: the real limit survives, the 0.001 / 0.01 thresholds do not become limits.
    iso = records["Annex III/73"]["rule"]
    assert [lim["max_pct"] for lim in iso["limits"]] == [0.02]
    assert iso["disclosure"] == {"leave_on_pct": 0.001, "rinse_off_pct": 0.01}
    assert records["Annex III/73"]["cas"] == ["97-54-1", "5932-68-3"]
    salicylic = records["Annex III/98"]["rule"]
    assert {tuple(lim["applies_to"]) == ("rinse_off_hair",) for lim in salicylic["limits"]} == {
        True,
        False,
    }
    assert salicylic["function"] == "non_preservative"
    # Impurity limits in the "Other" column are not ingredient limits.
    assert records["Annex III/66"]["rule"]["limits"] == []
    assert records["Annex III/999"]["rule"]["limits"][0]["max_pct"] == pytest.approx(0.005)


def test_wrong_annex_and_foreign_files_are_refused() -> None:
    text = cosing_csv("V", "PRESERVATIVES", ANNEX_V_ROWS)
    with pytest.raises(RegulatoryImportError, match="Annex V, not Annex III"):
        parse_cosing_annex(text, "III")
    with pytest.raises(RegulatoryImportError, match="Reference number"):
        parse_cosing_annex("name,cas\nwater,7732-18-5\n", "V")
    with pytest.raises(RegulatoryImportError, match="unknown annex"):
        parse_cosing_annex(text, "VII")
