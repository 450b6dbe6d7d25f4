"""Task status for polling clients: GET one, list, cancel (and enqueue of public kinds)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Response, status

from pifai.api.deps import (
    CurrentPrincipal,
    OrgSession,
    PageDep,
    RuntimeDep,
    TransactionalRoute,
)
from pifai.api.json_numbers import refuse_unreadable_numbers
from pifai.models.task import Task
from pifai.schemas.task import TaskCreate, TaskPage, TaskRead, TaskStatus
from pifai.services import queue as service

router = APIRouter(prefix="/tasks", tags=["tasks"], route_class=TransactionalRoute)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TaskRead,
    dependencies=[Depends(refuse_unreadable_numbers)],
)
async def enqueue_task(
    body: TaskCreate, user: CurrentPrincipal, session: OrgSession, runtime: RuntimeDep
) -> Task:
    """Queue a task of a public kind (``system.noop``: an end-to-end queue check). Other
    kinds are queued by their own endpoints. Poll ``GET /tasks/{id}`` for the outcome."""
    job = runtime.jobs.get(body.kind)
    if job is None or not job.public:
        raise service.UnknownTaskKind(
            f"task kind {body.kind!r} cannot be queued directly",
            details={"kinds": [j.name for j in runtime.jobs.public()]},
        )
    # Returned as is: the response is read once the task is committed and published.
    return await service.enqueue(
        session,
        runtime.redis,
        job,
        org_id=user.org_id,
        payload=body.payload,
        created_by=user.id,
        idempotency_key=body.idempotency_key,
    )


@router.get("", response_model=TaskPage)
async def list_tasks(
    user: CurrentPrincipal,
    session: OrgSession,
    page: PageDep,
    kind: str | None = Query(default=None, max_length=100),
    statuses: list[TaskStatus] = Query(
        default=[], alias="status", description="Repeat for several (e.g. pending and processing)."
    ),
    product_id: uuid.UUID | None = Query(default=None, description="The product it works on."),
    item_number: int | None = Query(default=None, ge=1, le=16, description="The PIF item."),
) -> TaskPage:
    items, total = await service.list_tasks_for_org(
        session,
        user.org_id,
        kind=kind,
        statuses=statuses,
        product_id=product_id,
        item_number=item_number,
        limit=page.limit,
        offset=page.offset,
    )
    return TaskPage.of(items, total, page.limit, page.offset)


@router.get("/{task_id}", response_model=TaskRead)
async def get_task(task_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession) -> TaskRead:
    return TaskRead.model_validate(await service.get_task_for_org(session, task_id, user.org_id))


@router.delete(
    "/{task_id}",
    response_model=TaskRead,
    responses={
        202: {"description": "running: cancellation requested, the worker stops it"},
        409: {"description": "already finished"},
    },
)
async def cancel_task(
    task_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession, response: Response
) -> TaskRead:
    """Pending: cancelled now (200). Processing: cancelled cooperatively (202)."""
    task = await service.cancel_task_for_org(session, task_id, user.org_id)
    if task.status == "processing":
        response.status_code = status.HTTP_202_ACCEPTED
    return TaskRead.model_validate(task)
