"""Queue consumer entry points: ``python -m pifai.worker`` and ``pifai worker``.

The worker itself is pifai.services.task_worker (kept apart so that running this
module as ``__main__`` never defines the Prometheus metrics twice).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Sequence

from pifai.core.config import Settings
from pifai.services.jobs import load_jobs
from pifai.services.runtime import Runtime, start_runtime
from pifai.services.task_worker import Worker, run_worker

__all__ = ["InProcessWorker", "Worker", "main", "run_worker", "worker_main"]


class InProcessWorker:
    """A worker task inside another process's event loop (``pifai serve``, embedded)."""

    def __init__(self, job: asyncio.Task[None], stop_event: asyncio.Event) -> None:
        self._job = job
        self._stop = stop_event

    @classmethod
    def start(cls, runtime: Runtime) -> InProcessWorker:
        stop_event = asyncio.Event()
        job = asyncio.create_task(
            run_worker(runtime.session_factory, runtime.redis, runtime.settings, stop=stop_event)
        )
        return cls(job, stop_event)

    async def stop(self) -> None:
        """Stop reading and drain (bounded by WORKER_DRAIN_TIMEOUT_SECONDS)."""
        self._stop.set()
        await self._job


async def _serve(settings: Settings, concurrency: int | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runtime = await start_runtime(settings, run_migrations=False)
    try:
        if settings.worker_metrics_port:
            from prometheus_client import start_http_server

            start_http_server(settings.worker_metrics_port)
        await run_worker(
            runtime.session_factory, runtime.redis, settings, stop=stop, concurrency=concurrency
        )
    finally:
        await runtime.close()


def worker_main(concurrency: int | None = None, imports: Sequence[str] = ()) -> None:
    """Entry of ``python -m pifai.worker`` and ``pifai worker``."""
    from pifai.core.config import get_settings
    from pifai.core.logging import configure_logging

    settings = get_settings()
    configure_logging(json=settings.json_logs, level=settings.log_level)
    # The registered kinds, plus modules that add more (e.g. test-only kinds).
    load_jobs(tuple(imports))
    asyncio.run(_serve(settings, concurrency))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pifai.worker", description=__doc__)
    parser.add_argument("--concurrency", type=int, default=None)
    parser.add_argument(
        "--import", dest="imports", action="append", default=[], help="handler module"
    )
    args = parser.parse_args(argv)
    worker_main(args.concurrency, args.imports)


if __name__ == "__main__":
    main()
