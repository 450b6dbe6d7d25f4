"""A product's formula rows (PIF item 3, tenant data): stored from a validated formula
(an extraction or an operator's correction), listed, summarised."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.document_parser import RawRow
from pifai.ai.ingredient_validator import (
    TOTAL_TOLERANCE,
    DuplicateRows,
    ValidatedFormula,
    ValidatedRow,
    find_cas_numbers,
    is_valid_cas,
    name_key,
    parse_concentration,
    rows_phrase,
    validate_formula,
)
from pifai.core.errors import ValidationFailed
from pifai.models.ingredient import Ingredient, ProductIngredient
from pifai.models.product import Product
from pifai.services.products import get_product_for_org

if TYPE_CHECKING:
    from pifai.services.reference import ReferenceData


class FormulaRowsInvalid(ValidationFailed):
    code = "formula_rows_invalid"


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


ZhNameSource = Literal["operator", "dictionary"]


async def row_zh_names(
    session: AsyncSession, rows: Sequence[ProductIngredient]
) -> list[tuple[str | None, ZhNameSource | None]]:
    """Each row's Traditional Chinese name and whose it is: the operator's, else the
    curated name of the dictionary ingredient it is matched to, else none."""
    ids = {r.ingredient_id for r in rows if r.ingredient_id is not None and not r.zh_name}
    curated: dict[uuid.UUID, str] = {}
    if ids:
        found = await session.execute(
            select(Ingredient.id, Ingredient.zh_name).where(
                Ingredient.id.in_(ids), Ingredient.zh_name.is_not(None)
            )
        )
        curated = {row.id: row.zh_name for row in found}
    named: list[tuple[str | None, ZhNameSource | None]] = []
    for r in rows:
        if r.zh_name:
            named.append((r.zh_name, "operator"))
        elif r.ingredient_id in curated:
            named.append((curated[r.ingredient_id], "dictionary"))
        else:
            named.append((None, None))
    return named


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
    zh_names: Sequence[str | None] = (),
) -> list[ProductIngredient]:
    """Replace the product's formula rows with ``validated`` (in its order), linking each
    identified row to its ``ingredients`` row. Safe to repeat (an extraction task
    delivered twice leaves one copy). The caller's transaction commits.

    A formula whose repeated ingredients add up to more than 100 % (``duplicates``) is
    refused (FormulaRowsInvalid) before anything is written: no single row can hold it.
    ``zh_names`` are the operator's Chinese names, by validated row."""
    if validated.duplicates:
        raise _unstorable(validated.duplicates)
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
            zh_name=zh_names[index] if index < len(zh_names) else None,
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
    zh_name: str | None = None


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
    session: AsyncSession,
    reference: ReferenceData,
    product_id: uuid.UUID,
    org_id: uuid.UUID,
    rows: Sequence[OperatorRow],
) -> tuple[ValidatedFormula, list[ProductIngredient]]:
    """An operator's full replacement of the formula rows: every row checked (hard errors
    raise FormulaRowsInvalid, 422, listing each), then validated like an extraction
    (identity, balance, total 100 % +/- 2 % as a finding) and stored. Rows naming one
    ingredient are merged while they add up to at most 100 %; past that they are refused
    (422), naming the rows by their index in the request."""
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
    validated = validate_formula(raw_rows, await reference.dictionary(session))
    if validated.duplicates:
        raise _duplicates_refused(validated.duplicates)
    # A validated row keeps the name it was given as raw_name: it finds the operator's
    # name as written and Chinese name again (the first given, for merged rows).
    written = {r.name: r.raw_name for r in rows if r.raw_name}
    chinese: dict[str, str] = {}
    for r in rows:
        if r.zh_name and r.zh_name.strip():
            chinese.setdefault(r.name, r.zh_name.strip())
    zh_names = [chinese.get(v.raw_name) for v in validated.rows]
    for validated_row in validated.rows:
        validated_row.raw_name = written.get(validated_row.raw_name, validated_row.raw_name)
    stored = await replace_product_ingredients(
        session, product_id, org_id, validated, source="operator", zh_names=zh_names
    )
    return validated, stored


def _unstorable(duplicates: Sequence[DuplicateRows]) -> FormulaRowsInvalid:
    """The refusal of a formula whose repeated ingredients no row can hold, naming the
    rows where they were read ("rows 2 and 5")."""
    return FormulaRowsInvalid(
        f"The formula cannot be stored: {'; '.join(g.message for g in duplicates)}.",
        details=[{"rows": list(g.sources), "message": g.message} for g in duplicates],
    )


def _duplicates_refused(duplicates: Sequence[DuplicateRows]) -> FormulaRowsInvalid:
    """The 422 for an operator's repeated ingredients, naming rows as the other row errors
    do (their index in the request)."""
    details: list[dict[str, Any]] = []
    messages = []
    for group in duplicates:
        message = group.describe(rows_phrase([f"row {p}" for p in group.positions]))
        messages.append(message)
        details += [
            {"row": p, "field": "concentration", "message": message} for p in group.positions
        ]
    return FormulaRowsInvalid(
        f"{len(duplicates)} problem(s) in the ingredient rows: {'; '.join(messages)}",
        details=details,
    )
