"""The ``ingredients`` table as the formula validator's dictionary, cached per process."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import DictionaryEntry, IngredientDictionary
from pifai.models.ingredient import Ingredient

_dictionary_cache: dict[str, tuple[tuple[Any, ...], IngredientDictionary]] = {}


async def load_dictionary(session: AsyncSession) -> IngredientDictionary:
    """The whole ``ingredients`` table as the validator's dictionary. Curated rows first
    (on a shared synonym or CAS, the curated row wins). Cached per process until the
    table's row count or latest update changes."""
    version = tuple(
        (
            await session.execute(
                text("SELECT current_database(), count(*), max(updated_at) FROM ingredients")
            )
        ).one()
    )
    cached = _dictionary_cache.get("all")
    if cached is not None and cached[0] == version:
        return cached[1]
    rows = await session.execute(
        select(
            Ingredient.inci_name,
            Ingredient.cas_numbers,
            Ingredient.synonyms,
            Ingredient.zh_name,
            Ingredient.functions,
        ).order_by(case((Ingredient.origin == "curated", 0), else_=1), Ingredient.inci_key)
    )
    dictionary = IngredientDictionary(
        DictionaryEntry(
            inci=inci,
            cas=tuple(cas),
            synonyms=tuple(synonyms),
            zh_names=(zh,) if zh else (),
            functions=tuple(functions),
        )
        for inci, cas, synonyms, zh, functions in rows
    )
    _dictionary_cache["all"] = (version, dictionary)
    return dictionary
