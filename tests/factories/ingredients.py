"""Reading back the ingredient dictionary in tests."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.models.ingredient import Ingredient


async def ingredient_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Ingredient)) or 0)


async def stored_ingredient(session: AsyncSession, inci: str) -> Ingredient:
    row = await session.scalar(select(Ingredient).where(Ingredient.inci_name == inci))
    assert row is not None, inci
    await session.refresh(row)
    return row
