"""Hard gates: facts that override any margin of safety.

A prohibited substance, a CMR 1A/1B substance no entry permits, a concentration over a
statutory limit (all three decided by the rule engine) and a nanomaterial without a cited
assessment of its nano form. A prohibited substance needs no NOAEL at all: it is shown as
statutorily prohibited with its rule, never as a TTC or MoS result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pifai.ai.regulatory import CheckResult
from pifai.ai.safety.inputs import (
    GateFact,
    GateKind,
    IngredientGates,
    Toxicology,
    ingredient_key,
)

# The rule engine's findings that are hard gates, with the severity that makes them one:
# a CMR finding at "info" is a CMR substance used under a permitting entry, not a gate.
_GATE_RULES: dict[str, tuple[GateKind, str]] = {
    "prohibited": ("prohibited", "critical"),
    "cmr": ("cmr", "high"),
    "over_limit": ("over_limit", "high"),
}

Outcome = Literal["revision", "needs_sa"]


def gates_from_check(result: CheckResult) -> dict[str, IngredientGates]:
    """The hard-gate facts of a rule-engine check, by ingredient key (the check's label)."""
    facts: dict[str, list[GateFact]] = {}
    for finding in result.findings:
        gate = _GATE_RULES.get(finding.rule)
        if gate is None or finding.severity != gate[1]:
            continue
        fact = GateFact(
            kind=gate[0],
            rule=finding.message,
            citation=finding.citation,
            entry_key=finding.entry_key,
        )
        facts.setdefault(ingredient_key(finding.ingredient), []).append(fact)
    return {key: IngredientGates(tuple(found)) for key, found in sorted(facts.items())}


@dataclass(frozen=True, slots=True)
class Gate:
    """A hard gate that applies to one ingredient, as the report prints it."""

    kind: str  # a GateKind or "nanomaterial"
    outcome: Outcome
    message: str
    citation: str | None
    entry_key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "outcome": self.outcome,
            "message": self.message,
            "citation": self.citation,
            "entry_key": self.entry_key,
        }


# The order gates are reported in, most severe first.
GATE_ORDER: dict[str, int] = {"prohibited": 0, "cmr": 1, "over_limit": 2, "nanomaterial": 3}

_LEAD: dict[str, str] = {
    "prohibited": "statutorily prohibited, no NOAEL needed",
    "cmr": "classified CMR 1A/1B and not permitted by any entry",
    "over_limit": "over a statutory limit",
}


def hard_gates(label: str, gates: IngredientGates | None, tox: Toxicology | None) -> list[Gate]:
    """Every hard gate that applies to the ingredient, most severe first."""
    found: list[Gate] = []
    for fact in gates.facts if gates else ():
        found.append(
            Gate(
                kind=fact.kind,
                outcome="revision",
                message=f"{label}: {_LEAD[fact.kind]} ({fact.rule})",
                citation=fact.citation,
                entry_key=fact.entry_key,
            )
        )
    nano = tox.nanomaterial if tox else None
    if nano is not None and nano.assessment is None:
        found.append(
            Gate(
                kind="nanomaterial",
                outcome="needs_sa",
                message=(
                    f"{label} is a nanomaterial and no assessment of its nano form is "
                    "cited; the margin of the bulk form does not cover it"
                ),
                citation=None,
            )
        )
    return sorted(found, key=lambda g: (GATE_ORDER[g.kind], g.message))
