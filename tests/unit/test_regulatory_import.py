"""Importers and limit parsing on files written here in the official CosIng column layout,
plus the integrity of the shipped regulatory data (every row cited)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pifai.ai.ingredient_validator import is_valid_cas
from pifai.ai.regulatory import SCOPE_TAGS, RegEntry
from pifai.services.regulatory import (
    REGULATORY_DIR,
    RegulatoryImportError,
    _diff,
    build_snapshot,
    content_hash,
    load_shipped_records,
    parse_conditions,
    parse_cosing_annex,
    parse_tfda_file,
    parse_value,
    strip_disclosure,
)

HEADER = [
    "Reference number", "Chemical name / INN", "Name of Common Ingredients Glossary", "CAS Number",
    "EC Number", "Product Type, body parts", "Maximum concentration in ready for use preparation",
    "Other", "Wording of conditions of use and warnings", "Regulation", "Regulated By",
    "Other Directives/Regulations", "SCCS opinions", "Chemical/IUPAC Name",
    "Identified INGREDIENTS or substances e.g.", "CMR", "Update date",
]  # fmt: skip
ALLERGEN = (
    "The presence of the substance must be indicated in the list of ingredients referred to in "
    "Article 19(1)(g) when its concentration exceeds: — 0,001 % in leave -on products — 0,01 % "
    "in rinse-off products"
)


def cosing_csv(
    annex: str, title: str, rows: list[list[str]], last_update: str = "10/08/2015"
) -> str:
    """A file shaped like the Commission's CosIng annex export (preamble, two header rows)."""
    out = io.StringIO()
    out.write("sep=,\n\nFile creation date: 20/02/2016\n")
    out.write(f"Annex {annex},Last update: {last_update}\n{title}\n\n")
    out.write("Substance identification,Conditions\n\n")
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(row + [""] * (len(HEADER) - len(row)))
    return out.getvalue()


def row(ref: str, chem: str, inci: str, cas: str, types: str, maximum: str, other: str = "",
        warnings: str = "", update: str = "16/10/2010") -> list[str]:  # fmt: skip
    return [ref, chem, inci, cas, "", types, maximum, other, warnings, "(EC) No 1223/2009", "", "",
            "", "", inci.replace(" / ", ";"), "", update]  # fmt: skip


ANNEX_V_ROWS = [
    row(
        "1",
        "Benzoic acid and its sodium salt",
        "BENZOIC ACID / SODIUM BENZOATE",
        "65-85-0 / 532-32-1",
        "a) Rinse -off products, except oral care products b) Oral care products "
        "c) Leave-on products",
        "a) 2.5% (acid) b) 1.7% (acid) c) 0.5% (acid) ",
        update="25/10/2010",
    ),
    row(
        "3",
        "Salicylic acid and its salts",
        "SALICYLIC ACID",
        "69-72-7",
        "",
        "0.5% (acid)",
        "Not to be used in products for children under 3 years of age, except for shampoos",
        "Not to be used for children under 3 years of age",
    ),
    row("6", "Moved or deleted", "", "", "", ""),
    row("29", "2 -Phenoxyethanol", "PHENOXYETHANOL", "122-99-6", "", "1.0%"),
    row(
        "43",
        "1 -Phenoxypropan-2-ol",
        "PHENOXYISOPROPANOL",
        "770-35-4",
        "Only for rinse -off products",
        "1.0%",
        update="09/11/2010",
    ),
    row(
        "24",
        "Chlorocresol",
        "P-CHLORO-M-CRESOL",
        "59-50-7",
        "Not to be used in products applied on mucous membranes",
        "0.2%",
    ),
]
ANNEX_III_ROWS = [
    row("72", "Hydroxycitronellal", "HYDROXYCITRONELLAL", "107-75-5",
        "(a) Oral products (b) Other products",
        "(b) 1,0 %", "(a) (b) " + ALLERGEN, update="14/05/2013"),
    # Disclosure clause and a real limit mixed in the same cell.
    row("73", "Isoeugenol", "ISOEUGENOL", "97-54-1 --  5932-68-3",
        "(a) Oral products (b) Other products",
        "b) 0,02 % " + ALLERGEN, update="14/05/2013"),
    row("84", "Linalool", "LINALOOL", "78-70-6", "", "", ALLERGEN.replace("(g)", "g")),
    row("98", "Benzoic acid, 2 -hydroxy-", "SALICYLIC ACID", "69-72-7",
        "(a) Rinse -off hair products (b) Other products", "(a) 3.0% (b) 2.0%",
        "Not to be used in preparations for children under 3 years of age, except for shampoos "
        "For purposes other than inhibiting the development of micro -organisms in the product."),
    row("66", "Polyacrylamides", "", "", "(a) Body leave -on products (b) Other products", "",
        "(a) Maximum residual acrylamide content 0.1mg/kg "
        "(b) Maximum residual acrylamide content 0.5mg/kg"),
    row("999", "Test substance in mg/kg", "TEST SUBSTANCE", "50-00-0", "", "50 mg/kg"),
]  # fmt: skip


def by_ref(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(r["entry_ref"]): r for r in records}


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


def test_imported_records_drive_the_engine() -> None:
    text = cosing_csv("III", "RESTRICTED", ANNEX_III_ROWS)
    snap = build_snapshot(parse_cosing_annex(text, "III"))
    result = snap.check([("Isoeugenol", None, 0.05, "fragrance")], "leave_on_face")
    rules = {(f.severity, f.rule) for f in result.findings}
    assert ("high", "over_limit") in rules and ("info", "label_disclosure") in rules
    oral = snap.check([("Isoeugenol", None, 0.05, "flavour")], "oral")
    assert not [f for f in oral.findings if f.severity == "high"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5% (acid)", (0.5, "acid")),
        ("0,4% (as acid) for single ester", (0.4, "acid")),
        ("50 mg/kg", (0.005, None)),
        ("10 ppm", (0.001, None)),
        ("> 0,1 % ≤ 6 % of H2O2", (6.0, None)),
        ("1) 8% 2) 11%", (8.0, None)),
        ("no number here", None),
    ],
)
def test_parse_value(text: str, expected: tuple[float, str | None] | None) -> None:
    got = parse_value(text)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert got[0] == pytest.approx(expected[0]) and got[1] == expected[1]


def test_strip_disclosure_keeps_the_rest() -> None:
    rest, thresholds = strip_disclosure("(b) 1,0 % " + ALLERGEN + " Peroxide value < 20 mmoles/L")
    assert thresholds == {"leave_on_pct": 0.001, "rinse_off_pct": 0.01}
    assert "1,0 %" in rest and "Peroxide" in rest and "presence" not in rest


def test_not_to_be_used_in_is_an_exclusion() -> None:
    parsed = parse_conditions(
        "a) Hair products b) Other products",
        "a) 1.0% b) 0.5%",
        "a) Only in rinse -off products  b) Not to be used in oral products",
    )
    assert parsed.excluded == ["oral"]
    assert sorted(lim["max_pct"] for lim in parsed.limits) == [0.5, 1.0]


def test_wrong_annex_and_foreign_files_are_refused() -> None:
    text = cosing_csv("V", "PRESERVATIVES", ANNEX_V_ROWS)
    with pytest.raises(RegulatoryImportError, match="Annex V, not Annex III"):
        parse_cosing_annex(text, "III")
    with pytest.raises(RegulatoryImportError, match="Reference number"):
        parse_cosing_annex("name,cas\nwater,7732-18-5\n", "V")
    with pytest.raises(RegulatoryImportError, match="unknown annex"):
        parse_cosing_annex(text, "VII")


def test_tfda_csv_format() -> None:
    text = (
        "list_type,entry_ref,name,names,cas,product_type,max_concentration,conditions,warnings,"
        "document,announcement_date,effective_date,verified\n"
        "restricted,Salicylic acid,Salicylic acid,水楊酸,69-72-7,,2%,"
        "除洗髮產品外，不得使用於三歲以下孩童之產品。,不得使用於三歲以下孩童。,"
        "化粧品成分使用限制表,2019-05-01,2019-07-01,no\n"
        "uv_filter,Homosalate,Homosalate,,118-56-9,,10%,,,化粧品防曬劑成分使用限制表,,,yes\n"
    )
    records = parse_tfda_file(text, file_name="tfda.csv")
    assert [r["list_type"] for r in records] == ["restricted", "uv_filter"]
    assert records[0]["names"] == ["Salicylic acid", "水楊酸"]
    assert records[0]["rule"]["limits"][0]["max_pct"] == 2.0
    assert records[0]["verified"] is False and records[1]["verified"] is True
    assert records[0]["source"]["document"] == "化粧品成分使用限制表"
    with pytest.raises(RegulatoryImportError, match="list_type"):
        parse_tfda_file(text.replace("uv_filter,Homosalate", "sunscreen,Homosalate"))


def test_tfda_json_format_is_the_shipped_format() -> None:
    shipped = json.loads((REGULATORY_DIR / "tfda_uv_filters.json").read_text(encoding="utf-8"))
    records = parse_tfda_file(json.dumps(shipped[:3], ensure_ascii=False))
    assert [r["entry_ref"] for r in records] == [r["entry_ref"] for r in shipped[:3]]
    with pytest.raises(RegulatoryImportError):
        parse_tfda_file('[{"name": "no list type"}]')


def test_change_detection_sees_a_limit_change() -> None:
    text = cosing_csv("V", "PRESERVATIVES", ANNEX_V_ROWS)
    first = by_ref(parse_cosing_annex(text, "V"))
    changed_rows = [list(r) for r in ANNEX_V_ROWS]
    changed_rows[3][6] = "0.9%"  # phenoxyethanol 1.0% -> 0.9%
    second = by_ref(parse_cosing_annex(cosing_csv("V", "PRESERVATIVES", changed_rows), "V"))
    for ref in first:
        same = content_hash(first[ref]) == content_hash(second[ref])
        assert same is (ref != "Annex V/29")
    diff = _diff(first["Annex V/29"], second["Annex V/29"])
    assert diff["limits"]["before"][0]["max_pct"] == 1.0
    assert diff["limits"]["after"][0]["max_pct"] == 0.9


# --- the shipped data ----------------------------------------------------------------


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
    assert counts[("TFDA", "uv_filter")] == 27  # the TFDA UV-filter list, complete
    assert counts[("EU", "preservative")] >= 55  # EU Annex V (preservatives), complete
    assert counts[("EU", "uv_filter")] >= 26  # Annex VI of the 2016 export
    assert counts[("TFDA", "prohibited")] >= 50
    assert counts[("EU", "prohibited")] >= 20
    assert counts[("TFDA", "colorant")] >= 60 and counts[("EU", "colorant")] >= 60
    assert counts[("ECHA", "classification")] >= 10
    readme = (REGULATORY_DIR / "README.md").read_text(encoding="utf-8")
    for path in Path(REGULATORY_DIR).glob("*.json"):
        assert path.name in readme, f"{path.name} is not described in the README"
