"""Who provides what: the shipped table covers every organisation type and item."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from pifai.models.organization import ORG_TYPES
from pifai.services.pif import ITEMS
from pifai.services.pif.providers import DATA_FILE, STAGES, parse_table, provider_table


def raw_table() -> dict[str, Any]:
    text = resources.files("pifai.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_every_org_type_has_a_provider_and_stage_for_each_of_the_16_items() -> None:
    table = provider_table()
    for org_type in ORG_TYPES:
        rows = table.for_org_type(org_type)
        assert sorted(rows) == sorted(ITEMS)
        for row in rows.values():
            assert row.provider.zh and row.provider.en
            assert row.stage.code in STAGES
        groups = table.stage_groups(org_type)
        assert [g.code for g, _ in groups] == list(STAGES)
        assert sorted(n for _, numbers in groups for n in numbers) == sorted(ITEMS)


def test_the_table_says_where_it_comes_from_and_that_it_is_not_a_rule() -> None:
    source = provider_table().source
    assert source["verified"] is False and source["why_not_verified"]
    assert all(b["document"] and b["quote"] for b in source["basis"])


def test_the_sa_signs_item_16_for_every_org_type_and_an_oem_makes_its_own_product() -> None:
    table = provider_table()
    assert {table.for_org_type(t)[16].provider.code for t in ORG_TYPES} == {"safety_assessor"}
    assert {table.for_org_type(t)[16].stage.code for t in ORG_TYPES} == {"signing"}
    oem = table.for_org_type("oem")
    assert all(oem[n].provider.code == "manufacturer" and not oem[n].outsourced for n in (3, 5, 6))
    brand = table.for_org_type("brand")
    assert all(brand[n].outsourced for n in (3, 5, 6))


@pytest.mark.parametrize(
    "breakage",
    [
        lambda t: t["items"].pop("16"),
        lambda t: t["items"]["3"]["by_org_type"].pop("importer"),
        lambda t: t["items"]["3"].update(stage="someday"),
        lambda t: t["items"]["3"]["by_org_type"]["brand"].update(provider="nobody"),
    ],
)
def test_a_broken_table_is_refused(breakage: Any) -> None:
    table = copy.deepcopy(raw_table())
    breakage(table)
    with pytest.raises((ValueError, KeyError)):
        parse_table(table)
