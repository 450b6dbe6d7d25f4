"""The queue's Redis layout, shared by producers and workers.

One stream ``queue:<kind>`` per job with the consumer group ``workers``; entries
``{task, org}``. Delayed retries wait in the sorted set ``queue:delayed`` (member
``kind|org|task``, score = due time in ms) until a worker promotes them. Tasks that
failed for good are copied to the stream ``queue:dead``. ``queue:given-back:<task>``
counts the attempts handed back after infrastructure faults.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis

from pifai.models.task import Task

STREAM_PREFIX = "queue:"
GROUP = "workers"
DEAD_STREAM = "queue:dead"
DELAYED_KEY = "queue:delayed"
SWEEPER_LOCK = "queue:sweeper-lock"
DEAD_STREAM_MAXLEN = 100_000


def stream_key(kind: str) -> str:
    return f"{STREAM_PREFIX}{kind}"


def given_back_key(task_id: uuid.UUID) -> str:
    return f"{STREAM_PREFIX}given-back:{task_id}"


def delayed_member(kind: str, org_id: uuid.UUID, task_id: uuid.UUID) -> str:
    return f"{kind}|{org_id}|{task_id}"


@dataclass(frozen=True)
class Envelope:
    """What a stream entry carries: enough to scope a session and find the row."""

    task_id: uuid.UUID
    org_id: uuid.UUID
    kind: str


def envelope(task: Task) -> Envelope:
    return Envelope(task.id, task.org_id, task.kind)


async def xadd_envelopes(redis: Redis, envelopes: Sequence[Envelope]) -> None:
    """One round trip for any number of entries."""
    pipe = redis.pipeline(transaction=False)
    for env in envelopes:
        pipe.xadd(stream_key(env.kind), {"task": str(env.task_id), "org": str(env.org_id)})
    await pipe.execute()
