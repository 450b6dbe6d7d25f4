"""Ingredients: search and lookup in the reference dictionary, the dictionary the
formula validator matches against, and a product's formula rows (PIF item 3).

Loading the dictionary (curated CSV, EU CosIng) lives in
``pifai.services.ingredient_import``.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Float, case, delete, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.document_parser import RawRow
from pifai.ai.ingredient_validator import (
    TOTAL_TOLERANCE,
    DictionaryEntry,
    IngredientDictionary,
    ValidatedFormula,
    ValidatedRow,
    find_cas_numbers,
    is_valid_cas,
    name_key,
    parse_concentration,
    validate_formula,
)
from pifai.core.errors import NotFound, ValidationFailed
from pifai.models.ingredient import Ingredient, ProductIngredient
from pifai.models.product import Product
from pifai.services.products import get_product_for_org


class IngredientNotFound(NotFound):
    code = "ingredient_not_found"


class FormulaRowsInvalid(ValidationFailed):
    code = "formula_rows_invalid"


# --- reading and search ---------------------------------------------------------------


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
    session: AsyncSession, q: str, limit: int = 20, *, offset: int = 0
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
        near = await _fuzzy_hit(session, query) if offset == 0 else None
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


async def _fuzzy_hit(session: AsyncSession, query: str) -> SearchHit | None:
    """A typo's best near miss, by the validator's fuzzy matcher (no pg_trgm)."""
    match = (await load_dictionary(session)).match(query)
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


# --- a product's formula (tenant data) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormulaSummary:
    total: float | None
    confidence: float | None
    findings: list[str]


def field_confidence(row: ValidatedRow) -> dict[str, float | None]:
    """Per-field confidence of a validated row (None: the field has no value)."""
    conc: float | None
    if row.concentration is None:
        conc = None
    elif row.is_balance:
        conc = 0.9
    elif any("bound" in n or "converted" in n for n in row.notes):
        conc = 0.8
    else:
        conc = 1.0
    cas: float | None = None
    if row.cas is not None:
        from_dictionary = any("taken from the ingredient dictionary" in n for n in row.notes)
        cas = round(row.confidence * 0.9, 3) if from_dictionary else row.confidence
    return {"row": row.confidence, "inci": row.confidence, "cas": cas, "concentration": conc}


async def list_product_ingredients(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> list[ProductIngredient]:
    """A product's formula rows in their order (404 for another organisation's product)."""
    await get_product_for_org(session, product_id, org_id)
    rows = await session.scalars(
        select(ProductIngredient)
        .where(ProductIngredient.product_id == product_id, ProductIngredient.org_id == org_id)
        .order_by(ProductIngredient.sort_order)
    )
    return list(rows)


def summarize(rows: Sequence[ProductIngredient]) -> FormulaSummary:
    """Total, mean row confidence and the total check of stored rows."""
    if not rows:
        return FormulaSummary(None, None, ["the product has no ingredient rows"])
    findings: list[str] = []
    given = [r.concentration for r in rows if r.concentration is not None]
    total = round(sum(given), 6) if given else None
    if total is None:
        findings.append("no concentrations given; the total cannot be checked")
    elif abs(total - 100.0) > TOTAL_TOLERANCE:
        findings.append(
            f"concentrations total {total:.6g}%, outside 100% +/- {TOTAL_TOLERANCE:.6g}%"
        )
    if given and len(given) < len(rows):
        findings.append(f"{len(rows) - len(given)} row(s) without a concentration")
    scores = [float(r.confidence.get("row") or 0.0) for r in rows]
    return FormulaSummary(total, round(sum(scores) / len(scores), 3), findings)


async def replace_product_ingredients(
    session: AsyncSession,
    product_id: uuid.UUID,
    org_id: uuid.UUID,
    validated: ValidatedFormula,
    source: str,
) -> list[ProductIngredient]:
    """Replace the product's formula rows with ``validated`` (in its order), linking each
    identified row to its ``ingredients`` row. Safe to repeat (an extraction task
    delivered twice leaves one copy). The caller's transaction commits."""
    await get_product_for_org(session, product_id, org_id)
    # Serialise concurrent replacements of one product's rows.
    await session.execute(
        select(Product.id)
        .where(Product.id == product_id, Product.org_id == org_id)
        .with_for_update()
    )
    await session.execute(
        delete(ProductIngredient).where(
            ProductIngredient.product_id == product_id, ProductIngredient.org_id == org_id
        )
    )
    keys = {name_key(r.inci) for r in validated.rows if r.method != "unknown"}
    ids: dict[str, uuid.UUID] = {}
    if keys:
        found = await session.execute(
            select(Ingredient.inci_key, Ingredient.id).where(Ingredient.inci_key.in_(keys))
        )
        ids = {row.inci_key: row.id for row in found}
    stored = [
        ProductIngredient(
            org_id=org_id,
            product_id=product_id,
            ingredient_id=ids.get(name_key(row.inci)) if row.method != "unknown" else None,
            raw_name=row.raw_name,
            inci=row.inci[:500],
            cas=row.cas,
            concentration=row.concentration,
            is_balance=row.is_balance,
            function=row.function,
            sort_order=index,
            confidence=field_confidence(row),
            match_method=row.method,
            flagged=row.flagged,
            notes=list(row.notes),
            source=source,
        )
        for index, row in enumerate(validated.rows)
    ]
    session.add_all(stored)
    await session.flush()
    return stored


@dataclass(frozen=True, slots=True)
class OperatorRow:
    """One row of an operator's correction (PUT .../ingredients)."""

    name: str
    raw_name: str | None = None
    cas: str | None = None
    concentration: str | float | None = None
    function: str | None = None


_NOT_A_CAS = {"", "-", "n/a", "na", "none", "mixture", "混合物", "/"}


def check_operator_rows(rows: Sequence[OperatorRow]) -> list[dict[str, Any]]:
    """Hard errors of an operator's rows: a CAS that is not one or fails its check digit,
    a concentration outside 0-100 % or not understood, an empty name."""
    errors: list[dict[str, Any]] = []

    def error(index: int, name: str, message: str) -> None:
        errors.append({"row": index, "field": name, "message": message})

    for index, row in enumerate(rows):
        if not name_key(row.name):
            error(index, "name", f"name {row.name!r} has no letters or digits")
        if row.cas is not None and row.cas.strip().lower() not in _NOT_A_CAS:
            found = find_cas_numbers(row.cas)
            if not found:
                error(index, "cas", f"{row.cas!r} is not a CAS number (form NNNNNNN-NN-N)")
            for cas in found:
                if not is_valid_cas(cas):
                    error(index, "cas", f"CAS {cas} fails its check digit")
        if row.concentration is not None:
            if isinstance(row.concentration, float | int) and not 0 <= row.concentration <= 100:
                error(index, "concentration", f"{row.concentration} is outside 0-100 %")
                continue
            parsed = parse_concentration(row.concentration)
            if not parsed.valid:
                error(index, "concentration", "; ".join(parsed.notes) + " (expected 0-100 %)")
    return errors


async def correct_product_ingredients(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID, rows: Sequence[OperatorRow]
) -> tuple[ValidatedFormula, list[ProductIngredient]]:
    """An operator's full replacement of the formula rows: every row checked (hard errors
    raise FormulaRowsInvalid, 422, listing each), then validated like an extraction
    (identity, balance, total 100 % +/- 2 % as a finding) and stored."""
    await get_product_for_org(session, product_id, org_id)
    errors = check_operator_rows(rows)
    if errors:
        listed = "; ".join(f"row {e['row']} {e['field']}: {e['message']}" for e in errors[:10])
        raise FormulaRowsInvalid(
            f"{len(errors)} problem(s) in the ingredient rows: {listed}", details=errors
        )
    raw_rows = [
        RawRow(
            name=r.name,
            cas=r.cas,
            concentration=None if r.concentration is None else str(r.concentration),
            function=r.function,
            row=index + 1,
        )
        for index, r in enumerate(rows)
    ]
    validated = validate_formula(raw_rows, await load_dictionary(session))
    written = {r.name: r.raw_name for r in rows if r.raw_name}
    for validated_row in validated.rows:
        validated_row.raw_name = written.get(validated_row.raw_name, validated_row.raw_name)
    stored = await replace_product_ingredients(
        session, product_id, org_id, validated, source="operator"
    )
    return validated, stored


__all__ = [
    "FormulaRowsInvalid",
    "FormulaSummary",
    "IngredientNotFound",
    "OperatorRow",
    "SearchHit",
    "SearchPage",
    "check_operator_rows",
    "correct_product_ingredients",
    "field_confidence",
    "get_ingredient",
    "list_product_ingredients",
    "load_dictionary",
    "replace_product_ingredients",
    "search_ingredients",
    "summarize",
]
