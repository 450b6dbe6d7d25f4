"""Handler registry of the task queue: one explicit kind -> handler mapping.

A handler receives an org-scoped session, the claimed task and a progress reporter,
and returns the task's JSON result. Whatever it writes through the session commits in
the same transaction that marks the task done, and only if this worker still holds the
claim, so its database effects happen once even when a task is delivered twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings, get_settings
from pifai.models.task import Task

# The running worker's settings, for handlers (file keys, storage): the handler signature
# stays (session, task, progress) and tests can run workers with settings of their own.
task_settings: ContextVar[Settings] = ContextVar("task_settings")


def handler_settings() -> Settings:
    return task_settings.get(None) or get_settings()


class PermanentTaskError(Exception):
    """Raised by a handler when retrying cannot help: the task fails at once."""


class TaskCancelled(Exception):
    """Raised by the progress reporter when the task's cancellation was requested."""


class ProgressReporter(Protocol):
    async def __call__(self, percent: int, message: str | None = None) -> None: ...


TaskResult = dict[str, Any] | None
Handler = Callable[[AsyncSession, Task, ProgressReporter], Awaitable[TaskResult]]
# Runs in the transaction that marks the task failed for good (e.g. the fail-soft edge
# that returns a PIF item to "uploaded").
FailureHook = Callable[[AsyncSession, Task, str], Awaitable[None]]


@dataclass(frozen=True)
class TaskKind:
    kind: str
    handler: Handler
    # Clients may enqueue it directly through POST /api/v1/tasks (harmless kinds only).
    public: bool = False
    on_failure: FailureHook | None = None


class TaskRegistry:
    def __init__(self) -> None:
        self._kinds: dict[str, TaskKind] = {}

    def register(
        self, kind: str, *, public: bool = False, on_failure: FailureHook | None = None
    ) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            if kind in self._kinds:
                raise ValueError(f"task kind {kind!r} is already registered")
            self._kinds[kind] = TaskKind(kind, handler, public, on_failure)
            return handler

        return decorator

    def get(self, kind: str) -> TaskKind | None:
        return self._kinds.get(kind)

    def kinds(self) -> list[str]:
        return sorted(self._kinds)

    def __contains__(self, kind: object) -> bool:
        return kind in self._kinds

    def __iter__(self) -> Iterator[TaskKind]:
        return iter(self._kinds.values())


registry = TaskRegistry()
task_handler = registry.register

PeriodicJob = Callable[[async_sessionmaker[AsyncSession], Redis, Settings], Awaitable[None]]


@dataclass(frozen=True)
class Periodic:
    """Work every worker schedules; a Redis lock lets one of them run it per interval."""

    name: str
    interval: Callable[[Settings], float | None]  # None: disabled by the settings
    job: PeriodicJob


PERIODIC: list[Periodic] = []


def periodic(
    name: str, interval: Callable[[Settings], float | None]
) -> Callable[[PeriodicJob], PeriodicJob]:
    def decorator(job: PeriodicJob) -> PeriodicJob:
        PERIODIC.append(Periodic(name, interval, job))
        return job

    return decorator


@task_handler("noop", public=True)
async def noop(session: AsyncSession, task: Task, progress: ProgressReporter) -> TaskResult:
    """Does nothing: a queue smoke test and the benchmark's unit of work."""
    return {"ok": True, "echo": task.payload.get("echo")}


@task_handler("test.fail")
async def configurable_failure(
    session: AsyncSession, task: Task, progress: ProgressReporter
) -> TaskResult:
    """Fails its first ``fail_times`` attempts (all when absent), then succeeds.

    Payload: ``fail_times`` (int), ``permanent`` (bool: fail without retrying),
    ``sleep`` (seconds to run before deciding), ``message``.
    """
    payload = task.payload
    if sleep := float(payload.get("sleep", 0)):
        await asyncio.sleep(sleep)
    message = str(payload.get("message", "configured failure"))
    if payload.get("permanent"):
        raise PermanentTaskError(message)
    fail_times = payload.get("fail_times")
    if fail_times is None or task.attempts <= int(fail_times):
        raise RuntimeError(f"{message} (attempt {task.attempts})")
    return {"ok": True, "attempts": task.attempts}
