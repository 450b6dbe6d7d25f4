"""The toxicology sources as the cache calls them: PubChem and ECHA CHEM clients built from
settings (base URLs, per-request timeouts, PubChem's shared limiter), each turned into a
batch fetch for :func:`pifai.services.toxicology.cache.gather_sources`.

The HTTP transport is a parameter: the runtime passes ``None`` (the network), tests and
the bench an ``httpx.MockTransport``."""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from pifai.ai.toxicology import echa, pubchem
from pifai.ai.toxicology.echa import EchaClient
from pifai.ai.toxicology.pubchem import PubChemClient
from pifai.ai.toxicology.ratelimit import Limiter
from pifai.ai.toxicology.sources import SourceResult
from pifai.core.config import Settings
from pifai.services.toxicology.cache import BatchFetch, normalise_key

SOURCES = (pubchem.SOURCE, echa.SOURCE)
_CAS = re.compile(r"^\d{2,7}-\d{2}-\d$")
# Counts the ingredients a source has answered (for the task's progress).
Tick = Callable[[int], None]


def cache_key(name: str | None, cas: str | None) -> str:
    """What an answer is cached under: the row's name, else its CAS number (the label the
    rule engine and the safety drafts give a row, so they read what the batch wrote)."""
    return normalise_key(name or cas or "")


def query_for(name: str | None, cas: str | None) -> str:
    """What the sources are asked: the CAS number when well-formed (ECHA CHEM matches it
    exactly, and an INCI name is often not a registered substance name), else the name."""
    if cas and _CAS.match(cas.strip()):
        return cas.strip()
    return " ".join((name or "").split())


def batch_timeouts(settings: Settings, count: int) -> dict[str, float]:
    """A bound on each source's whole batch, past which its answers count as unavailable:
    a safety net, since every request has its own timeout on the HTTP client.

    A batch is many requests: PubChem's bound allows for its rate limit (2 requests per
    compound plus the property requests, at ``pubchem_max_per_second``) shared with as
    many other batches as a worker runs at once, and one retry of each stage's request;
    ECHA's for up to 3 requests per substance, ``echa_max_concurrency`` at once, each
    retried once."""
    n = max(1, count)
    requests = 2 * n + math.ceil(n / pubchem.MAX_CIDS_PER_REQUEST)
    shared = requests * settings.worker_concurrency / settings.pubchem_max_per_second
    pubchem_bound = shared + 2 * (2 * settings.pubchem_timeout_seconds + 1)
    waves = math.ceil(n / settings.echa_max_concurrency)
    echa_bound = waves * 3 * (2 * settings.echa_timeout_seconds + 1)
    return {pubchem.SOURCE: pubchem_bound, echa.SOURCE: echa_bound}


@dataclass(frozen=True)
class Sources:
    pubchem: PubChemClient
    echa: EchaClient
    echa_concurrency: int

    def fetchers(
        self,
        tick: Tick | None = None,
        only: Sequence[str] = SOURCES,
        queries: Mapping[str, str] | None = None,
    ) -> dict[str, BatchFetch]:
        """The batch fetch of each source in ``only``: each cache key asked as
        ``queries[key]`` (the key itself when absent); ``tick(n)`` as answers arrive."""
        count = tick or (lambda n: None)
        asked = dict(queries or {})

        async def from_pubchem(keys: Sequence[str]) -> Mapping[str, SourceResult]:
            # One batch: the names one request each, the properties in few requests.
            answers = await self.pubchem.lookup([asked.get(k, k) for k in keys])
            count(len(keys))
            return {k: answers[asked.get(k, k)] for k in keys}

        async def from_echa(keys: Sequence[str]) -> Mapping[str, SourceResult]:
            # ECHA CHEM has no batch form: one substance per request chain, bounded.
            gate = asyncio.Semaphore(self.echa_concurrency)

            async def one(key: str) -> SourceResult:
                async with gate:
                    answer = await self.echa.lookup(asked.get(key, key))
                count(1)
                return answer

            answers = await asyncio.gather(*(one(k) for k in keys))
            return dict(zip(keys, answers, strict=True))

        every = {pubchem.SOURCE: from_pubchem, echa.SOURCE: from_echa}
        return {name: every[name] for name in only}


@asynccontextmanager
async def open_sources(
    settings: Settings,
    limiter: Limiter | None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Sources]:
    """Both clients for one run, their connections closed after."""
    pubchem_http = httpx.AsyncClient(timeout=settings.pubchem_timeout_seconds, transport=transport)
    echa_http = httpx.AsyncClient(timeout=settings.echa_timeout_seconds, transport=transport)
    try:
        yield Sources(
            PubChemClient.from_settings(pubchem_http, settings, limiter),
            EchaClient.from_settings(echa_http, settings),
            settings.echa_max_concurrency,
        )
    finally:
        await pubchem_http.aclose()
        await echa_http.aclose()
