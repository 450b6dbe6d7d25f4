"""The toxicology tasks.

- ``toxicology.batch`` (payload ``product_id``): every ingredient of the product's formula
  through PubChem and ECHA CHEM by way of the shared cache, progress in the task row. One
  source down marks "[source unavailable]" for its ingredients and the run goes on; when
  every source failed for every ingredient nothing is cached and the task fails its
  attempt, so the queue retries it later. A stale entry is served and a refresh queued.
- ``toxicology.refresh`` (payload ``ingredient``: the cache key, ``query``: what the
  sources are asked, ``sources``, ``force``): the sources asked again about one
  ingredient and the entries overwritten; a failure leaves the entry as it is and fails
  the attempt (the queue retries it).

The cache is shared by every tenant; a task row needs an organisation: a refresh belongs
to the organisation whose run (or request) asked for it."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.toxicology.sources import SourceResult
from pifai.models.product import Product
from pifai.models.task import Task
from pifai.services.compliance import product_formula
from pifai.services.ingredients import get_ingredient
from pifai.services.queue import JobContext, JobList, ProgressReporter, TaskResult, enqueue
from pifai.services.toxicology.cache import (
    Cached,
    Freshness,
    gather_sources,
    normalise_key,
    read_entries,
    store_answer,
)
from pifai.services.toxicology.clients import (
    SOURCES,
    batch_timeouts,
    cache_key,
    open_sources,
    query_for,
)
from pifai.services.toxicology.entries import refresh_key, refresh_query

BATCH_JOB = "toxicology.batch"
REFRESH_JOB = "toxicology.refresh"
# How often the running batch writes its progress to the task row.
PROGRESS_EVERY_SECONDS = 0.5

T = TypeVar("T")


class SourcesUnavailable(Exception):
    """Not one source answered: nothing was cached, and the attempt fails so that the
    queue runs the task again after its backoff (not a PermanentTaskError)."""


class _Answers:
    """Ingredients answered so far, over every source."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0

    def tick(self, count: int) -> None:
        self.done += count

    def percent(self) -> int:
        # 5 % once the formula is read, 95 % when every source has answered.
        return 5 + int(90 * self.done / max(1, self.total))


async def _reporting(work: Awaitable[T], progress: ProgressReporter, answers: _Answers) -> T:
    """``work``, with the progress written while it runs. The reporter's own errors (the
    task cancelled, the claim lost) stop the work and propagate; the sources' errors are
    answers inside ``work`` and never reach here."""
    running = asyncio.ensure_future(work)
    reported = -1
    try:
        while not running.done():
            await asyncio.wait({running}, timeout=PROGRESS_EVERY_SECONDS)
            if not running.done() and answers.done != reported:
                reported = answers.done
                await progress(answers.percent(), f"{answers.done} of {answers.total} answers")
    except BaseException:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        raise
    return running.result()


def _refresh_key(key: str, sources: Sequence[str]) -> str:
    # The ingredient may be long; the key column is not. One pending refresh per
    # ingredient and sources per organisation.
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"{'+'.join(sorted(sources))}:{digest}"


async def enqueue_refresh(
    session: AsyncSession,
    redis: Redis,
    jobs: JobList,
    *,
    org_id: uuid.UUID,
    ingredient: str,
    query: str,
    sources: Sequence[str],
    force: bool,
    created_by: uuid.UUID | None = None,
) -> Task:
    """A refresh of ``ingredient`` (a cache key) from ``sources``, asked as ``query``;
    published on commit."""
    key = normalise_key(ingredient)
    return await enqueue(
        session,
        redis,
        jobs.require(REFRESH_JOB),
        org_id=org_id,
        payload={"ingredient": key, "query": query, "sources": list(sources), "force": force},
        created_by=created_by,
        idempotency_key=_refresh_key(key, sources),
    )


async def request_batch(
    session: AsyncSession, redis: Redis, jobs: JobList, product: Product, actor_id: uuid.UUID
) -> Task:
    """Queue the toxicology batch of the product's formula; published on commit."""
    return await enqueue(
        session,
        redis,
        jobs.require(BATCH_JOB),
        org_id=product.org_id,
        payload={"product_id": str(product.id)},
        created_by=actor_id,
    )


async def request_ingredient_refresh(
    session: AsyncSession,
    redis: Redis,
    jobs: JobList,
    ingredient_id: uuid.UUID,
    org_id: uuid.UUID,
    actor_id: uuid.UUID,
) -> Task:
    """Queue a forced refresh of every source for the ingredient (404 when unknown)."""
    ingredient = await get_ingredient(session, ingredient_id)
    return await enqueue_refresh(
        session,
        redis,
        jobs,
        org_id=org_id,
        ingredient=refresh_key(ingredient),
        query=refresh_query(ingredient),
        sources=SOURCES,
        force=True,
        created_by=actor_id,
    )


def summarise(found: dict[str, dict[str, Cached]], names: dict[str, list[str]]) -> dict[str, Any]:
    """Per source the count of found / not_found / unavailable, and the ingredients a
    source could not answer for, with its message."""
    counts = {s: {"found": 0, "not_found": 0, "unavailable": 0} for s in SOURCES}
    freshness = {f.value: 0 for f in Freshness}
    unavailable: list[dict[str, Any]] = []
    for key, by_source in found.items():
        failed: dict[str, str] = {}
        for source, cached in by_source.items():
            counts[source][cached.result.status.value] += 1
            freshness[cached.freshness.value] += 1
            if cached.freshness is Freshness.failed:
                failed[source] = cached.result.message
        if failed:
            unavailable += [
                {"ingredient": name, "key": key, "sources": failed} for name in names[key]
            ]
    return {
        "ingredients": sum(len(v) for v in names.values()),
        "sources": counts,
        "entries": freshness,
        "unavailable": unavailable,
    }


def _every_answer_failed(found: dict[str, dict[str, Cached]]) -> bool:
    answers = [c for by_source in found.values() for c in by_source.values()]
    return bool(answers) and all(c.freshness is Freshness.failed for c in answers)


async def toxicology_batch(ctx: JobContext) -> TaskResult:
    """The task: the formula's ingredients through every source, by way of the cache."""
    session, task, runtime = ctx.session, ctx.task, ctx.runtime
    product_id = uuid.UUID(str(task.payload["product_id"]))
    _, items = await product_formula(session, product_id, task.org_id)
    names: dict[str, list[str]] = {}
    queries: dict[str, str] = {}
    for item in items:
        key = cache_key(item.name, item.cas)
        if key:
            names.setdefault(key, []).append(item.name or str(item.cas))
            queries.setdefault(key, query_for(item.name, item.cas))
    answers = _Answers(len(names) * len(SOURCES))
    await ctx.progress(5, f"{len(names)} ingredients, {len(SOURCES)} sources")
    refreshes: list[str] = []

    async def on_stale(key: str, source: str) -> None:
        # Same transaction as the run: the refresh row commits (and is published) with it.
        refresh = await enqueue_refresh(
            session, runtime.redis, runtime.jobs, org_id=task.org_id, ingredient=key,
            query=queries.get(key, key), sources=[source], force=False,
        )  # fmt: skip
        refreshes.append(str(refresh.id))

    settings = runtime.settings
    async with open_sources(settings, runtime.pubchem_limiter, runtime.toxicology_transport) as s:
        work = gather_sources(
            session,
            runtime.redis,
            list(names),
            s.fetchers(answers.tick, queries=queries),
            timeouts=batch_timeouts(settings, len(names)),
            on_stale=on_stale,
        )
        found = await _reporting(work, ctx.progress, answers)
    summary = summarise(found, names)
    if _every_answer_failed(found):
        raise SourcesUnavailable(
            f"every source failed for all {len(names)} ingredients; nothing was cached"
        )
    return {"product_id": str(product_id), **summary, "refreshes_queued": refreshes}


async def toxicology_refresh(ctx: JobContext) -> TaskResult:
    """The task: one ingredient asked again; its answers overwrite the cached entries.
    Without ``force`` a source whose entry is fresh again (another refresh came first)
    is not asked."""
    session, payload, runtime = ctx.session, ctx.task.payload, ctx.runtime
    key = normalise_key(str(payload["ingredient"]))
    wanted = [s for s in payload.get("sources") or [] if s in SOURCES]
    now = datetime.now(UTC)
    if not payload.get("force"):
        entries = await read_entries(session, [key], wanted)
        wanted = [s for s in wanted if not (e := entries.get((key, s))) or e.expires_at <= now]
    if not wanted:
        return {"ingredient": key, "refreshed": [], "skipped": "fresh"}
    bounds = batch_timeouts(runtime.settings, 1)
    transport = runtime.toxicology_transport
    async with open_sources(runtime.settings, runtime.pubchem_limiter, transport) as s:
        query = str(payload.get("query") or key)
        fetchers = s.fetchers(only=wanted, queries={key: query})
        outcomes = await asyncio.gather(
            *(asyncio.wait_for(fetchers[name]([key]), bounds[name]) for name in wanted),
            return_exceptions=True,
        )
    failed: dict[str, str] = {}
    for name, outcome in zip(wanted, outcomes, strict=True):
        result = outcome.get(key) if isinstance(outcome, dict) else None
        if not isinstance(result, SourceResult) or not await store_answer(session, key, result):
            failed[name] = result.message if isinstance(result, SourceResult) else repr(outcome)
    if failed:
        # The attempt fails: what this run wrote rolls back, the entries stay as they
        # were, and the queue tries again later.
        raise SourcesUnavailable(f"{key}: " + "; ".join(f"{k}: {v}" for k, v in failed.items()))
    await session.flush()
    return {"ingredient": key, "refreshed": wanted}
