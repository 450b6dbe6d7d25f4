"""Who provides what: per organisation type and PIF item, who normally supplies the item,
whether it usually comes from outside the organisation, and its lifecycle stage.

The table is data (``pifai/data/pif_item_providers.json``, with its sources and why the
per-item assignment is marked unverified); this module reads and checks it once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pifai.models.organization import ORG_TYPES
from pifai.services.pif.items import ITEMS

DATA_FILE = "pif_item_providers.json"
# The order the overview lists the stages in.
STAGES = ("before_launch", "development", "manufacturing", "after_launch", "signing")


@dataclass(frozen=True, slots=True)
class Label:
    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class ItemProvider:
    item_number: int
    stage: Label
    provider: Label
    outsourced: bool
    also: tuple[Label, ...]  # who else contributes (the manufacturer's specifications ...)


@dataclass(frozen=True)
class ProviderTable:
    stages: dict[str, Label]
    providers: dict[str, Label]
    # by organisation type, then item number
    rows: dict[str, dict[int, ItemProvider]]
    source: dict[str, Any]

    def for_org_type(self, org_type: str) -> dict[int, ItemProvider]:
        # An organisation of a type the table does not know reads as a brand's.
        return self.rows.get(org_type) or self.rows["brand"]

    def stage_groups(self, org_type: str) -> list[tuple[Label, list[int]]]:
        rows = self.for_org_type(org_type)
        return [
            (self.stages[code], [n for n, row in sorted(rows.items()) if row.stage.code == code])
            for code in STAGES
        ]


def _labels(raw: dict[str, dict[str, str]]) -> dict[str, Label]:
    return {code: Label(code, v["zh"], v["en"]) for code, v in raw.items()}


def parse_table(raw: dict[str, Any]) -> ProviderTable:
    """The table, checked: every organisation type and item, known stages and providers."""
    stages, providers = _labels(raw["stages"]), _labels(raw["providers"])
    if tuple(stages) != STAGES:
        raise ValueError(f"stages must be {STAGES}, not {tuple(stages)}")
    if {int(n) for n in raw["items"]} != set(ITEMS):
        raise ValueError("the table must have each of the 16 items once")
    rows: dict[str, dict[int, ItemProvider]] = {t: {} for t in ORG_TYPES}
    for number, item in raw["items"].items():
        stage = stages[item["stage"]]
        if set(item["by_org_type"]) != set(ORG_TYPES):
            raise ValueError(f"item {number}: one row per organisation type {ORG_TYPES}")
        for org_type, row in item["by_org_type"].items():
            rows[org_type][int(number)] = ItemProvider(
                item_number=int(number),
                stage=stage,
                provider=providers[row["provider"]],
                outsourced=bool(row["outsourced"]),
                also=tuple(providers[p] for p in row.get("also", [])),
            )
    return ProviderTable(stages, providers, rows, raw["_source"])


@cache
def provider_table() -> ProviderTable:
    text = resources.files("pifai.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_table(json.loads(text))
