"""An ingredient's toxicology as the API shows it: the cached answers of the external
sources (fresh or stale, never fetched here) beside the shipped reference records
(NOAELs, dermal absorption, authoritative conclusions), each with its source."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.toxicology import reference
from pifai.models.ingredient import Ingredient
from pifai.models.toxicology import ToxicologyCache
from pifai.services.ingredients import get_ingredient
from pifai.services.toxicology.cache import read_entries
from pifai.services.toxicology.clients import SOURCES, cache_key, query_for


def ingredient_keys(ingredient: Ingredient) -> list[str]:
    """Every key the ingredient's answers may be cached under: its INCI name (a formula
    row's name), and its CAS numbers (a row with a CAS number and no name)."""
    keys = [cache_key(ingredient.inci_name, None)]
    keys += [cache_key(None, cas) for cas in ingredient.cas_numbers]
    return list(dict.fromkeys(keys))


def refresh_key(ingredient: Ingredient) -> str:
    """Where a refresh writes: under the INCI name."""
    return cache_key(ingredient.inci_name, None)


def refresh_query(ingredient: Ingredient) -> str:
    """What a refresh asks the sources: the first CAS number, else the INCI name."""
    cas = ingredient.cas_numbers[0] if ingredient.cas_numbers else None
    return query_for(ingredient.inci_name, cas)


def _entry(row: ToxicologyCache, now: datetime) -> dict[str, Any]:
    data = row.data or {}
    return {
        "source": row.source,
        "key": row.ingredient,
        "status": str(data.get("status", "")),
        "message": str(data.get("message", "")),
        "data": dict(data.get("data") or {}),
        "fetched_at": row.fetched_at,
        "expires_at": row.expires_at,
        "freshness": "fresh" if row.expires_at > now else "stale",
    }


def _not_cached(source: str, key: str) -> dict[str, Any]:
    return {
        "source": source,
        "key": key,
        "status": "not_cached",
        "message": f"[not yet asked: {source}]: POST .../toxicology queues the request",
        "data": {},
        "fetched_at": None,
        "expires_at": None,
        "freshness": None,
    }


def reference_records(inci: str, cas_numbers: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The shipped records matching the INCI name or any of the CAS numbers, each with
    its source and verified flag."""
    out: dict[str, list[dict[str, Any]]] = {"noael": [], "dermal_absorption": [], "conclusions": []}
    for cas in [*cas_numbers, None]:
        for name, found in (
            ("noael", reference.noael_for(inci, cas)),
            ("dermal_absorption", reference.dermal_absorption_for(inci, cas)),
            ("conclusions", reference.conclusions_for(inci, cas)),
        ):
            for record in found:
                row = asdict(record)
                if row not in out[name]:
                    out[name].append(row)
    return out


async def ingredient_toxicology(
    session: AsyncSession, ingredient_id: uuid.UUID, now: datetime | None = None
) -> tuple[Ingredient, dict[str, Any]]:
    """The ingredient (404 when unknown) and its toxicology: per source the cached
    entries (or "not yet asked"), and the reference records."""
    ingredient = await get_ingredient(session, ingredient_id)
    now = now or datetime.now(UTC)
    keys = ingredient_keys(ingredient)
    rows = await read_entries(session, keys, SOURCES)
    entries: list[dict[str, Any]] = []
    for source in SOURCES:
        mine = [_entry(rows[(k, source)], now) for k in keys if (k, source) in rows]
        entries += mine or [_not_cached(source, refresh_key(ingredient))]
    return ingredient, {
        "sources": entries,
        "reference": reference_records(ingredient.inci_name, ingredient.cas_numbers),
    }
