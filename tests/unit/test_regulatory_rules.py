"""The rules one at a time, on entries built here (the formula cases on the shipped data
are in test_regulatory_check)."""

from __future__ import annotations

from dataclasses import replace

from pifai.ai.regulatory import RegEntry, RegulatorySnapshot, Resolution, rules
from pifai.ai.regulatory.uses import IngredientUse, governing_entries
from tests.factories.regulatory import reg_entry


def use(
    *entries: RegEntry,
    conc: float | None = 1.0,
    category: str | None = None,
    product_type: str = "leave_on_face",
    children: bool = False,
    label: str = "Testium",
) -> IngredientUse:
    resolution = Resolution(label, "TESTIUM", None, "exact", 1.0, tuple(entries))
    return IngredientUse(
        label=label,
        conc=conc,
        category=category,
        product_type=product_type,
        children=children,
        resolution=resolution,
        governing=tuple(governing_entries(entries, category)),
    )


def test_a_preservative_entry_governs_a_declared_other_use_unless_another_entry_does() -> None:
    preservative = reg_entry(list_type="preservative")
    assert governing_entries([preservative], "other") == [preservative]
    other_use = reg_entry(entry_ref="No. 2", function="non_preservative")
    assert governing_entries([preservative, other_use], "other") == [other_use]
    assert governing_entries([preservative, other_use], "preservative") == [preservative]


def test_an_eu_prohibition_of_what_tfda_permits_is_advisory() -> None:
    eu_ban = reg_entry(authority="EU", list_type="prohibited", entry_ref="Annex II/1")
    alone = rules.prohibited(use(eu_ban, conc=0.0))
    assert [(f.severity, f.rule) for f in alone] == [("critical", "prohibited")]
    assert "the EU prohibition binds" in alone[0].message
    tfda = reg_entry(limits=[{"max_pct": 1.0, "applies_to": []}])
    permitted = rules.prohibited(use(eu_ban, tfda, conc=0.5))
    assert [(f.severity, f.rule, f.actual_pct) for f in permitted] == [
        ("advisory", "prohibited_eu", 0.5)
    ]


def test_an_exempt_product_type_is_not_prohibited() -> None:
    ban = reg_entry(list_type="prohibited", exempt=["rinse_off"])
    assert rules.prohibited(use(ban, product_type="rinse_off_skin")) == []
    assert len(rules.prohibited(use(ban, product_type="leave_on_body"))) == 1


def test_tfda_decides_and_a_stricter_eu_rule_is_advisory() -> None:
    tfda = reg_entry(limits=[{"max_pct": 2.0, "applies_to": []}])
    eu = reg_entry(authority="EU", entry_ref="Annex III/1", limits=[{"max_pct": 1.0}])
    found = rules.list_rules(use(tfda, eu, conc=1.5))
    assert [(f.severity, f.rule, f.limit_pct) for f in found] == [
        ("advisory", "stricter_eu_over_limit", 1.0)
    ]
    assert "the TFDA rule is met" in found[0].message
    # Without a TFDA rule of the same list, the EU rule binds.
    binding = rules.list_rules(use(eu, conc=1.5))
    assert [(f.severity, f.rule) for f in binding] == [("high", "over_limit")]
    assert "the EU rule binds" in binding[0].message


def test_a_limit_means_nothing_where_the_entry_is_not_permitted() -> None:
    entry = reg_entry(scope=["rinse_off"], limits=[{"max_pct": 0.1, "applies_to": []}])
    found = rules.list_rules(use(entry, conc=5.0, product_type="leave_on_face"))
    assert [f.rule for f in found] == ["product_type"]


def test_children_under_3() -> None:
    entry = reg_entry(children_under_3={"prohibited": True, "except": ["rinse_off_hair"]})
    assert [f.rule for f in rules.list_rules(use(entry, children=True))] == ["children_under_3"]
    shampoo = use(entry, children=True, product_type="rinse_off_hair")
    assert rules.list_rules(shampoo) == []


def test_not_on_a_positive_list() -> None:
    snapshot = RegulatorySnapshot([reg_entry(list_type="preservative", entry_ref="No. 9")])
    found = rules.positive_list(snapshot, use(category="preservative"))
    assert [(f.severity, f.rule, f.authority) for f in found] == [
        ("high", "not_on_positive_list", "TFDA")
    ]
    listed = reg_entry(list_type="preservative")
    assert rules.positive_list(snapshot, use(listed, category="preservative")) == []


def test_only_the_first_disclosure_above_its_threshold_is_reported() -> None:
    threshold = {"leave_on_pct": 0.001, "rinse_off_pct": 0.01}
    first = reg_entry(authority="EU", entry_ref="Annex III/1", disclosure=threshold)
    second = reg_entry(authority="EU", entry_ref="Annex III/2", disclosure=threshold)
    found = rules.label_disclosure(use(first, second, conc=0.005))
    assert [(f.entry_key, f.limit_pct) for f in found] == [(first.key, 0.001)]
    assert rules.label_disclosure(use(first, conc=0.005, product_type="rinse_off_skin")) == []
    unknown = rules.label_disclosure(use(first, conc=None))
    assert "concentration unknown" in unknown[0].message


def test_warnings_and_missing_concentrations_are_info() -> None:
    entry = reg_entry(warnings="Keep away from eyes", limits=[{"max_pct": 0.5}])
    assert [f.rule for f in rules.label_warnings(use(entry))] == ["label_warning"]
    assert rules.concentration_missing(use(entry)) == []
    missing = rules.concentration_missing(use(entry, conc=None))
    assert [(f.severity, f.limit_pct) for f in missing] == [("info", 0.5)]


def test_group_limits_sum_the_members() -> None:
    group = {"key": "parabens", "max_pct": 0.8}
    a = reg_entry(list_type="preservative", entry_ref="No. 1", groups=[group])
    b = reg_entry(list_type="preservative", entry_ref="No. 2", groups=[group])
    members: rules.GroupMembers = {}
    rules.collect_group_members(replace(use(a, conc=0.5, label="A"), row=3), members)
    assert rules.group_limits(members) == []  # one member is not a group
    rules.collect_group_members(replace(use(b, conc=0.4, label="B"), row=7), members)
    found = rules.group_limits(members)
    assert [(f.ingredient, f.rule, f.actual_pct) for f in found] == [("A + B", "group_limit", 0.9)]
    assert found[0].rows == (3, 7)  # the finding points at both rows


def test_an_unidentified_ingredient_is_reported() -> None:
    unknown = IngredientUse(
        "Foo", None, None, "lip", False, Resolution("Foo", None, None, "unknown", 0.3, ()), ()
    )
    assert [f.rule for f in rules.unidentified(unknown)] == ["unresolved"]
    assert rules.unidentified(use(reg_entry())) == []
