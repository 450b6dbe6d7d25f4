"""The label's ingredient list generated from the formula: descending above 1 %, any
order at or below, colorants by CI number, Chinese names for a Chinese label, fragrance
allergens named only above their disclosure thresholds (read from the shipped EU Annex
III entries: 0.001 % leave-on, 0.01 % rinse-off); and the label's list compared."""

from __future__ import annotations

import json
from pathlib import Path

from pifai.ai.claims import Allergen, GenRow, compare, generate
from pifai.ai.ingredient_validator.names import name_key

ANNEX_III = (
    Path(__file__).resolve().parents[2] / "pifai/data/regulatory/eu_annex_iii_restricted.json"
)


def _allergen(inci: str) -> Allergen:
    entry = next(
        e for e in json.loads(ANNEX_III.read_text(encoding="utf-8"))
        if inci in [n.upper() for n in e["names"]] and e["rule"].get("disclosure")
    )  # fmt: skip
    d = entry["rule"]["disclosure"]
    return Allergen(d["leave_on_pct"], d["rinse_off_pct"], entry["entry_ref"],
                    entry["source"]["document"])  # fmt: skip


def _row(inci: str, pct: float, **kw: object) -> GenRow:
    return GenRow(inci=inci, concentration_pct=pct, aliases=frozenset({name_key(inci)}), **kw)  # type: ignore[arg-type]


def _formula() -> list[GenRow]:
    return [
        _row("GLYCERIN", 5.0, zh_name="甘油"),
        _row("WATER", 80.0, zh_name="水"),
        _row("PARFUM", 0.5, zh_name="香料"),
        _row("NIACINAMIDE", 2.0, zh_name="菸鹼醯胺"),
        _row("PHENOXYETHANOL", 0.8, zh_name="苯氧乙醇"),
        _row("CI 77891", 0.1, ci_number="CI 77891"),
        # Both allergens come in with the fragrance: 0.005 % is above the leave-on 0.001 %
        # but not above the rinse-off 0.01 %; 0.0008 % is below both.
        _row("LINALOOL", 0.005, allergen=_allergen("LINALOOL")),
        _row("LIMONENE", 0.0008, allergen=_allergen("LIMONENE")),
    ]


def test_the_thresholds_come_from_the_shipped_annex_iii_entries() -> None:
    linalool = _allergen("LINALOOL")
    assert (linalool.leave_on_pct, linalool.rinse_off_pct) == (0.001, 0.01)
    assert linalool.entry_ref == "Annex III/84"


def test_leave_on_names_the_allergen_above_0_001_percent_only() -> None:
    generated = generate(_formula(), "leave_on_face", chinese=False)
    assert generated.names() == [
        "WATER", "GLYCERIN", "NIACINAMIDE", "PARFUM", "PHENOXYETHANOL", "LINALOOL", "CI 77891",
    ]  # fmt: skip
    assert [e.row.inci for e in generated.omitted] == ["LIMONENE"]
    linalool = next(e for e in generated.entries if e.row.inci == "LINALOOL")
    assert "0.001 %" in linalool.reason and "Annex III/84" in linalool.reason


def test_rinse_off_names_neither_allergen_below_0_01_percent() -> None:
    generated = generate(_formula(), "rinse_off_skin", chinese=False)
    assert "LINALOOL" not in generated.names() and "LIMONENE" not in generated.names()
    assert sorted(e.row.inci for e in generated.omitted) == ["LIMONENE", "LINALOOL"]
    assert "0.01 %" in generated.omitted[0].reason


def test_an_allergen_above_the_rinse_off_threshold_is_named_there_too() -> None:
    rows = [*_formula()[:-2], _row("LINALOOL", 0.05, allergen=_allergen("LINALOOL"))]
    assert "LINALOOL" in generate(rows, "rinse_off_hair", chinese=False).names()


def test_a_chinese_label_uses_the_dictionarys_chinese_names() -> None:
    names = generate(_formula(), "leave_on_face", chinese=True).names()
    assert names[:3] == ["水", "甘油", "菸鹼醯胺"] and names[-1] == "CI 77891"


def test_the_labels_list_compared_missing_extra_and_out_of_order() -> None:
    generated = generate(_formula(), "leave_on_face", chinese=False)
    label = ["Glycerin", "Water", "Niacinamide", "Parfum", "CI 77891", "Limonene", "Alcohol"]
    comparison = compare(generated, label).to_dict()
    assert comparison["missing"] == ["PHENOXYETHANOL", "LINALOOL"]
    assert comparison["extra"] == ["Alcohol"]
    assert comparison["listed_though_not_required"] == ["Limonene"]
    assert comparison["out_of_order"] == [{
        "name": "Water", "concentration_pct": 80.0, "listed_after": "Glycerin",
        "listed_after_concentration_pct": 5.0,
    }]  # fmt: skip
    assert comparison["consistent"] is False


def test_below_one_percent_any_order_is_accepted() -> None:
    generated = generate(_formula(), "leave_on_face", chinese=False)
    label = ["Water", "Glycerin", "Niacinamide", "Linalool", "Phenoxyethanol", "Parfum",
             "CI 77891"]  # fmt: skip
    assert compare(generated, label).to_dict()["consistent"] is True
