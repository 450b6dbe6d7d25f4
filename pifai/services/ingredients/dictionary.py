"""The ``ingredients`` table as the formula validator's dictionary (the process keeps it in
`pifai.services.reference`)."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import DictionaryEntry, IngredientDictionary
from pifai.models.ingredient import Ingredient


async def read_dictionary(session: AsyncSession) -> IngredientDictionary:
    """The whole ``ingredients`` table as the validator's dictionary. Curated rows first
    (on a shared synonym or CAS, the curated row wins); a curated Chinese name is a
    synonym, an IECIC-derived one matches with less confidence."""
    rows = await session.execute(
        select(
            Ingredient.inci_name,
            Ingredient.cas_numbers,
            Ingredient.synonyms,
            Ingredient.zh_name,
            Ingredient.functions,
            Ingredient.zh_derived,
        ).order_by(case((Ingredient.origin == "curated", 0), else_=1), Ingredient.inci_key)
    )
    dictionary = IngredientDictionary(
        DictionaryEntry(
            inci=inci,
            cas=tuple(cas),
            synonyms=tuple(synonyms),
            zh_names=(zh,) if zh else (),
            functions=tuple(functions),
            derived_zh=tuple(derived),
        )
        for inci, cas, synonyms, zh, functions, derived in rows
    )
    return dictionary
