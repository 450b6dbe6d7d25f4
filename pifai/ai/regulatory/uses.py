"""A formula row as the rules see it, and which entries govern its use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pifai.ai.regulatory.entries import RegEntry
from pifai.ai.regulatory.results import Resolution
from pifai.domain import POSITIVE_LISTS


@dataclass(frozen=True, slots=True)
class IngredientUse:
    """One formula row as the rules see it: the substance, its use, where it is used."""

    label: str
    conc: float | None
    category: str | None  # see results.function_category
    product_type: str
    children: bool
    resolution: Resolution
    governing: tuple[RegEntry, ...]  # the entries that govern this use (see governing_entries)
    row: int | None = None  # the row's 0-based index in the formula checked

    def rules_of(self, authority: str) -> list[RegEntry]:
        """The authority's governing entries other than prohibitions."""
        return [
            e for e in self.governing if e.authority == authority and e.list_type != "prohibited"
        ]


def governing_entries(entries: Iterable[RegEntry], category: str | None) -> list[RegEntry]:
    """The entries that govern a use of the substance declared as ``category``."""
    entries = list(entries)
    # Authorities that have an entry for a declared non-positive-list use of this substance.
    alternatives = {
        e.authority
        for e in entries
        if e.list_type not in POSITIVE_LISTS
        and e.list_type != "prohibited"
        and e.function == "non_preservative"
    }
    if category is not None and category != "other":
        alternatives |= {e.authority for e in entries if e.list_type == category}
    return [e for e in entries if _applies(e, category, alternatives)]


def _applies(entry: RegEntry, category: str | None, alternatives: set[str]) -> bool:
    """Whether an entry governs this use of the substance.

    Positive-list entries govern their use (preservative, UV filter, colorant), and any
    use the formula does not state; they also govern a declared other use when no entry
    of the same authority covers that other use (a preservative cannot escape its limit
    by being called a solvent). "non_preservative" entries govern every other use.
    """
    if entry.list_type in POSITIVE_LISTS:
        if category is None or category == entry.list_type:
            return True
        return entry.authority not in alternatives
    if entry.function == "preservative":
        return category in (None, "preservative")
    if entry.function == "non_preservative":
        return category != "preservative"
    return True
