"""Every job of the application, as data. The list is built once per process and held on
its ``Runtime``; web (POST /api/v1/tasks, the analyze endpoint) and worker read the same
list, so a kind the API can enqueue is a kind every worker can run."""

from __future__ import annotations

from pifai.services.compliance_alerts import RECHECK_JOB, compliance_recheck
from pifai.services.formula_extraction import FORMULA_ITEM, formula_extract
from pifai.services.knowledge import backfill_periodically
from pifai.services.pif.analysis import analysis_failed
from pifai.services.pif.digest import DIGEST_JOB, digest_interval, digest_periodically
from pifai.services.queue import Job, JobContext, JobList, PeriodicJob, TaskResult
from pifai.services.safety import SAFETY_JOB, safety_assess


async def noop(ctx: JobContext) -> TaskResult:
    """Does nothing: a queue smoke test and the benchmark's unit of work."""
    return {"ok": True, "echo": ctx.task.payload.get("echo")}


def production_jobs() -> JobList:
    return JobList(
        [
            Job("system.noop", noop, public=True),
            Job(
                "formula.extract",
                formula_extract,
                item=FORMULA_ITEM,
                on_failure=analysis_failed,
            ),
            # After a regulatory import: an organisation's products re-checked.
            Job(RECHECK_JOB, compliance_recheck),
            # The safety engine on a product's formula, the result kept.
            Job(SAFETY_JOB, safety_assess),
            PeriodicJob(
                "rag.backfill",
                backfill_periodically,
                interval=lambda s: s.rag_backfill_interval_seconds if s.rag_api_base else None,
            ),
            # Each organisation's daily digest of what in its PIFs expires.
            PeriodicJob(DIGEST_JOB, digest_periodically, interval=digest_interval),
        ]
    )
