"""Formulas checked on the shipped data: cases with their expected findings and
citations, and two properties (prohibited means critical at any
concentration; lowering a concentration never adds a finding)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pifai.ai.regulatory import (
    CheckResult,
    FormulaItem,
    RegulatorySnapshot,
    UnknownProductType,
)
from pifai.domain import PRODUCT_TYPES
from pifai.services.regulatory import shipped_snapshot

Item = tuple[str | None, str | None, float | None, str | None]


@pytest.fixture(scope="module")
def snap() -> RegulatorySnapshot:
    return shipped_snapshot()


@dataclass(frozen=True)
class Expect:
    severity: str
    rule: str
    entry_key: str | None
    limit_pct: float | None = None


@dataclass(frozen=True)
class Case:
    id: str
    product_type: str
    items: tuple[Item, ...]
    expected: tuple[Expect, ...]
    children: bool = False
    # Severities that must NOT appear (beyond the expected findings).
    absent: tuple[str, ...] = ()


TFDA_HG = "TFDA:prohibited:No. 1"
EU_HG = "EU:prohibited:Annex II/221"
EU_STEROIDS = "EU:prohibited:Annex II/300"
TFDA_PB = "TFDA:prohibited:No. 38"
EU_PB = "EU:prohibited:Annex II/289"
PHENOXY = "EU:preservative:Annex V/29"
TFDA_PHENOXY = "TFDA:preservative:No. 35"  # TFDA preservative list, 2-Phenoxyethanol, 1 %

CASES: tuple[Case, ...] = (
    Case("mercury at trace level", "leave_on_face", (("Mercury", None, 0.00001, None),),
         (Expect("critical", "prohibited", TFDA_HG), Expect("critical", "prohibited", EU_HG))),
    Case("mercury by Chinese name", "leave_on_face", (("水銀", None, 0.5, None),),
         (Expect("critical", "prohibited", TFDA_HG),)),
    Case("mercury compound by CAS only", "lip", ((None, "7439-97-6", 0.01, None),),
         (Expect("critical", "prohibited", TFDA_HG), Expect("critical", "prohibited", EU_HG))),
    Case("mercuric chloride given by its own CAS only", "leave_on_face",
         ((None, "7487-94-7", 0.0001, None),),
         (Expect("critical", "prohibited", TFDA_HG), Expect("critical", "prohibited", EU_HG))),
    Case("steroid in a cream", "leave_on_face", (("Clobetasol Propionate", None, 0.05, None),),
         (Expect("critical", "prohibited", "EU:prohibited:Annex II/300"),)),
    # Group members given by their own CAS only (member CAS numbers, see member_cas_note).
    Case("clobetasol propionate given by its own CAS only", "leave_on_face",
         ((None, "25122-46-7", 0.01, None),),
         (Expect("critical", "prohibited", EU_STEROIDS),), absent=("info",)),
    Case("dexamethasone given by its own CAS only", "leave_on_face",
         ((None, "50-02-2", 0.01, None),),
         (Expect("critical", "prohibited", EU_STEROIDS),), absent=("info",)),
    Case("betamethasone valerate given by its own CAS only", "leave_on_face",
         ((None, "2152-44-5", 0.01, None),),
         (Expect("critical", "prohibited", EU_STEROIDS),), absent=("info",)),
    Case("hydrocortisone given by its own CAS only", "leave_on_face",
         ((None, "50-23-7", 0.01, None),),
         (Expect("critical", "prohibited", EU_STEROIDS),), absent=("info",)),
    Case("clobetasone butyrate given by its own CAS only", "leave_on_face",
         ((None, "25122-57-0", 0.01, None),),
         (Expect("critical", "prohibited", EU_STEROIDS),), absent=("info",)),
    Case("betamethasone by Chinese name", "leave_on_face", (("倍他米松", None, 0.01, None),),
         (Expect("critical", "prohibited", EU_STEROIDS),)),
    Case("lead acetate given by its own CAS only", "leave_on_face",
         ((None, "301-04-2", 0.01, None),),
         (Expect("critical", "prohibited", TFDA_PB), Expect("critical", "prohibited", EU_PB)),
         absent=("info",)),
    Case("lead acetate trihydrate given by its own CAS only", "leave_on_face",
         ((None, "6080-56-4", 0.01, None),),
         (Expect("critical", "prohibited", TFDA_PB), Expect("critical", "prohibited", EU_PB))),
    Case("oestrogen in a serum", "leave_on_face", (("Estradiol", None, 0.001, None),),
         (Expect("critical", "prohibited", "TFDA:prohibited:No. 305"),
          Expect("critical", "prohibited", "EU:prohibited:Annex II/260"))),
    # Annex II/1339 prohibits hydroquinone "with the exception of entry 14 in Annex III"
    # (artificial nail systems): anywhere else it is prohibited.
    Case("hydroquinone outside its permitted use", "leave_on_face",
         (("Hydroquinone", None, 2.0, "skin lightening"),),
         (Expect("critical", "prohibited", "EU:prohibited:Annex II/1339"),
          Expect("high", "product_type", "EU:restricted:Annex III/14"))),
    Case("hydroquinone by Traditional Chinese name outside its permitted use", "leave_on_face",
         (("對苯二酚", None, 2.0, None),),
         (Expect("critical", "prohibited", "EU:prohibited:Annex II/1339"),
          Expect("high", "product_type", "EU:restricted:Annex III/14"))),
    Case("hydroquinone in an artificial nail system", "nail", (("Hydroquinone", None, 0.01, None),),
         (Expect("info", "label_warning", "EU:restricted:Annex III/14"),),
         absent=("critical", "high")),
    Case("formaldehyde: TFDA prohibits what the EU allows", "leave_on_body",
         (("Formaldehyde", None, 0.1, "preservative"),),
         (Expect("critical", "prohibited", "TFDA:prohibited:No. 34"),)),
    Case("preservative above its maximum: TFDA decides, EU agrees", "leave_on_face",
         (("Phenoxyethanol", "122-99-6", 1.2, "preservative"),),
         (Expect("high", "over_limit", TFDA_PHENOXY, 1.0),
          Expect("advisory", "stricter_eu_over_limit", PHENOXY, 1.0))),
    Case("preservative within its maximum", "leave_on_face",
         (("Phenoxyethanol", "122-99-6", 0.8, "preservative"), ("Water", None, 99.2, "solvent")),
         (), absent=("critical", "high", "advisory")),
    Case("preservative by Chinese name", "leave_on_face",
         (("苯氧乙醇", None, 1.5, "preservative"),),
         (Expect("high", "over_limit", TFDA_PHENOXY, 1.0),)),
    Case("preservative by CAS only", "rinse_off_skin", ((None, "122-99-6", 1.5, None),),
         (Expect("high", "over_limit", TFDA_PHENOXY, 1.0),)),
    Case("rinse-off-only preservative in a leave-on product", "leave_on_body",
         (("Phenoxyisopropanol", None, 0.5, "preservative"),),
         (Expect("high", "product_type", "TFDA:preservative:No. 36"),
          Expect("advisory", "stricter_eu_product_type", "EU:preservative:Annex V/43"))),
    Case("rinse-off-only preservative in a rinse-off product", "rinse_off_skin",
         (("Phenoxyisopropanol", None, 0.5, "preservative"),), (), absent=("high",)),
    Case("MCI/MI in a leave-on product", "leave_on_face",
         (("Methylchloroisothiazolinone and Methylisothiazolinone", None, 0.001, "preservative"),),
         (Expect("high", "product_type", "TFDA:preservative:No. 30"),
          Expect("advisory", "stricter_eu_product_type", "EU:preservative:Annex V/39"))),
    Case("UV filter above its TFDA maximum (stricter than the EU's)", "leave_on_face",
         (("Benzophenone-3", None, 8.0, "UV filter"),),
         (Expect("high", "over_limit", "TFDA:uv_filter:No. 2", 6.0),
          Expect("info", "label_warning", "TFDA:uv_filter:No. 2"))),
    Case("UV filter by synonym above both maxima", "leave_on_body",
         (("Octinoxate", None, 12.0, "sunscreen"),),
         (Expect("high", "over_limit", "TFDA:uv_filter:No. 5", 10.0),
          Expect("advisory", "stricter_eu_over_limit", "EU:uv_filter:Annex VI/12", 10.0))),
    Case("UV filter not on any positive list", "leave_on_face",
         (("Glycerin", None, 3.0, "UV filter"),),
         (Expect("high", "not_on_positive_list", None),)),
    Case("colorant not permitted near the eyes (TFDA category 2)", "eye_area",
         (("CI 15510", None, 0.5, "colorant"),),
         (Expect("high", "product_type", "TFDA:colorant:No. 21"),
          Expect("advisory", "stricter_eu_product_type", "EU:colorant:Annex IV/21"))),
    # TFDA colorant No. 76 (category 2, not around the eyes) decides; EU IV/78 agrees.
    Case("colorant not permitted near the eyes, TFDA and the EU agree", "eye_area",
         (("CI 45405", None, 0.2, None),),
         (Expect("high", "product_type", "TFDA:colorant:No. 76"),
          Expect("advisory", "stricter_eu_product_type", "EU:colorant:Annex IV/78"))),
    Case("iron oxide near the eyes is fine", "eye_area", (("CI 77491", None, 5.0, "colorant"),),
         (), absent=("critical", "high", "advisory")),
    Case("colorant not on any positive list", "lip", (("CI 99999", None, 0.5, None),),
         (Expect("high", "not_on_positive_list", None),)),
    Case("rinse-off-only colorant in a lipstick", "lip", (("CI 12120", None, 0.1, "colorant"),),
         (Expect("high", "product_type", "TFDA:colorant:No. 10"),
          Expect("advisory", "stricter_eu_product_type", "EU:colorant:Annex IV/10"))),
    Case("fragrance allergen above the disclosure threshold is a label requirement",
         "leave_on_face", (("Linalool", None, 0.05, "fragrance"),),
         (Expect("info", "label_disclosure", "EU:restricted:Annex III/84", 0.001),),
         absent=("critical", "high", "advisory")),
    Case("allergen under the rinse-off threshold", "rinse_off_skin",
         (("Limonene", None, 0.005, "fragrance"),), (),
         absent=("critical", "high", "advisory", "info")),
    Case("allergen over the leave-on threshold", "leave_on_body",
         (("Limonene", None, 0.005, "fragrance"),),
         (Expect("info", "label_disclosure", "EU:restricted:Annex III/88", 0.001),)),
    # Lilial left Annex III for Annex II/1666 ((EU) 2021/1902); found by its trade name.
    Case("former allergen by synonym, now prohibited", "leave_on_face",
         (("Lilial", None, 0.02, "fragrance"),),
         (Expect("critical", "prohibited", "EU:prohibited:Annex II/1666"),)),
    Case("IPBC over its leave-on limit: TFDA decides", "leave_on_face",
         (("Iodopropynyl Butylcarbamate", None, 0.02, "preservative"),),
         (Expect("high", "over_limit", "TFDA:preservative:No. 27", 0.01),
          Expect("advisory", "stricter_eu_over_limit", "EU:preservative:Annex V/56", 0.01))),
    Case("TFDA met, EU stricter: advisory", "leave_on_hair",
         (("Selenium Sulfide", None, 0.3, "anti-dandruff"),),
         (Expect("advisory", "stricter_eu_product_type", "EU:restricted:Annex III/49"),),
         absent=("critical", "high")),
    Case("TFDA limit decides where the EU allows more", "rinse_off_hair",
         (("Selenium Sulfide", None, 0.8, "anti-dandruff"),),
         (Expect("high", "over_limit", "TFDA:restricted:No. 185", 0.5),),
         absent=("advisory",)),
    Case("paraben group: butyl + propyl over 0.14 %", "leave_on_face",
         (("Methylparaben", None, 0.3, "preservative"), ("Ethylparaben", None, 0.3, "preservative"),
          ("Propylparaben", None, 0.1, "preservative"),
          ("Butylparaben", None, 0.1, "preservative")),
         (Expect("high", "group_limit", "EU:preservative:Annex V/12 a", 0.14),)),
    Case("paraben group: mixture of esters over 0.8 %", "rinse_off_skin",
         (("Methylparaben", None, 0.4, "preservative"), ("Ethylparaben", None, 0.4, "preservative"),
          ("Propylparaben", None, 0.05, "preservative")),
         (Expect("high", "group_limit", "EU:preservative:Annex V/12", 0.8),)),
    Case("single paraben over 0.4 %", "leave_on_body",
         (("Methylparaben", None, 0.5, "preservative"),),
         (Expect("high", "over_limit", "TFDA:preservative:No. 33", 0.4),)),
    Case("unknown preservative", "leave_on_face", (("Foo Bar Extract", None, 0.5, "preservative"),),
         (Expect("high", "not_on_positive_list", None), Expect("info", "unresolved", None))),
    Case("children under 3: salicylic acid as preservative", "leave_on_body",
         (("Salicylic Acid", None, 0.3, "preservative"),),
         (Expect("high", "children_under_3", "TFDA:preservative:No. 41"),), children=True),
    Case("children under 3: salicylic acid in a shampoo is allowed", "rinse_off_hair",
         (("Salicylic Acid", None, 0.3, "preservative"),), (), children=True,
         absent=("critical", "high")),
    Case("salicylic acid as exfoliant over the TFDA maximum", "leave_on_face",
         (("Salicylic Acid", "69-72-7", 2.5, "exfoliant"),),
         (Expect("high", "over_limit", "TFDA:restricted:No. 178", 2.0),
          Expect("advisory", "stricter_eu_over_limit", "EU:restricted:Annex III/98", 2.0))),
    Case("boric acid: TFDA prohibits, the EU restricts", "leave_on_body",
         (("Boric Acid", None, 0.5, None),),
         (Expect("critical", "prohibited", "TFDA:prohibited:No. 6"),)),
    Case("hydrogen peroxide in a face cream", "leave_on_face",
         (("Hydrogen Peroxide", None, 3.0, None),),
         (Expect("critical", "prohibited", "TFDA:prohibited:No. 36"),)),
    Case("hydrogen peroxide in a hair dye", "rinse_off_hair",
         (("Hydrogen Peroxide", None, 6.0, "oxidising agent"),), (),
         absent=("critical", "high")),
    Case("zinc pyrithione as preservative in a leave-on hair product", "leave_on_hair",
         (("Zinc Pyrithione", None, 0.5, "preservative"),),
         (Expect("high", "product_type", "TFDA:preservative:No. 48"),)),
    Case("zinc pyrithione as anti-dandruff agent over its leave-on limit", "leave_on_hair",
         (("Zinc Pyrithione", None, 0.5, "anti-dandruff"),),
         # The EU prohibits it since (EU) 2021/1902 (Annex II/1670); TFDA permits it.
         (Expect("high", "over_limit", "TFDA:restricted:No. 29", 0.1),
          Expect("advisory", "prohibited_eu", "EU:prohibited:Annex II/1670"))),
    Case("no concentration given", "leave_on_face",
         (("Phenoxyethanol", None, None, "preservative"),),
         (Expect("info", "concentration_missing", PHENOXY, 1.0),)),
    Case("EU-only prohibition (DMSO)", "leave_on_face",
         (("Dimethyl Sulfoxide", None, 1.0, "solvent"),),
         (Expect("critical", "prohibited", "EU:prohibited:Annex II/338"),)),
    Case("TFDA-only prohibition by CAS (tretinoin)", "leave_on_face",
         ((None, "302-79-4", 0.05, None),),
         (Expect("critical", "prohibited",
                 "TFDA:prohibited:No. 18"),)),
    # TFDA's data has no entry for benzyl alcohol's non-preservative uses, so its
    # preservative limit governs a declared solvent use (the EU's Annex III/45 does not).
    Case("benzyl alcohol as solvent: EU disclosure, TFDA preservative limit", "leave_on_face",
         (("Benzyl Alcohol", None, 1.5, "solvent"),),
         (Expect("info", "label_disclosure", "EU:restricted:Annex III/45", 0.001),
          Expect("high", "over_limit", "TFDA:preservative:No. 6", 1.0))),
    Case("benzyl alcohol as preservative over 1 %", "leave_on_face",
         (("Benzyl Alcohol", None, 1.5, "preservative"),),
         (Expect("high", "over_limit", "TFDA:preservative:No. 6", 1.0),)),
    Case("unverified entry is still applied and says so", "leave_on_face",
         (("3-Benzylidene Camphor", None, 2.0, "UV filter"),),
         (Expect("critical", "prohibited", "EU:prohibited:Annex II/1379"),)),
)  # fmt: skip


def _key(f: object) -> tuple[str, str, str | None]:
    return (f.severity, f.rule, f.entry_key)  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_formula_case(snap: RegulatorySnapshot, case: Case) -> None:
    result = snap.check(list(case.items), case.product_type, children_under_3=case.children)
    got = {_key(f): f for f in result.findings}
    for exp in case.expected:
        finding = got.get((exp.severity, exp.rule, exp.entry_key))
        assert finding is not None, f"missing {exp}; got {[_key(f) for f in result.findings]}"
        if exp.limit_pct is not None:
            assert finding.limit_pct == pytest.approx(exp.limit_pct)
        if exp.entry_key is not None:
            entry = next(e for e in snap.entries if e.key == exp.entry_key)
            # Every finding cites its entry: reference, document, date and where it was read.
            assert entry.entry_ref in finding.citation
            assert finding.source is not None and finding.source["document"]
            assert finding.source["source"].get("repository") and finding.source["source"].get(
                "commit"
            )
            assert finding.verified is entry.verified
            if not entry.verified:
                assert "unverified" in finding.citation
        else:
            assert finding.citation
    for severity in case.absent:
        unexpected = [
            _key(f)
            for f in result.findings
            if f.severity == severity
            and (f.severity, f.rule, f.entry_key)
            not in {(e.severity, e.rule, e.entry_key) for e in case.expected}
        ]
        assert not unexpected, f"unexpected {severity} findings: {unexpected}"


def test_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


def test_severities_only_escalate_as_documented(snap: RegulatorySnapshot) -> None:
    result = snap.check([("Linalool", None, 5.0, "fragrance")], "leave_on_face")
    # A disclosure threshold is never a limit, however far above it the allergen is.
    assert {f.severity for f in result.findings} == {"info"}


def test_unknown_product_type_is_refused(snap: RegulatorySnapshot) -> None:
    with pytest.raises(UnknownProductType):
        snap.check([("Water", None, 100.0, None)], "leave_on_everything")


def test_tuple_and_item_inputs_agree(snap: RegulatorySnapshot) -> None:
    a = snap.check([("Phenoxyethanol", None, 1.2, "preservative")], "leave_on_face")
    b = snap.check([FormulaItem("Phenoxyethanol", None, 1.2, "preservative")], "leave_on_face")
    assert [_key(f) for f in a.findings] == [_key(f) for f in b.findings]


# --- properties ----------------------------------------------------------------------

BENIGN: tuple[str, ...] = (
    "Water", "Glycerin", "Butylene Glycol", "Niacinamide", "Dimethicone", "Cetearyl Alcohol",
    "Phenoxyethanol", "Methylparaben", "Propylparaben", "Linalool", "Limonene",
    "Benzophenone-3", "Homosalate", "Salicylic Acid", "CI 15510", "CI 77491", "Zinc Pyrithione",
    "Selenium Sulfide", "Benzyl Alcohol", "Titanium Dioxide",
)  # fmt: skip
FUNCTIONS = (None, "preservative", "UV filter", "colorant", "solvent", "fragrance")


def _prohibited_names(snap: RegulatorySnapshot) -> list[tuple[str, str]]:
    """(name, product type) pairs of prohibited entries that are not exempt there (an
    entry prohibited "with the exception of" another annex's entry is tested apart)."""
    out = []
    for entry in snap.entries_of("prohibited"):
        if entry.except_listed:
            continue
        for pt in PRODUCT_TYPES:
            if pt not in entry.exempt:
                out.append((entry.names[0], pt))
                break
    return out


def _critical_for(result: CheckResult, name: str) -> bool:
    """Critical, or (the authority order) an EU prohibition of what a TFDA entry permits."""
    return any(
        f.ingredient == name
        and (f.severity == "critical" or (f.rule == "prohibited_eu" and f.severity == "advisory"))
        for f in result.findings
    )


def test_prohibited_entries_are_critical_alone(snap: RegulatorySnapshot) -> None:
    pairs = _prohibited_names(snap)
    assert len(pairs) >= 80
    missed = [
        (name, pt) for name, pt in pairs
        if not _critical_for(snap.check([(name, None, 1.0, None)], pt), name)
    ]  # fmt: skip
    assert not missed, f"prohibited entries not reported as critical: {missed}"


formula_rows = st.lists(
    st.tuples(
        st.sampled_from(BENIGN),
        st.floats(min_value=0.0, max_value=30.0, allow_nan=False),
        st.sampled_from(FUNCTIONS),
    ),
    max_size=12,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=formula_rows,
    pick=st.integers(min_value=0, max_value=10_000),
    conc=st.one_of(
        st.none(),
        st.floats(min_value=0.0, max_value=100.0, allow_nan=False),
        st.floats(min_value=0.0, max_value=1e-6, allow_nan=False),
    ),
    position=st.integers(min_value=0, max_value=12),
)
def test_property_prohibited_is_critical_at_any_concentration(
    snap: RegulatorySnapshot,
    rows: list[tuple[str, float, str | None]],
    pick: int,
    conc: float | None,
    position: int,
) -> None:
    pairs = _prohibited_names(snap)
    name, pt = pairs[pick % len(pairs)]
    items: list[Item] = [(n, None, c, f) for n, c, f in rows]
    items.insert(min(position, len(items)), (name, None, conc, None))
    result = snap.check(items, pt)
    assert _critical_for(result, name)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(BENIGN),
            st.floats(min_value=0.0, max_value=30.0, allow_nan=False),
            st.sampled_from(FUNCTIONS),
        ),
        min_size=1,
        max_size=10,
        unique_by=lambda r: r[0],
    ),
    which=st.integers(min_value=0, max_value=100),
    factor=st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
    product_type=st.sampled_from(PRODUCT_TYPES),
    children=st.booleans(),
)
def test_property_lowering_a_concentration_never_adds_a_finding(
    snap: RegulatorySnapshot,
    rows: list[tuple[str, float, str | None]],
    which: int,
    factor: float,
    product_type: str,
    children: bool,
) -> None:
    before_items: list[Item] = [(n, None, c, f) for n, c, f in rows]
    index = which % len(rows)
    after_items = list(before_items)
    name, cas, conc, function = after_items[index]
    assert conc is not None
    after_items[index] = (name, cas, conc * factor, function)
    before = snap.check(before_items, product_type, children_under_3=children)
    after = snap.check(after_items, product_type, children_under_3=children)
    before_ids = {f.identity() for f in before.findings}
    added = [f.identity() for f in after.findings if f.identity() not in before_ids]
    assert not added, f"lowering {name} from {conc} to {conc * factor} added {added}"


def test_a_component_of_a_combination_entry_is_not_the_combination(
    snap: RegulatorySnapshot,
) -> None:
    """Annex V/59 ("CITRIC ACID (AND) SILVER CITRATE", at most 0.0024 % as silver) lists
    citric acid's CAS 77-92-9 among its numbers: citric acid as a pH adjuster is not it."""
    alone = snap.check(
        [FormulaItem("Citric Acid", "77-92-9", 0.05, "pH adjuster")], "leave_on_face"
    )
    assert [f for f in alone.findings if "Annex V/59" in (f.to_dict().get("entry") or "")] == []
    assert all(f.severity not in ("critical", "high") for f in alone.findings)
    combined = snap.check(
        [FormulaItem("Citric acid (and) Silver citrate", None, 0.3, "preservative")],
        "leave_on_face",
    )
    assert any(f.severity == "high" for f in combined.findings), combined.findings
