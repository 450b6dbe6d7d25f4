"""`pifai regulatory status`'s figures: per authority and list, how many entries, the
export they were read from, how much of it comes from a dated official export, and how
old the data is."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.services.regulatory import data_health, load_shipped


async def test_data_health_of_the_shipped_lists(session: AsyncSession) -> None:
    await load_shipped(session)
    health = {
        (row["authority"], row["list_type"]): row
        for row in await data_health(session, today=date(2026, 12, 1))
    }
    annex_ii = health[("EU", "prohibited")]
    assert annex_ii["entries"] == 1740
    assert annex_ii["export_date"] == "2026-06-18" and annex_ii["age_days"] == 166
    assert annex_ii["official_share"] == 1.0
    annex_v = health[("EU", "preservative")]
    assert (annex_v["entries"], annex_v["export_date"], annex_v["age_days"]) == (
        55,
        "2026-09-09",
        83,
    )
    # Hand-curated rows (the ECHA CMR records read from the 2016 exports) are not counted
    # as read from an official export.
    cmr = health[("ECHA", "classification")]
    assert 0 < cmr["official_share"] < 1
