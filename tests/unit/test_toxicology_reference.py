"""The toxicology reference data: every value cited and flagged, sane units, lookups that work.

Expected values are read from the shipped files, never typed in here (no invented numbers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pifai.ai.toxicology import reference as ref
from pifai.domain import PRODUCT_TYPES

DATA = Path(ref.__file__).resolve().parents[2] / "data" / "toxicology"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def _all_sources() -> list[ref.Source]:
    c = ref.computation_constants()
    return [
        *(e.source for e in ref.exposure_categories()),
        *(t.source for t in ref.ttc_thresholds()),
        *(n.source for n in ref.noael_records()),
        *(d.source for d in ref.dermal_absorption_records()),
        *(k.source for k in ref.all_conclusions()),
        c.body_weight_kg.source,
        c.dermal_absorption_default_percent.source,
        c.mos_threshold.source,
    ]


def test_every_value_has_a_source_and_a_verification_note() -> None:
    for source in _all_sources():
        assert source.document.strip()
        assert source.url or source.number, source
    flagged: list[tuple[bool, str]] = [
        *((e.verified, e.verification_note) for e in ref.exposure_categories()),
        *((t.verified, t.verification_note) for t in ref.ttc_thresholds()),
        *((n.verified, n.verification_note) for n in ref.noael_records()),
        *((d.verified, d.verification_note) for d in ref.dermal_absorption_records()),
        *((k.verified, k.verification_note) for k in ref.all_conclusions()),
    ]
    assert flagged
    for verified, note in flagged:
        assert isinstance(verified, bool)
        assert note.strip()


def test_every_raw_record_carries_an_explicit_verified_flag() -> None:
    files = {
        "exposure.json": ["categories"],
        "ttc.json": ["thresholds"],
        "noael.json": ["noael", "dermal_absorption"],
        "conclusions.json": ["conclusions"],
    }
    for name, keys in files.items():
        for key in keys:
            for rec in _load(name)[key]:
                assert isinstance(rec.get("verified"), bool), (name, rec)
    for const in _load("exposure.json")["constants"].values():
        assert isinstance(const.get("verified"), bool)


def test_exposure_rows_have_sane_units_and_ranges() -> None:
    cats = ref.exposure_categories()
    assert len({c.key for c in cats}) == len(cats)
    for c in cats:
        assert 0 < c.retention_factor <= 1, c.key
        assert c.daily_amount_g > 0
        assert c.relative_daily_exposure_mg_kg_bw_day > 0
        assert c.use in {"leave-on", "rinse-off", "oral"}
        assert c.source.number == "SCCS/1647/22"
        assert c.source.table and c.source.row
        if c.use == "leave-on":
            assert c.retention_factor == 1 or c.key == "hair_styling"
        if c.use == "rinse-off":
            assert c.retention_factor < 1


def test_exposure_is_relative_amount_times_retention_to_table_rounding() -> None:
    checked = 0
    for c in ref.exposure_categories():
        if c.relative_amount_mg_kg_bw_day is None:
            continue
        product = c.relative_amount_mg_kg_bw_day * c.retention_factor
        assert product == pytest.approx(c.relative_daily_exposure_mg_kg_bw_day, abs=0.01), c.key
        checked += 1
    assert checked >= 10


def test_exposure_lookup_by_key() -> None:
    body = ref.exposure("body_lotion")
    assert body is not None
    raw = next(r for r in _load("exposure.json")["categories"] if r["key"] == "body_lotion")
    assert body.relative_daily_exposure_mg_kg_bw_day == raw["relative_daily_exposure_mg_kg_bw_day"]
    assert ref.exposure("no_such_category") is None


def test_computation_constants_carry_their_source() -> None:
    c = ref.computation_constants()
    raw = _load("exposure.json")["constants"]
    assert c.body_weight_kg.value == raw["body_weight_kg"]["value"]
    assert c.body_weight_kg.unit == "kg"
    assert c.dermal_absorption_default_percent.unit == "%"
    assert 0 < c.dermal_absorption_default_percent.value <= 100
    assert c.mos_threshold.value == raw["mos_threshold"]["value"]
    # Constants we could not find the source sentence for must say so.
    for const in (c.body_weight_kg, c.dermal_absorption_default_percent, c.mos_threshold):
        assert const.verified or const.verification_note


@pytest.mark.parametrize("product_type", PRODUCT_TYPES)
def test_product_type_fallback_picks_the_highest_applicable_exposure(product_type: str) -> None:
    fb = ref.fallback_exposure(product_type)
    candidates = [ref.exposure(k) for k in fb.candidates]
    assert all(c is not None for c in candidates)
    highest = max(c.relative_daily_exposure_mg_kg_bw_day for c in candidates if c is not None)
    assert fb.category.relative_daily_exposure_mg_kg_bw_day == highest
    assert fb.reason


def test_fallback_for_body_and_rinse_off_hair_uses_the_worst_case_row() -> None:
    # Among body lotion, hand cream and the deodorants, body lotion has the largest exposure
    # in the shipped table; a rinse-off hair product falls back to shampoo, not conditioner.
    rows = {c.key: c.relative_daily_exposure_mg_kg_bw_day for c in ref.exposure_categories()}
    body = ref.fallback_exposure("leave_on_body").category
    body_rows = ("body_lotion", "hand_cream", "deodorant_non_spray", "deodorant_spray")
    assert body.key == max(body_rows, key=rows.__getitem__)
    hair = ref.fallback_exposure("rinse_off_hair").category
    assert hair.key == max(("shampoo", "hair_conditioner"), key=rows.__getitem__)


def test_every_product_type_has_a_mapping_and_unknown_types_are_refused() -> None:
    assert set(ref.PRODUCT_TYPE_CATEGORIES) == set(PRODUCT_TYPES)
    assert ref.fallback_exposure("eye_area").stand_in
    with pytest.raises(ValueError):
        ref.fallback_exposure("spaceship_polish")


def test_noael_lookup_by_inci_and_by_cas() -> None:
    raw = next(r for r in _load("noael.json")["noael"] if r["cas"] and r["pod_for_mos"])
    by_cas = ref.noael_for(None, raw["cas"])
    by_inci = ref.noael_for(raw["inci"].lower() + "  ")
    assert by_cas and by_inci
    assert by_cas[0].value == raw["value"] == by_inci[0].value
    assert by_cas[0].quote == raw["quote"]
    assert ref.noael_for("NOT AN INGREDIENT", "0000-00-0") == ()


def test_noael_records_put_the_verified_point_of_departure_first() -> None:
    for rec in ref.noael_records():
        # Another unit (IU/day, mg Al/kg bw/week, a single dose) is listed in item 10,
        # never a point of departure for the MoS.
        assert rec.unit == "mg/kg bw/day" or not rec.pod_for_mos, rec.inci
        assert rec.value > 0
        found = ref.noael_for(rec.inci, rec.cas)
        usable = [n for n in found if n.verified and n.pod_for_mos]
        if usable:
            assert found[0] in usable
        if rec.verified:
            assert rec.quote, rec.inci


def test_ttc_thresholds_per_cramer_class() -> None:
    thresholds = ref.ttc_thresholds()
    sccs = {t.cramer_class: t for t in thresholds if t.framework == "SCCS"}
    assert {"I", "III", "genotoxic_alert"} <= set(sccs)
    assert sccs["genotoxic_alert"].value < sccs["III"].value < sccs["I"].value
    for t in thresholds:
        assert t.unit == "µg/kg bw/day"
        assert t.value > 0
        assert t.source.number


def test_conclusions_imported_with_citation() -> None:
    raw = _load("conclusions.json")["conclusions"]
    assert len(raw) == len(ref.all_conclusions())
    first = raw[0]
    found = ref.conclusions_for(first["inci"])
    assert found and found[0].source.number.startswith("SCCS/")  # type: ignore[union-attr]
    assert any(c.source.number == first["source"]["number"] for c in found)
    for c in ref.all_conclusions():
        assert c.source.url and c.source.number
        assert c.kind in {"safe", "not_safe", "safe_qra", "advice"}
        if c.limit_percent is not None:
            assert 0 < c.limit_percent <= 100


def test_an_adi_or_upper_intake_level_is_never_a_point_of_departure_for_the_mos() -> None:
    intakes = [n for n in ref.noael_records() if n.kind in ("adi", "ul")]
    assert intakes
    assert not any(n.pod_for_mos for n in intakes)


def test_conclusions_from_both_authorities_are_found_by_inci() -> None:
    authorities = {c.authority for c in ref.all_conclusions()}
    assert {"SCCS", "CIR"} <= authorities
    for c in ref.all_conclusions():
        assert ref.conclusions_for(c.inci)
