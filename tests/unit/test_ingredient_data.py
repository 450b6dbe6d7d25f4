"""Checks on the shipped ingredient reference dictionary (pifai/data/ingredients.csv).

The CAS check digit is re-implemented here on purpose, so the data is checked
independently of the validator in pifai/ai.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "pifai" / "data" / "ingredients.csv"

HEADER = [
    "inci_name",
    "cas_numbers",
    "ec_numbers",
    "functions",
    "zh_name",
    "synonyms",
    "category",
    "source",
    "verified",
]

CATEGORIES = {
    "solvent",
    "humectant",
    "emollient",
    "emulsifier",
    "surfactant",
    "thickener",
    "preservative",
    "uv_filter",
    "active",
    "colorant",
    "fragrance_allergen",
    "other",
}

CAS_FORM = re.compile(r"^\d{2,7}-\d{2}-\d$")
EC_FORM = re.compile(r"^\d{3}-\d{3}-\d$")

REQUIRED_PRESERVATIVES = [
    "METHYLPARABEN",
    "ETHYLPARABEN",
    "PROPYLPARABEN",
    "BUTYLPARABEN",
    "PHENOXYETHANOL",
    "SODIUM BENZOATE",
    "BENZOIC ACID",
    "POTASSIUM SORBATE",
    "SORBIC ACID",
    "METHYLISOTHIAZOLINONE",
    "METHYLCHLOROISOTHIAZOLINONE",
    "BENZYL ALCOHOL",
    "DEHYDROACETIC ACID",
    "SODIUM DEHYDROACETATE",
    "CHLORPHENESIN",
    "DMDM HYDANTOIN",
    "IMIDAZOLIDINYL UREA",
    "DIAZOLIDINYL UREA",
    "IODOPROPYNYL BUTYLCARBAMATE",
    "SALICYLIC ACID",
    "ZINC PYRITHIONE",
    "PIROCTONE OLAMINE",
    "CHLORHEXIDINE DIGLUCONATE",
    "BENZALKONIUM CHLORIDE",
    "TRICLOSAN",
]

REQUIRED_UV_FILTERS = [
    "ETHYLHEXYL METHOXYCINNAMATE",
    "OCTOCRYLENE",
    "BUTYL METHOXYDIBENZOYLMETHANE",
    "TITANIUM DIOXIDE",
    "ZINC OXIDE",
    "HOMOSALATE",
    "ETHYLHEXYL SALICYLATE",
    "BENZOPHENONE-3",
    "ETHYLHEXYL TRIAZONE",
    "DIETHYLHEXYL BUTAMIDO TRIAZONE",
    "BIS-ETHYLHEXYLOXYPHENOL METHOXYPHENYL TRIAZINE",
    "METHYLENE BIS-BENZOTRIAZOLYL TETRAMETHYLBUTYLPHENOL",
    "DIETHYLAMINO HYDROXYBENZOYL HEXYL BENZOATE",
    "PHENYLBENZIMIDAZOLE SULFONIC ACID",
    "TEREPHTHALYLIDENE DICAMPHOR SULFONIC ACID",
    "DROMETRIZOLE TRISILOXANE",
]

# The 26 fragrance allergens labelled under the EU Cosmetics Regulation (Annex III).
EU_26_ALLERGENS = [
    "AMYL CINNAMAL",
    "AMYLCINNAMYL ALCOHOL",
    "ANISE ALCOHOL",
    "BENZYL ALCOHOL",
    "BENZYL BENZOATE",
    "BENZYL CINNAMATE",
    "BENZYL SALICYLATE",
    "BUTYLPHENYL METHYLPROPIONAL",
    "CINNAMAL",
    "CINNAMYL ALCOHOL",
    "CITRAL",
    "CITRONELLOL",
    "COUMARIN",
    "EUGENOL",
    "FARNESOL",
    "GERANIOL",
    "HEXYL CINNAMAL",
    "HYDROXYCITRONELLAL",
    "HYDROXYISOHEXYL 3-CYCLOHEXENE CARBOXALDEHYDE",
    "ISOEUGENOL",
    "LIMONENE",
    "LINALOOL",
    "METHYL 2-OCTYNOATE",
    "ALPHA-ISOMETHYL IONONE",
    "EVERNIA PRUNASTRI EXTRACT",
    "EVERNIA FURFURACEA EXTRACT",
]

REQUIRED_COLORANTS = ["CI 77891", "CI 77491", "CI 77492", "CI 77499", "CI 19140"]


def cas_check_digit_ok(cas: str) -> bool:
    """Last digit == sum(digit * position from the right, starting at 1) mod 10."""
    if not CAS_FORM.match(cas):
        return False
    digits = cas.replace("-", "")
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * i for i, d in enumerate(reversed(body), start=1))
    return total % 10 == check


def norm(name: str) -> str:
    return " ".join(name.upper().split())


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == HEADER
        return list(reader)


@pytest.fixture(scope="module")
def names(rows: list[dict[str, str]]) -> set[str]:
    return {norm(r["inci_name"]) for r in rows}


def test_check_digit_helper() -> None:
    assert cas_check_digit_ok("7732-18-5")  # water
    assert cas_check_digit_ok("122-99-6")  # phenoxyethanol
    assert not cas_check_digit_ok("122-99-7")
    assert not cas_check_digit_ok("12299-6")


def test_at_least_300_rows(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 300


def test_every_cas_is_well_formed_with_a_valid_check_digit(rows: list[dict[str, str]]) -> None:
    bad = [
        (r["inci_name"], cas)
        for r in rows
        for cas in filter(None, r["cas_numbers"].split("|"))
        if not cas_check_digit_ok(cas)
    ]
    assert bad == []


def test_ec_numbers_are_well_formed(rows: list[dict[str, str]]) -> None:
    bad = [
        (r["inci_name"], ec)
        for r in rows
        for ec in filter(None, r["ec_numbers"].split("|"))
        if not EC_FORM.match(ec)
    ]
    assert bad == []


def test_no_duplicate_inci_names(rows: list[dict[str, str]]) -> None:
    seen: dict[str, str] = {}
    dupes = []
    for r in rows:
        key = norm(r["inci_name"])
        if key in seen:
            dupes.append(key)
        seen[key] = r["inci_name"]
    assert dupes == []


def test_every_row_has_source_and_verification_status(rows: list[dict[str, str]]) -> None:
    for r in rows:
        assert r["inci_name"].strip(), r
        assert r["source"].strip(), r["inci_name"]
        assert r["verified"] in {"yes", "check_digit_only"}, r["inci_name"]
        if r["verified"] == "check_digit_only":
            assert "not looked up" in r["source"].lower(), r["inci_name"]


def test_categories_are_valid(rows: list[dict[str, str]]) -> None:
    assert {r["category"] for r in rows} <= CATEGORIES


@pytest.mark.parametrize(
    "required",
    [REQUIRED_PRESERVATIVES, REQUIRED_UV_FILTERS, EU_26_ALLERGENS, REQUIRED_COLORANTS],
    ids=["preservatives", "uv_filters", "eu_26_allergens", "colorants"],
)
def test_required_ingredients_present(names: set[str], required: list[str]) -> None:
    assert [n for n in required if norm(n) not in names] == []


def test_26_allergens_are_26() -> None:
    assert len(set(EU_26_ALLERGENS)) == 26


def test_required_preservatives_and_uv_filters_are_verified(rows: list[dict[str, str]]) -> None:
    by_name = {norm(r["inci_name"]): r for r in rows}
    unverified = [
        n
        for n in REQUIRED_PRESERVATIVES + REQUIRED_UV_FILTERS
        if by_name[norm(n)]["verified"] != "yes"
    ]
    assert unverified == []
