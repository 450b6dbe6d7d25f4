"""The process's reference data: one ingredient dictionary for the validator and the
rule engine, and the regulatory snapshot, rebuilt together when either store changes."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.regulatory import CheckResult
from pifai.models.ingredient import Ingredient
from pifai.services import ingredient_import as importer
from pifai.services.reference import ReferenceData
from pifai.services.regulatory import load_shipped

# A chemical name of phenoxyethanol (CAS 122-99-6) that neither the curated file nor the
# annex entries carry, and too far from its INCI name for a fuzzy match.
IUPAC = "Ethylene glycol monophenyl ether"


def _over_limit(result: CheckResult) -> list[float | None]:
    return [f.limit_pct for f in result.findings if f.rule == "over_limit"]


async def test_a_new_synonym_reaches_the_validator_and_the_rule_engine_at_once(
    session: AsyncSession,
) -> None:
    await importer.load_reference_data(session)
    await load_shipped(session)
    reference = ReferenceData()

    first = await reference.load(session)
    assert await reference.load(session) is first  # unchanged stores: nothing rebuilt
    unknown = first.dictionary.match(IUPAC).entry
    assert unknown is None or unknown.inci != "PHENOXYETHANOL"
    formula = [(IUPAC, None, 1.5, "preservative")]
    before = first.snapshot.check(formula, "leave_on_face")
    assert _over_limit(before) == []  # unidentified: only "not on the positive list"
    assert "not_on_positive_list" in [f.rule for f in before.findings]

    await session.execute(
        update(Ingredient)
        .where(Ingredient.inci_name == "PHENOXYETHANOL")
        # As a later transaction would stamp it (now() is this transaction's start).
        .values(
            synonyms=func.array_append(Ingredient.synonyms, IUPAC),
            updated_at=func.clock_timestamp(),
        )
    )
    second = await reference.load(session)
    assert second is not first
    match = second.dictionary.match(IUPAC).entry
    assert match is not None and match.inci == "PHENOXYETHANOL"
    # The rule engine resolves the name through the same dictionary, to phenoxyethanol's
    # preservative limit of 1 % (TFDA's list and EU Annex V).
    after = second.snapshot.check(formula, "leave_on_face")
    assert 1.0 in _over_limit(after)
