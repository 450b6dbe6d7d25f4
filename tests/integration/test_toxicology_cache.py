"""The shared toxicology cache on real PostgreSQL and Redis: fresh answers make no
request, stale ones answer at once and ask for a refresh, failures are never written."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.toxicology.sources import SourceResult, SourceStatus
from pifai.models.toxicology import ToxicologyCache
from pifai.services.toxicology.cache import Freshness, gather_sources, get_or_fetch

# Placeholder answers: the cache stores whatever a source said; these are not data.
ANSWER = SourceResult("pubchem", SourceStatus.found, "PubChem CID 1", {"cid": 1})


class Counting:
    def __init__(self, result: SourceResult) -> None:
        self.result = result
        self.calls = 0

    async def __call__(self) -> SourceResult:
        self.calls += 1
        return self.result


async def rows(session: AsyncSession, source: str | None = None) -> int:
    query = select(func.count()).select_from(ToxicologyCache)
    if source:
        query = query.where(ToxicologyCache.source == source)
    return int(await session.scalar(query) or 0)


async def test_a_fresh_hit_makes_no_request(session: AsyncSession, redis: Redis) -> None:
    fetch = Counting(ANSWER)
    first = await get_or_fetch(session, redis, "Glycerin", "pubchem", fetch)
    second = await get_or_fetch(session, redis, " glycerin ", "pubchem", fetch)
    assert first.freshness is Freshness.fetched and second.freshness is Freshness.fresh
    assert second.result == ANSWER
    assert fetch.calls == 1
    row = await session.scalar(select(ToxicologyCache))
    assert row is not None and row.expires_at - row.fetched_at == timedelta(days=30)


async def test_a_stale_hit_answers_at_once_and_asks_for_a_refresh_once(
    session: AsyncSession, redis: Redis
) -> None:
    fetch = Counting(ANSWER)
    past = datetime.now(UTC) - timedelta(days=31)
    await get_or_fetch(session, redis, "glycerin", "pubchem", fetch, now=past)
    refreshes: list[tuple[str, str]] = []

    async def on_stale(key: str, source: str) -> None:
        refreshes.append((key, source))

    for _ in range(2):
        stale = await get_or_fetch(session, redis, "glycerin", "pubchem", fetch, on_stale=on_stale)
        assert stale.freshness is Freshness.stale and stale.result == ANSWER
    assert fetch.calls == 1
    assert refreshes == [("glycerin", "pubchem")]


async def test_a_failure_writes_nothing_and_is_asked_again(
    session: AsyncSession, redis: Redis
) -> None:
    fetch = Counting(SourceResult.unavailable("pubchem", "PubChem: HTTP 503"))
    for _ in range(2):
        failed = await get_or_fetch(session, redis, "glycerin", "pubchem", fetch)
        assert failed.freshness is Freshness.failed
        assert failed.result.message.startswith("[source unavailable]")
    assert fetch.calls == 2
    assert await rows(session) == 0


async def test_not_in_the_source_is_an_answer_and_kept(session: AsyncSession, redis: Redis) -> None:
    fetch = Counting(SourceResult("pubchem", SourceStatus.not_found, "not in PubChem"))
    await get_or_fetch(session, redis, "made-up name", "pubchem", fetch)
    again = await get_or_fetch(session, redis, "made-up name", "pubchem", fetch)
    assert again.freshness is Freshness.fresh and again.result.message == "not in PubChem"
    assert fetch.calls == 1


async def pubchem_batch(keys: Sequence[str]) -> Mapping[str, SourceResult]:
    return {
        k: SourceResult("pubchem", SourceStatus.found, f"CID for {k}", {"key": k}) for k in keys
    }


async def echa_never_answers(keys: Sequence[str]) -> Mapping[str, SourceResult]:
    await asyncio.sleep(30)
    raise AssertionError("the timeout should have stopped this")


async def echa_breaks(keys: Sequence[str]) -> Mapping[str, SourceResult]:
    raise RuntimeError("bug")


async def test_one_source_timing_out_still_yields_the_other(
    session: AsyncSession, redis: Redis
) -> None:
    ingredients = ["Glycerin", "Phenoxyethanol", "Aqua"]
    found = await gather_sources(
        session,
        redis,
        ingredients,
        {"pubchem": pubchem_batch, "echa": echa_never_answers},
        timeouts={"pubchem": 5.0, "echa": 0.2},
    )
    assert set(found) == {"glycerin", "phenoxyethanol", "aqua"}
    for key, by_source in found.items():
        assert by_source["pubchem"].result.data == {"key": key}
        assert by_source["echa"].freshness is Freshness.failed
        assert by_source["echa"].result.message == "[source unavailable]: echa: timed out"
    assert await rows(session, "pubchem") == 3
    assert await rows(session, "echa") == 0


async def test_every_source_failing_caches_nothing(session: AsyncSession, redis: Redis) -> None:
    found = await gather_sources(
        session,
        redis,
        ["Glycerin"],
        {"pubchem": echa_breaks, "echa": echa_never_answers},
        timeouts=0.2,
    )
    assert all(c.freshness is Freshness.failed for c in found["glycerin"].values())
    assert await rows(session) == 0
