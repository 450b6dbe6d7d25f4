"""The toxicology cache: 30 days fresh, then served stale while a refresh is asked for;
a source's failure is never written, so the next run asks again.

Fetching runs outside the session (one AsyncSession cannot serve concurrent tasks): the
entries are read in one query, the missing ones fetched concurrently, each source under
its own timeout, and the answers written afterwards. Services flush, never commit."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import structlog
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.toxicology.sources import SourceResult
from pifai.models.toxicology import ToxicologyCache

log = structlog.get_logger(__name__)

TTL = timedelta(days=30)
# One refresh request per entry and hour, however many readers find it stale.
REFRESH_MARK_SECONDS = 3600

Fetch = Callable[[], Awaitable[SourceResult]]
# Several ingredients from one source at once (PubChem batches its property requests).
BatchFetch = Callable[[Sequence[str]], Awaitable[Mapping[str, SourceResult]]]
OnStale = Callable[[str, str], Awaitable[None] | None]


class Freshness(StrEnum):
    fresh = "fresh"
    stale = "stale"
    fetched = "fetched"
    failed = "failed"


@dataclass(frozen=True)
class Cached:
    result: SourceResult
    freshness: Freshness


def normalise_key(ingredient: str) -> str:
    return " ".join(ingredient.split()).lower()


async def read_entries(
    session: AsyncSession, keys: Sequence[str], sources: Sequence[str]
) -> dict[tuple[str, str], ToxicologyCache]:
    """The cached rows of these (normalised) keys and sources, as they are: no fetch, no
    refresh."""
    if not keys or not sources:
        return {}
    rows = await session.scalars(
        select(ToxicologyCache).where(
            ToxicologyCache.ingredient.in_(list(keys)), ToxicologyCache.source.in_(list(sources))
        )
    )
    return {(row.ingredient, row.source): row for row in rows}


async def _store(session: AsyncSession, key: str, result: SourceResult, now: datetime) -> None:
    values = {"data": result.to_dict(), "fetched_at": now, "expires_at": now + TTL}
    statement = insert(ToxicologyCache).values(ingredient=key, source=result.source, **values)
    await session.execute(
        statement.on_conflict_do_update(
            constraint="uq_toxicology_cache_ingredient_source", set_=values
        )
    )


async def store_answer(
    session: AsyncSession, key: str, result: SourceResult, now: datetime | None = None
) -> bool:
    """Write or overwrite one source's answer (a refresh); a failure is not written."""
    if result.cacheable:
        await _store(session, normalise_key(key), result, now or datetime.now(UTC))
    return result.cacheable


async def _stale(redis: Redis, key: str, source: str, on_stale: OnStale | None) -> None:
    if on_stale is None:
        return
    mark = f"toxicology:refresh:{source}:{key}"
    if await redis.set(mark, "1", nx=True, ex=REFRESH_MARK_SECONDS):
        outcome = on_stale(key, source)
        if inspect.isawaitable(outcome):
            await outcome


def _answer(row: ToxicologyCache, now: datetime) -> Cached:
    fresh = row.expires_at > now
    return Cached(SourceResult.from_dict(row.data), Freshness.fresh if fresh else Freshness.stale)


async def get_or_fetch(
    session: AsyncSession,
    redis: Redis,
    key: str,
    source: str,
    fetch: Fetch,
    *,
    on_stale: OnStale | None = None,
    now: datetime | None = None,
) -> Cached:
    """The cached answer of ``source`` about ``key``, fetching it when there is none."""

    async def batch(keys: Sequence[str]) -> Mapping[str, SourceResult]:
        return {keys[0]: await fetch()}

    found = await gather_sources(session, redis, [key], {source: batch}, on_stale=on_stale, now=now)
    return found[normalise_key(key)][source]


async def _run(
    source: str, fetch: BatchFetch, keys: Sequence[str], seconds: float
) -> dict[str, SourceResult]:
    try:
        answers = await asyncio.wait_for(fetch(keys), seconds)
    except TimeoutError:
        return {k: SourceResult.unavailable(source, f"{source}: timed out") for k in keys}
    except Exception as exc:  # a client bug must not stop the other sources
        log.warning("toxicology source failed", source=source, error=repr(exc))
        return {
            k: SourceResult.unavailable(source, f"{source}: {type(exc).__name__}") for k in keys
        }
    return {
        k: answers.get(k) or SourceResult.unavailable(source, f"{source}: no answer") for k in keys
    }


async def gather_sources(
    session: AsyncSession,
    redis: Redis,
    ingredients: Sequence[str],
    sources: Mapping[str, BatchFetch],
    *,
    timeouts: float | Mapping[str, float] = 30.0,
    on_stale: OnStale | None = None,
    now: datetime | None = None,
) -> dict[str, dict[str, Cached]]:
    """Every ingredient from every source: cached answers as they are, the rest fetched
    concurrently. One source down marks "[source unavailable]" for its ingredients and
    the others go on; only answers (found, not in the source) are written."""
    now = now or datetime.now(UTC)
    keys = list(dict.fromkeys(normalise_key(i) for i in ingredients))
    rows = await read_entries(session, keys, list(sources))
    out: dict[str, dict[str, Cached]] = {k: {} for k in keys}
    missing: dict[str, list[str]] = {s: [] for s in sources}
    for key in keys:
        for source in sources:
            row = rows.get((key, source))
            if row is None:
                missing[source].append(key)
                continue
            out[key][source] = cached = _answer(row, now)
            if cached.freshness is Freshness.stale:
                await _stale(redis, key, source, on_stale)
    todo = [(s, keys_) for s, keys_ in missing.items() if keys_]
    limits = timeouts if isinstance(timeouts, Mapping) else {s: timeouts for s in sources}
    fetched = await asyncio.gather(
        *(_run(s, sources[s], keys_, limits.get(s, 30.0)) for s, keys_ in todo)
    )
    for (source, _), answers in zip(todo, fetched, strict=True):
        for key, result in answers.items():
            if result.cacheable:
                await _store(session, key, result, now)
                out[key][source] = Cached(result, Freshness.fetched)
            else:
                out[key][source] = Cached(result, Freshness.failed)
    await session.flush()
    return out


async def read_cached(
    session: AsyncSession,
    ingredients: Sequence[str],
    sources: Sequence[str],
    *,
    now: datetime | None = None,
) -> dict[str, dict[str, Cached]]:
    """What the cache holds, fetching nothing: keyed by :func:`normalise_key`, then by
    source; a pair never fetched (or whose every fetch failed) is absent."""
    now = now or datetime.now(UTC)
    keys = list(dict.fromkeys(normalise_key(i) for i in ingredients))
    rows = await read_entries(session, keys, list(sources))
    out: dict[str, dict[str, Cached]] = {k: {} for k in keys}
    for (key, source), row in rows.items():
        out[key][source] = _answer(row, now)
    return out
