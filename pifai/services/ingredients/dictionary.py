"""The ``ingredients`` table as the formula validator's dictionary (the process keeps it in
`pifai.services.reference`)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import DictionaryEntry, IngredientDictionary

# Plain SQL: the driver's arrays as they come (the ORM's per-item array processing of
# ~34,000 rows cost more than building the dictionary). Curated rows first.
_ROWS = text(
    "SELECT inci_name, cas_numbers, synonyms, zh_name, functions, zh_derived,"
    " origin = 'curated'"
    " FROM ingredients ORDER BY (origin <> 'curated'), inci_key"
)


async def read_dictionary(session: AsyncSession) -> IngredientDictionary:
    """The whole ``ingredients`` table as the validator's dictionary. Curated rows first
    (on a shared synonym or CAS, the curated row wins); a curated Chinese name is a
    synonym, an IECIC-derived one matches with less confidence."""
    rows = await session.execute(_ROWS)
    return IngredientDictionary(
        DictionaryEntry(
            inci=inci,
            cas=tuple(cas),
            synonyms=tuple(synonyms),
            zh_names=(zh,) if zh else (),
            functions=tuple(functions),
            derived_zh=tuple(derived),
            curated=curated,
        )
        for inci, cas, synonyms, zh, functions, derived, curated in rows
    )
