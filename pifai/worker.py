"""Queue consumer entry points: ``python -m pifai.worker`` and ``pifai worker``.

The worker itself is pifai.services.queue (kept apart so that running this module as
``__main__`` never defines the Prometheus metrics twice).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import signal
from collections.abc import Iterable, Sequence

from pifai.core.config import Settings
from pifai.services.queue import Job, PeriodicJob, Worker, run_worker
from pifai.services.runtime import Runtime, start_runtime

__all__ = ["InProcessWorker", "Worker", "extra_jobs", "main", "run_worker", "worker_main"]


class InProcessWorker:
    """A worker task inside another process's event loop (``pifai serve``, embedded)."""

    def __init__(self, job: asyncio.Task[None], stop_event: asyncio.Event) -> None:
        self._job = job
        self._stop = stop_event

    @classmethod
    def start(cls, runtime: Runtime) -> InProcessWorker:
        stop_event = asyncio.Event()
        job = asyncio.create_task(run_worker(runtime, stop=stop_event))
        return cls(job, stop_event)

    async def stop(self) -> None:
        """Stop reading and drain (bounded by WORKER_DRAIN_TIMEOUT_SECONDS)."""
        self._stop.set()
        await self._job


def extra_jobs(references: Sequence[str]) -> list[Job | PeriodicJob]:
    """Jobs named by ``module:function`` references, each function returning jobs (e.g.
    test-only ones: ``tests.factories.tasks:test_jobs``)."""
    found: list[Job | PeriodicJob] = []
    for reference in references:
        module, _, name = reference.partition(":")
        if not name:
            raise ValueError(f"{reference!r} is not module:function")
        make: object = getattr(importlib.import_module(module), name)
        if not callable(make):
            raise ValueError(f"{reference!r} is not a function")
        jobs: Iterable[Job | PeriodicJob] = make()
        found.extend(jobs)
    return found


async def _serve(
    settings: Settings, concurrency: int | None, extra: Sequence[Job | PeriodicJob]
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    concurrency = concurrency or settings.worker_concurrency
    # The pool is sized from the concurrency, so the two always agree.
    runtime = await start_runtime(settings, run_migrations=False, worker_concurrency=concurrency)
    try:
        runtime.jobs = runtime.jobs.including(*extra)
        if settings.worker_metrics_port:
            from prometheus_client import start_http_server

            start_http_server(settings.worker_metrics_port)
        await run_worker(runtime, stop=stop, concurrency=concurrency)
    finally:
        await runtime.close()


def worker_main(concurrency: int | None = None, jobs: Sequence[str] = ()) -> None:
    """Entry of ``python -m pifai.worker`` and ``pifai worker``."""
    from pifai.core.config import get_settings
    from pifai.core.logging import configure_logging_from

    settings = get_settings()
    configure_logging_from(settings)
    asyncio.run(_serve(settings, concurrency, extra_jobs(jobs)))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pifai.worker", description=__doc__)
    parser.add_argument("--concurrency", type=int, default=None)
    parser.add_argument(
        "--jobs",
        action="append",
        default=[],
        help="module:function returning more jobs to run (repeatable)",
    )
    args = parser.parse_args(argv)
    worker_main(args.concurrency, args.jobs)


if __name__ == "__main__":
    main()
