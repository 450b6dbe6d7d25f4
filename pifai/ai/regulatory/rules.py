"""The rules, one function each, applied to one formula row (an :class:`IngredientUse`).

Authority order for a Taiwan filing: a TFDA rule decides; where the store has no TFDA
rule for the substance (and use), the EU rule binds (silence never means "allowed");
where the TFDA rule is met and the EU rule is stricter, the EU rule is reported as
advisory. Every finding carries the citation of the entry it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pifai.ai.regulatory.entries import GroupLimit, RegEntry
from pifai.ai.regulatory.results import Finding, Severity, cited_finding, pct
from pifai.ai.regulatory.uses import IngredientUse
from pifai.domain import POSITIVE_LISTS, RINSE_OFF

if TYPE_CHECKING:
    from pifai.ai.regulatory.snapshot import RegulatorySnapshot

# Group key -> (ingredient label, concentration, entry, group, row index) of each member
# in a formula.
GroupMembers = dict[str, list[tuple[str, float | None, RegEntry, GroupLimit, int | None]]]

_TOLERANCE = 1e-12  # float noise: 1.0 % given as 1.0000000000001 is not over a 1 % limit


# --- prohibited ----------------------------------------------------------------------


def prohibited(use: IngredientUse) -> list[Finding]:
    """A violation at any concentration, unless the entry exempts this use. An EU
    prohibition of what a TFDA entry permits is advisory: TFDA decides for Taiwan."""
    label, out = use.label, []
    tfda_permits = use.rules_of("TFDA")
    for entry in use.governing:
        if entry.list_type != "prohibited" or use.product_type in entry.exempt:
            continue
        if entry.except_listed and _permitted_elsewhere(use, entry.authority):
            continue
        if entry.authority == "EU" and tfda_permits:
            message = (
                f"{label} is prohibited in the EU ({entry.entry_ref}); TFDA permits it under "
                f"{tfda_permits[0].entry_ref}, which decides for Taiwan"
            )
            out.append(
                cited_finding("advisory", label, "prohibited_eu", entry, message, actual=use.conc)
            )
            continue
        prefix = (
            ""
            if entry.authority == "TFDA"
            else "no TFDA entry in the store permits it, so the EU prohibition binds: "
        )
        message = (
            f"{prefix}{label} is a prohibited substance ({entry.authority} {entry.entry_ref}: "
            f"{entry.name}); not allowed at any concentration"
        )
        out.append(cited_finding("critical", label, "prohibited", entry, message, actual=use.conc))
    return out


def _permitted_elsewhere(use: IngredientUse, authority: str) -> bool:
    """Whether an entry of the same authority permits this use: the exception a
    prohibition "except those special cases included in Annex V" makes."""
    return any(
        not any(v.kind == "product_type" for v in _violations(entry, use))
        for entry in use.rules_of(authority)
    )


# --- restricted and positive-list entries --------------------------------------------


@dataclass(slots=True)
class _Violation:
    kind: str  # "product_type" | "children_under_3" | "over_limit"
    limit: float | None
    message: str


def _violations(entry: RegEntry, use: IngredientUse) -> list[_Violation]:
    """What of the entry's rule this use breaks: where it may be used, children, limit."""
    product_type, conc = use.product_type, use.conc
    out: list[_Violation] = []
    if entry.scope and product_type not in entry.scope:
        where = ", ".join(sorted(entry.scope))
        out.append(
            _Violation("product_type", None, f"only permitted in {where}, not in {product_type}")
        )
    elif product_type in entry.excluded:
        out.append(_Violation("product_type", None, f"not permitted in {product_type}"))
    if use.children and entry.children_prohibited and product_type not in entry.children_except:
        message = "not to be used in products for children under 3"
        out.append(_Violation("children_under_3", None, message))
    limit = entry.applicable_limit(product_type)
    if out and out[0].kind == "product_type":
        limit = None  # not permitted here at all: a limit for this product type means nothing
    if limit is not None and conc is not None and conc > limit.max_pct + _TOLERANCE:
        what = f" (as {limit.expressed_as})" if limit.expressed_as else ""
        message = (
            f"{pct(conc)} exceeds the maximum of {pct(limit.max_pct)}{what} for {product_type}"
        )
        out.append(_Violation("over_limit", limit.max_pct, message))
    return out


def list_rules(use: IngredientUse) -> list[Finding]:
    """Restricted and positive-list entries, TFDA first. TFDA decides within the same
    list: a TFDA preservative rule covers the EU preservative rule, a TFDA restriction
    covers the EU restriction, and so on."""
    label, out = use.label, []
    tfda_rules = use.rules_of("TFDA")
    tfda_kinds: dict[str, set[str]] = {}
    for entry in tfda_rules:
        for v in _violations(entry, use):
            tfda_kinds.setdefault(entry.list_type, set()).add(v.kind)
            message = f"{label}: {v.message} ({entry.entry_ref})"
            out.append(
                cited_finding("high", label, v.kind, entry, message, limit=v.limit, actual=use.conc)
            )
    for entry in use.rules_of("EU"):
        same = [t for t in tfda_rules if t.list_type == entry.list_type]
        out.extend(_eu_rule(use, entry, same, tfda_kinds.get(entry.list_type, set())))
    return out


def _eu_rule(
    use: IngredientUse, entry: RegEntry, same: list[RegEntry], tfda_kinds: set[str]
) -> list[Finding]:
    """One EU entry's violations: advisory where a TFDA rule of the same list covers them
    (``same``; ``tfda_kinds``: what that TFDA rule found), binding where none does."""
    label, out = use.label, []
    for v in _violations(entry, use):
        covered = bool(same) and (
            v.kind != "over_limit"
            or any(t.applicable_limit(use.product_type) is not None for t in same)
        )
        if covered:
            # TFDA decides. The EU rule stays visible as advisory (also when TFDA is
            # itself violated, so that lowering a concentration never adds a finding).
            if v.kind in tfda_kinds:
                lead = "the EU rule is not met either"
            else:
                lead = "the TFDA rule is met, but the EU rule is stricter"
            severity: Severity = "advisory"
            rule = f"stricter_eu_{v.kind}"
            message = f"{label}: {lead}: {v.message} ({entry.entry_ref})"
        else:
            severity, rule = "high", v.kind
            message = (
                f"{label}: {v.message} ({entry.entry_ref}); no TFDA rule in the store "
                "covers this, so the EU rule binds"
            )
        out.append(
            cited_finding(severity, label, rule, entry, message, limit=v.limit, actual=use.conc)
        )
    return out


_POSITIVE_LIST_NAMES = {
    "preservative": "preservatives",
    "uv_filter": "UV filters",
    "colorant": "colorants",
}


def positive_list(snapshot: RegulatorySnapshot, use: IngredientUse) -> list[Finding]:
    """A preservative, UV filter or colorant must be on a positive list for that use."""
    category = use.category
    if category not in POSITIVE_LISTS or any(e.list_type == category for e in use.governing):
        return []
    human = _POSITIVE_LIST_NAMES[category]
    lists = sorted(a for a, lt in snapshot.list_types_loaded if lt == category)
    authority = "TFDA" if "TFDA" in lists else (lists[0] if lists else "TFDA")
    checked = ", ".join(f"{a} {category} list" for a in lists) or "no list loaded"
    unknown = use.resolution.match == "unknown"
    what = "is not identified and so cannot be found" if unknown else "is not"
    finding = Finding(
        severity="high",
        ingredient=use.label,
        rule="not_on_positive_list",
        authority=authority,
        list_type=category,
        limit_pct=None,
        actual_pct=use.conc,
        citation=f"positive lists of {human} checked: {checked}",
        message=(
            f"{use.label} is used as a {category.replace('_', ' ')} but {what} on the positive "
            f"list of {human} ({checked}); only listed substances may be used this way"
        ),
    )
    return [finding]


# --- group limits (summed over the formula) ------------------------------------------


def collect_group_members(use: IngredientUse, groups: GroupMembers) -> None:
    """Record the row under each group its entries name (once per ingredient label)."""
    for entry in use.governing:
        for group in entry.groups:
            members = groups.setdefault(group.key, [])
            if all(m[0] != use.label for m in members):
                members.append((use.label, use.conc, entry, group, use.row))


def group_limits(groups: GroupMembers) -> list[Finding]:
    """Groups of two or more members whose known concentrations sum over the maximum."""
    out: list[Finding] = []
    for members in groups.values():
        group = members[0][3]
        entry = members[0][2]
        known = [(label, c) for label, c, _, _, _ in members if c is not None]
        rows = tuple(row for _, c, _, _, row in members if c is not None and row is not None)
        total = sum(c for _, c in known)
        if len(members) > 1 and total > group.max_pct + _TOLERANCE:
            names = " + ".join(label for label, _ in known)
            detail = f" ({group.text})" if group.text else ""
            message = (
                f"group {group.key}: the sum {pct(total)} exceeds {pct(group.max_pct)}{detail}"
            )
            finding = cited_finding(
                "high",
                names,
                "group_limit",
                entry,
                message,
                limit=group.max_pct,
                actual=round(total, 9),
            )
            out.append(replace(finding, rows=rows))
    return out


# --- labelling: disclosure thresholds (not limits) and warnings to print -------------


def label_disclosure(use: IngredientUse) -> list[Finding]:
    """The first entry whose disclosure threshold the row is above (or may be above)."""
    conc, label = use.conc, use.label
    for entry in use.governing:
        if entry.disclosure is None:
            continue
        threshold = entry.disclosure.threshold(use.product_type)
        if conc is not None and conc <= threshold:
            continue
        basis = "rinse-off" if use.product_type in RINSE_OFF else "leave-on"
        given = (
            f"{pct(conc)} is above" if conc is not None else "concentration unknown; check against"
        )
        message = (
            f"{label} must be named in the ingredient list on the label: {given} the {basis} "
            f"disclosure threshold of {pct(threshold)}. This is a labelling requirement, not "
            "a limit."
        )
        return [
            cited_finding(
                "info", label, "label_disclosure", entry, message, limit=threshold, actual=conc
            )
        ]
    return []


def label_warnings(use: IngredientUse) -> list[Finding]:
    return [
        cited_finding(
            "info",
            use.label,
            "label_warning",
            entry,
            f"warning to print for {use.label}: {entry.warnings}",
            actual=use.conc,
        )
        for entry in use.governing
        if entry.warnings and entry.list_type != "prohibited"
    ]


def concentration_missing(use: IngredientUse) -> list[Finding]:
    """Without a concentration, every limit that applies is a question to answer."""
    if use.conc is not None:
        return []
    out: list[Finding] = []
    for entry in use.governing:
        limit = entry.applicable_limit(use.product_type)
        if entry.list_type == "prohibited" or limit is None:
            continue
        message = (
            f"no concentration given for {use.label}; {entry.entry_ref} limits it to "
            f"{pct(limit.max_pct)} in {use.product_type}"
        )
        out.append(
            cited_finding(
                "info", use.label, "concentration_missing", entry, message, limit=limit.max_pct
            )
        )
    return out


# --- classification and identity -----------------------------------------------------


def cmr(snapshot: RegulatorySnapshot, use: IngredientUse) -> list[Finding]:
    """CMR 1A/1B classification: a hard gate unless an entry permits the substance."""
    resolution = use.resolution
    cas_keys = [resolution.cas] if resolution.cas else []
    cas_keys += [c for e in resolution.entries for c in e.cas]
    permitted = any(e.list_type != "prohibited" for e in use.governing)
    severity: Severity = "info" if permitted else "high"
    tail = (
        "used under a permitting entry; check its conditions"
        if permitted
        else "no entry in the store permits this CMR substance"
    )
    seen: set[str] = set()
    out: list[Finding] = []
    for cas in cas_keys:
        for cls_entry in snapshot.classifications.get(cas, ()):
            if cls_entry.key in seen or not cls_entry.cmr_1a_1b:
                continue
            seen.add(cls_entry.key)
            text = cls_entry.classification.get("classification_text", "")
            message = f"{use.label} is classified CMR 1A/1B ({text}); {tail}"
            finding = cited_finding(severity, use.label, "cmr", cls_entry, message, actual=use.conc)
            out.append(finding)
    return out


def unidentified(use: IngredientUse) -> list[Finding]:
    """An ingredient matched to nothing: its status is unknown, never "allowed"."""
    if use.resolution.entries or use.resolution.match != "unknown":
        return []
    finding = Finding(
        severity="info",
        ingredient=use.label,
        rule="unresolved",
        authority="TFDA",
        list_type=None,
        limit_pct=None,
        actual_pct=use.conc,
        citation="no entry: the ingredient could not be identified",
        message=(
            f"{use.label} could not be identified (name/CAS not found); its regulatory "
            "status is unknown and must be checked by hand"
        ),
    )
    return [finding]
