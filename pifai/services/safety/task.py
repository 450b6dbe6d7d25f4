"""The ``safety.assess`` task: the engine on the product's formula, the result kept, and
the drafts of items 9, 10 and 16 written from it."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.models.product import Product
from pifai.models.task import Task
from pifai.services.compliance import product_formula
from pifai.services.queue import JobContext, JobList, TaskResult, enqueue
from pifai.services.safety.assessment import record_assessment
from pifai.services.safety.drafts import build_drafts, write_drafts

SAFETY_JOB = "safety.assess"


async def request_assessment(
    session: AsyncSession, redis: Redis, jobs: JobList, product: Product, actor_id: uuid.UUID
) -> Task:
    """Queue the product's assessment (the task keeps its result); published on commit."""
    return await enqueue(
        session,
        redis,
        jobs.require(SAFETY_JOB),
        org_id=product.org_id,
        payload={"product_id": str(product.id)},
        created_by=actor_id,
    )


async def safety_assess(ctx: JobContext) -> TaskResult:
    """The task: the product's formula through the safety engine, the result kept, the
    drafts of items 9, 10 and 16 written."""
    product_id = uuid.UUID(str(ctx.task.payload["product_id"]))
    org_id = ctx.task.org_id
    await ctx.progress(20, "assessing the formula")
    row = await record_assessment(
        ctx.session, product_id, org_id, ctx.runtime.reference, task_id=ctx.task.id
    )
    await ctx.progress(60, "drafting items 9, 10 and 16")
    product, formula = await product_formula(ctx.session, product_id, org_id)
    drafts = await build_drafts(
        ctx.session,
        product,
        formula,
        row.result,
        str(row.id),
        ctx.runtime.settings,
        llm_transport=ctx.runtime.llm_transport,
    )
    outcome = await write_drafts(ctx.session, product_id, org_id, drafts)
    return {
        "assessment_id": str(row.id),
        "verdict": row.verdict,
        "drafts": {str(number): what for number, what in outcome.items()},
    }
