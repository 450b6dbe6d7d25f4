"""The task queue: producers write a row and publish it to a Redis stream; workers claim,
run and settle it (:mod:`.worker`); what they run is the job list (:mod:`.registry`)."""

from pifai.services.queue.outcomes import retry_delay
from pifai.services.queue.pool import worker_pool
from pifai.services.queue.producer import (
    TaskAlreadyFinished,
    TaskNotFound,
    cancel_task_for_org,
    create_task,
    enqueue,
    enqueue_many,
    get_task_for_org,
    list_tasks_for_org,
    publish_after_commit,
    publish_committed,
)
from pifai.services.queue.registry import (
    FailureHook,
    Handler,
    Job,
    JobContext,
    JobList,
    PeriodicJob,
    PermanentTaskError,
    ProgressReporter,
    TaskCancelled,
    TaskResult,
    UnknownTaskKind,
)
from pifai.services.queue.streams import (
    DEAD_STREAM,
    DELAYED_KEY,
    GROUP,
    Envelope,
    stream_key,
)
from pifai.services.queue.sweeper import sweep_undelivered
from pifai.services.queue.worker import Worker, run_worker

__all__ = [
    "DEAD_STREAM",
    "DELAYED_KEY",
    "GROUP",
    "Envelope",
    "FailureHook",
    "Handler",
    "Job",
    "JobContext",
    "JobList",
    "PeriodicJob",
    "PermanentTaskError",
    "ProgressReporter",
    "TaskAlreadyFinished",
    "TaskCancelled",
    "TaskNotFound",
    "TaskResult",
    "UnknownTaskKind",
    "Worker",
    "cancel_task_for_org",
    "create_task",
    "enqueue",
    "enqueue_many",
    "get_task_for_org",
    "list_tasks_for_org",
    "publish_after_commit",
    "publish_committed",
    "retry_delay",
    "run_worker",
    "stream_key",
    "sweep_undelivered",
    "worker_pool",
]
