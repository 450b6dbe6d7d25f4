"""What the queue runs, as data: jobs, the job list, and what a handler receives.

A :class:`Job` is a kind of queued task. Its handler gets a :class:`JobContext` (the
org-scoped session, the claimed task, a progress reporter, the process's runtime) and
returns the task's JSON result. Whatever it writes through the session commits in the
same transaction that marks the task done, and only if this worker still holds the
claim, so its database effects happen once even when a task is delivered twice; work it
registers with ``after_commit`` (e.g. publishing a follow-up task) runs after that commit
and is dropped when the handler fails.

A :class:`PeriodicJob` is work every worker schedules; a Redis lock lets one of them run
it per interval.

The process's :class:`JobList` is built once (``pifai.services.jobs.production_jobs``)
and held on its ``Runtime``: web and worker read the same list.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.errors import ValidationFailed
from pifai.domain import ITEM_NUMBERS
from pifai.models.task import Task

if TYPE_CHECKING:
    from pifai.services.runtime import Runtime

# `<context>.<verb>`. The queue's own keys (queue:dead, queue:delayed) have no dot, so a
# job's stream can never be one of them.
JOB_NAME = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


class PermanentTaskError(Exception):
    """Raised by a handler when retrying cannot help: the task fails at once."""


class TaskCancelled(Exception):
    """Raised by the progress reporter when the task's cancellation was requested."""


class UnknownTaskKind(ValidationFailed):
    code = "unknown_task_kind"


class ProgressReporter(Protocol):
    async def __call__(self, percent: int, message: str | None = None) -> None: ...


@dataclass(frozen=True)
class JobContext:
    """What a handler works with: its transaction, its task, and the process.

    The worker's pool has one connection per task in flight: a handler works through
    ``session``, never a second session of its own held at the same time."""

    session: AsyncSession  # scoped to the task's organisation
    task: Task
    progress: ProgressReporter
    runtime: Runtime


TaskResult = dict[str, Any] | None
Handler = Callable[[JobContext], Awaitable[TaskResult]]
# Runs in the transaction that marks the task failed for good (e.g. the fail-soft edge
# that returns a PIF item to "uploaded").
FailureHook = Callable[[AsyncSession, Task, str], Awaitable[None]]
PeriodicRun = Callable[["Runtime"], Awaitable[None]]
# Seconds between runs for these settings; None: disabled.
Interval = Callable[[Settings], float | None]


def _check_name(name: str) -> None:
    if not JOB_NAME.fullmatch(name):
        raise ValueError(f"job name {name!r} is not <context>.<verb>")


@dataclass(frozen=True)
class Job:
    """A kind of queued task; its tasks are rows of this ``kind``."""

    name: str
    handler: Handler
    # The PIF item it analyses: POST .../pif/analyze queues this job for that item.
    item: int | None = None
    # Further items the same job analyses (one reader for several kinds of report).
    more_items: tuple[int, ...] = ()
    on_failure: FailureHook | None = None
    # Clients may enqueue it directly through POST /api/v1/tasks (harmless jobs only).
    public: bool = False

    def __post_init__(self) -> None:
        _check_name(self.name)
        for item in self.analysed_items:
            if item not in ITEM_NUMBERS:
                raise ValueError(f"PIF items are numbered 1 to 16, not {item}")

    @property
    def analysed_items(self) -> tuple[int, ...]:
        return ((self.item,) if self.item is not None else ()) + self.more_items


@dataclass(frozen=True)
class PeriodicJob:
    """Work run every ``interval(settings)`` seconds on one of the workers."""

    name: str
    run: PeriodicRun
    interval: Interval

    def __post_init__(self) -> None:
        _check_name(self.name)


class JobList:
    """Every job of a process, by name; immutable (``including`` makes a new list)."""

    def __init__(self, jobs: Iterable[Job | PeriodicJob]) -> None:
        self._all = tuple(jobs)
        self._tasks: dict[str, Job] = {}
        self._analyses: dict[int, Job] = {}
        seen: set[str] = set()
        for job in self._all:
            if job.name in seen:
                raise ValueError(f"job {job.name!r} is listed twice")
            seen.add(job.name)
            if isinstance(job, Job):
                self._tasks[job.name] = job
                for item in job.analysed_items:
                    if item in self._analyses:
                        raise ValueError(f"item {item} has two analyses")
                    self._analyses[item] = job
        self.periodic: tuple[PeriodicJob, ...] = tuple(
            j for j in self._all if isinstance(j, PeriodicJob)
        )

    def including(self, *jobs: Job | PeriodicJob) -> JobList:
        return JobList((*self._all, *jobs))

    def get(self, name: str) -> Job | None:
        return self._tasks.get(name)

    def require(self, name: str) -> Job:
        job = self._tasks.get(name)
        if job is None:
            raise UnknownTaskKind(f"unknown task kind {name!r}", details={"kinds": self.names()})
        return job

    def names(self) -> list[str]:
        """The task kinds (periodic jobs are not queued)."""
        return sorted(self._tasks)

    def public(self) -> list[Job]:
        return [job for job in self._tasks.values() if job.public]

    def analysis(self, item_number: int) -> Job | None:
        return self._analyses.get(item_number)

    def analysed_items(self) -> list[int]:
        return sorted(self._analyses)

    def __contains__(self, name: object) -> bool:
        return name in self._tasks

    def __iter__(self) -> Iterator[Job]:
        return iter(self._tasks.values())
