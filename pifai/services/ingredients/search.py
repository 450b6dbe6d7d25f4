"""Search and lookup in the ingredient reference dictionary (the ``ingredients`` table)."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import ColumnElement, Float, case, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import find_cas_numbers, name_key
from pifai.core.errors import NotFound, ValidationFailed
from pifai.models.ingredient import Ingredient

if TYPE_CHECKING:
    from pifai.services.reference import ReferenceData


class IngredientNotFound(NotFound):
    code = "ingredient_not_found"


async def get_ingredient(session: AsyncSession, ingredient_id: uuid.UUID) -> Ingredient:
    ingredient = await session.scalar(select(Ingredient).where(Ingredient.id == ingredient_id))
    if ingredient is None:
        raise IngredientNotFound("No such ingredient.")
    return ingredient


MatchedOn = Literal["inci", "cas", "zh_name", "synonym", "text"]


@dataclass(frozen=True, slots=True)
class SearchHit:
    ingredient: Ingredient
    score: float
    matched_on: MatchedOn


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: list[SearchHit]
    total: int


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _has_trgm(session: AsyncSession) -> bool:
    found = await session.scalar(
        text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
    )
    return bool(found)


async def search_ingredients(
    session: AsyncSession, reference: ReferenceData, q: str, limit: int = 20, *, offset: int = 0
) -> SearchPage:
    """Ranked search by INCI, synonym, Chinese name or CAS number.

    Score: 1.0 exact INCI; 0.98 CAS; 0.95 exact synonym or Chinese name; 0.85 names that
    start with the query; 0.6-0.8 names that contain it. Only when nothing matches that
    way, near misses (typos) score up to 0.7: pg_trgm word similarity where the server
    has pg_trgm, else the validator's fuzzy match. Ties: shorter INCI first.
    """
    query = " ".join(unicodedata.normalize("NFKC", q).split()).lower()
    if not query:
        raise ValidationFailed("The search text q must not be empty.")
    trgm = await _has_trgm(session)
    page = await _search(session, query, limit, offset, trgm=trgm, fuzzy=False)
    if page.total == 0:
        if trgm:
            return await _search(session, query, limit, offset, trgm=True, fuzzy=True)
        near = await _fuzzy_hit(session, reference, query) if offset == 0 else None
        if near is not None:
            return SearchPage(hits=[near], total=1)
    return page


async def _search(
    session: AsyncSession, query: str, limit: int, offset: int, *, trgm: bool, fuzzy: bool
) -> SearchPage:
    key = name_key(query)
    cas = find_cas_numbers(query)
    contains = f"%{_like_escape(query)}%"
    prefix = f"{_like_escape(query)}%"
    zero = literal(0.0, Float)
    similarity: Any = (
        func.word_similarity(query, Ingredient.search_text)
        if trgm
        else func.least(
            1.0, literal(len(query), Float) / func.greatest(func.length(Ingredient.inci_name), 1)
        )
    )
    score = func.greatest(
        case((Ingredient.inci_key == key, 1.0), else_=zero),
        case((Ingredient.cas_numbers.overlap(cas), 0.98), else_=zero) if cas else zero,
        case((Ingredient.name_keys.contains([key]), 0.95), else_=zero),
        case((Ingredient.search_text.like(prefix, escape="\\"), 0.85), else_=zero),
        case(
            (Ingredient.search_text.like(contains, escape="\\"), 0.6 + 0.2 * similarity),
            else_=zero,
        ),
        0.7 * similarity if fuzzy else zero,
    ).label("score")
    conditions: list[ColumnElement[bool]]
    if fuzzy:
        conditions = [Ingredient.search_text.op("%>")(query)]
    else:
        conditions = [
            Ingredient.inci_key == key,
            Ingredient.name_keys.contains([key]),
            Ingredient.search_text.like(contains, escape="\\"),
        ]
        if cas:
            conditions.append(Ingredient.cas_numbers.overlap(cas))
    statement = (
        select(Ingredient, score, func.count().over().label("total"))
        .where(or_(*conditions))
        .order_by(score.desc(), func.length(Ingredient.inci_name), Ingredient.inci_name)
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(statement)).all()
    total = int(rows[0].total) if rows else 0
    if not rows and offset:
        counted = select(func.count()).select_from(Ingredient).where(or_(*conditions))
        total = int(await session.scalar(counted) or 0)
    hits = [
        SearchHit(row[0], round(float(row.score), 4), _matched_on(row[0], key, cas)) for row in rows
    ]
    return SearchPage(hits=hits, total=total)


async def _fuzzy_hit(
    session: AsyncSession, reference: ReferenceData, query: str
) -> SearchHit | None:
    """A typo's best near miss, by the validator's fuzzy matcher (no pg_trgm)."""
    match = (await reference.dictionary(session)).match(query)
    if match.entry is None or match.method != "fuzzy":
        return None
    found = await session.scalar(
        select(Ingredient).where(Ingredient.inci_key == name_key(match.entry.inci))
    )
    if found is None:
        return None
    return SearchHit(found, round(0.7 * match.confidence / 0.9, 4), "text")


def _matched_on(ingredient: Ingredient, key: str, cas: Sequence[str]) -> MatchedOn:
    if ingredient.inci_key == key:
        return "inci"
    if set(cas) & set(ingredient.cas_numbers):
        return "cas"
    if ingredient.zh_name and name_key(ingredient.zh_name) == key:
        return "zh_name"
    if key in ingredient.name_keys:
        return "synonym"
    return "text"
