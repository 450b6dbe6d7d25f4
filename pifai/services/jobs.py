"""Every job of the application, as data. The list is built once per process and held on
its ``Runtime``; web (POST /api/v1/tasks, the analyze endpoint) and worker read the same
list, so a kind the API can enqueue is a kind every worker can run."""

from __future__ import annotations

from pifai.ai.report_facts import REPORT_ITEMS
from pifai.services.compliance_alerts import RECHECK_JOB, compliance_recheck
from pifai.services.formula_extraction import FORMULA_ITEM, formula_extract
from pifai.services.knowledge import backfill_periodically
from pifai.services.pif.analysis import analysis_failed
from pifai.services.pif.digest import DIGEST_JOB, digest_interval, digest_periodically
from pifai.services.pif_document import PIF_JOB, mark_failed, pif_generate
from pifai.services.queue import Job, JobContext, JobList, PeriodicJob, TaskResult
from pifai.services.report_extraction import REPORT_JOB, report_extract
from pifai.services.safety import SAFETY_JOB, safety_assess
from pifai.services.toxicology.batch import (
    BATCH_JOB,
    REFRESH_JOB,
    toxicology_batch,
    toxicology_refresh,
)


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
            # Items 2, 5, 11, 12, 13 and 15: the facts read from the uploaded report.
            Job(
                REPORT_JOB,
                report_extract,
                item=REPORT_ITEMS[0],
                more_items=REPORT_ITEMS[1:],
                on_failure=analysis_failed,
            ),
            # After a regulatory import: an organisation's products re-checked.
            Job(RECHECK_JOB, compliance_recheck),
            # The safety engine on a product's formula, the result kept.
            Job(SAFETY_JOB, safety_assess),
            # A product's ingredients through PubChem and ECHA into the shared cache, and
            # the refresh of one stale (or operator-refreshed) entry.
            Job(BATCH_JOB, toxicology_batch),
            # A product's PIF document (PDF), for the working draft or a signed version.
            Job(PIF_JOB, pif_generate, on_failure=mark_failed),
            Job(REFRESH_JOB, toxicology_refresh),
            PeriodicJob(
                "rag.backfill",
                backfill_periodically,
                interval=lambda s: s.rag_backfill_interval_seconds if s.rag_api_base else None,
            ),
            # Each organisation's daily digest of what in its PIFs expires.
            PeriodicJob(DIGEST_JOB, digest_periodically, interval=digest_interval),
        ]
    )
