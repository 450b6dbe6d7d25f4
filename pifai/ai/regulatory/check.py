"""A formula checked against a snapshot: each row through the rules, then the groups."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from pifai.ai.regulatory import rules
from pifai.ai.regulatory.results import (
    SEVERITY_ORDER,
    CheckResult,
    Finding,
    FormulaItem,
    Resolution,
    UnknownProductType,
    function_category,
)
from pifai.ai.regulatory.uses import IngredientUse, governing_entries
from pifai.domain import PRODUCT_TYPES

if TYPE_CHECKING:
    from pifai.ai.regulatory.snapshot import RegulatorySnapshot

ItemInput = FormulaItem | tuple[str | None, str | None, float | None, str | None]


def _as_item(item: ItemInput) -> FormulaItem:
    if isinstance(item, FormulaItem):
        return item
    name, cas, conc, function = item
    return FormulaItem(name=name, cas=cas, concentration_pct=conc, function=function)


def check_formula(
    snapshot: RegulatorySnapshot,
    items: Sequence[ItemInput],
    product_type: str,
    *,
    children_under_3: bool = False,
) -> CheckResult:
    """Check every row of a formula against the snapshot for one product type."""
    if product_type not in PRODUCT_TYPES:
        raise UnknownProductType(
            f"unknown product type {product_type!r}; expected one of {', '.join(PRODUCT_TYPES)}"
        )
    findings: list[Finding] = []
    resolved: list[Resolution] = []
    groups: rules.GroupMembers = {}
    for index, raw in enumerate(items):
        item = _as_item(raw)
        resolution = snapshot.resolve(item.name, item.cas)
        resolved.append(resolution)
        conc = item.concentration_pct
        if conc is not None and (math.isnan(conc) or conc < 0):
            conc = None
        category = function_category(item.function, item.name or resolution.inci_name)
        use = IngredientUse(
            label=item.name or item.cas or "(unnamed ingredient)",
            conc=conc,
            category=category,
            product_type=product_type,
            children=children_under_3,
            resolution=resolution,
            governing=tuple(governing_entries(resolution.entries, category)),
            row=index,
        )
        findings.extend(replace(f, rows=(index,)) for f in _check_ingredient(snapshot, use, groups))
    findings.extend(rules.group_limits(groups))
    findings = [_with_data_version(snapshot, f) for f in findings]
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.ingredient, f.rule))
    return CheckResult(product_type, children_under_3, findings, resolved)


def _with_data_version(snapshot: RegulatorySnapshot, finding: Finding) -> Finding:
    """A finding that cites no single entry was decided on whole lists: the positive
    lists of its kind, or (an unidentified ingredient) every list loaded."""
    if finding.data_version is not None:
        return finding
    return replace(finding, data_version=snapshot.lists_version(finding.list_type))


def _check_ingredient(
    snapshot: RegulatorySnapshot, use: IngredientUse, groups: rules.GroupMembers
) -> list[Finding]:
    """Every rule on one row. A binding prohibition makes the positive-list and CMR
    questions moot: the substance may not be used at all."""
    out = rules.prohibited(use)
    banned = any(f.rule == "prohibited" for f in out)
    out += rules.list_rules(use)
    if not banned:
        out += rules.positive_list(snapshot, use)
    rules.collect_group_members(use, groups)
    out += rules.label_disclosure(use)
    out += rules.label_warnings(use)
    out += rules.concentration_missing(use)
    if not banned:
        out += rules.cmr(snapshot, use)
    out += rules.unidentified(use)
    return out
