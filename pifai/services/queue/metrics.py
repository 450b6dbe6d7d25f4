"""The queue's Prometheus metrics (per process: defined once, on first import)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram
from redis.asyncio import Redis

from pifai.services.queue.streams import DELAYED_KEY, GROUP, stream_key

STREAM_LENGTH = Gauge("pifai_queue_stream_length", "Entries in queue:<kind>", ["kind"])
PENDING_ENTRIES = Gauge(
    "pifai_queue_pending_entries", "Entries delivered to a worker, not yet acked", ["kind"]
)
DELAYED_ENTRIES = Gauge("pifai_queue_delayed_entries", "Retries waiting in queue:delayed")
TASKS_DONE = Counter("pifai_tasks_done_total", "Tasks finished successfully", ["kind"])
TASKS_FAILED = Counter("pifai_tasks_failed_total", "Tasks failed for good", ["kind"])
TASKS_RETRIED = Counter("pifai_tasks_retried_total", "Task attempts scheduled again", ["kind"])
TASKS_GIVEN_BACK = Counter(
    "pifai_tasks_given_back_total",
    "Attempts handed back after an infrastructure fault (run again, not counted)",
    ["kind"],
)
TASK_RUN_TIME = Histogram(
    "pifai_task_run_seconds",
    "Handler run time",
    ["kind"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900),
)


async def observe_queues(redis: Redis, kinds: Iterable[str]) -> None:
    """The gauges an autoscaler reads: waiting and running entries, delayed retries."""
    for kind in kinds:
        key = stream_key(kind)
        STREAM_LENGTH.labels(kind).set(await redis.xlen(key))
        summary = await redis.xpending(key, GROUP)
        PENDING_ENTRIES.labels(kind).set(summary["pending"])
    DELAYED_ENTRIES.set(await redis.zcard(DELAYED_KEY))
