"""The annexes' product categories, as the 2026 exports write them, onto the engine's
product types; and the limits of real entries read through them."""

from __future__ import annotations

import pytest

from pifai.domain import PRODUCT_TYPES
from pifai.services.regulatory.limits import parse_conditions
from pifai.services.regulatory.product_types import UNEXPRESSIBLE, product_tags

NOT_ORAL = [pt for pt in PRODUCT_TYPES if pt != "oral"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Annex VI/4 benzophenone-3 (a), (b), (c).
        ("a) Face products, hand products, and lip products, excluding propellant and pump "
         "spray products", ["lip", "leave_on_face", "leave_on_body"]),
        ("Body products, including propellant and pump spray products", ["leave_on_body"]),
        ("Other products", []),
        # Annex III/96 musk xylene; Annex V/23 triclocarban.
        ("All cosmetic products, with the exception of oral products", NOT_ORAL),
        ("All cosmetic products, with the exception of mouthwash.", NOT_ORAL),
        # Annex III/70 citral: its categories, and the ones the engine cannot tell apart.
        ("Leave-on skin products (except lip products, deodorants and antiperspirants)",
         ["leave_on_face", "leave_on_body"]),
        ("Skin and hair rinse-off products", ["rinse_off_hair", "rinse_off_skin"]),
        ("Eye products, face make-up and make-up remover", ["eye_area", "leave_on_face"]),
        ("Lip make-up products, lipstick, lip salves", ["lip"]),
        ("Eye makeup and makeup remover", ["eye_area"]),
        ("Leave-on products for the anogenital area (baby wipes and intimate wipes)",
         [UNEXPRESSIBLE]),
        ("Leave-on hair products (spray/aerosol)", [UNEXPRESSIBLE]),
        ("Toothpaste intended for children between 6 months and 1 year of age",
         [UNEXPRESSIBLE]),
        # "spray and non-spray" is every fragrance product.
        ("Fragrance products (hydroalcoholic and non-hydroalcoholic, spray and non-spray)",
         ["leave_on_body"]),
        ("Hair dye substance in non-oxidative hair dye products", ["hair"]),
        ("Products in\u00adtended for col\u00adouring eyelashes", ["eye_area"]),
        ("products applied on mucous membranes", ["mucous"]),
        ("Solvent", None),
    ],
)  # fmt: skip
def test_annex_categories(text: str, expected: list[str] | None) -> None:
    assert product_tags(text) == expected


def test_benzophenone_3_limits_per_category() -> None:
    # Annex VI/4 as the 09/09/2026 export prints it (footnote on the transition left out).
    parsed = parse_conditions(
        "a) Face products, hand products, and lip products, excluding propellant and pump "
        "spray products\nb) Body products, including propellant and pump spray products\n"
        "c) Other products",
        "a) 6%\nb) 2,2%\nc) 0,5%\n\nFootnote 1: However, cosmetic products containing "
        "'2-Hydroxy-4-methoxy-benzophenone/Oxybenzone' may be placed on the Union market "
        "until 28 January 2023.",
    )
    limits = {lim["max_pct"]: set(lim["applies_to"]) for lim in parsed.limits}
    assert limits[6.0] == {"leave_on_face", "leave_on_body", "lip"}
    assert limits[2.2] == {"leave_on_body"}
    assert limits[0.5] == {"leave_on_hair", "rinse_off_skin", "rinse_off_hair", "eye_area",
                           "oral", "nail"}  # fmt: skip


def test_a_spray_category_stays_text() -> None:
    # Annex VI/10 octocrylene: (a) propellant sprays 9 %, (b) other products 10 %.
    parsed = parse_conditions("a) Propellant spray products\nb) Other products", "a) 9%\nb) 10%")
    assert parsed.limits == [{"max_pct": 10.0, "applies_to": []}]
    assert any("Propellant spray" in note and "not enforced" in note for note in parsed.notes)


def test_the_product_type_after_the_maximum() -> None:
    # Annex V/57 methylisothiazolinone: "0,0015 % Rinse-off products", no product column.
    parsed = parse_conditions("", "0,0015 % Rinse-off products")
    assert parsed.limits == [{"max_pct": 0.0015, "applies_to": []}]
    assert parsed.scope == ["rinse_off"]


def test_one_maximum_for_several_letters() -> None:
    # Annex IV/142 silver (CI 77820): "(a) Lip products (b) Eye shadow", "For (a) and (b): 0,2 %".
    parsed = parse_conditions("(a) Lip products\n\n(b) Eye shadow", "For (a) and (b): 0,2 %’")
    assert {(lim["max_pct"], tuple(lim["applies_to"])) for lim in parsed.limits} == {
        (0.2, ("lip",)),
        (0.2, ("eye_area",)),
    }
    assert set(parsed.scope) == {"lip", "eye_area"}
