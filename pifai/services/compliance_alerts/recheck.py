"""The ``compliance.recheck`` job: an organisation's products re-checked after an import.

Each product named by the task is checked against the store as it is now. A product
whose check has a critical or high finding about an affected entry (citing it, or, for
a finding that cites no single entry such as "not on the positive list", about a row
that resolves to one) gets one alert for the import; a product that still complies gets
none. Then the organisation's operators get one e-mail for the import (``notify``).

Everything is written in the task's transaction: a failed attempt leaves nothing, and a
retry or a second task for the same import adds no alert (one per import and product)
and no e-mail (one per import and organisation).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.regulatory import CheckResult, Finding, FormulaItem
from pifai.models.compliance import ComplianceAlert
from pifai.services.compliance import check_formula_of, product_formula
from pifai.services.compliance_alerts.affected import AffectedSubstances, Matcher
from pifai.services.compliance_alerts.notify import notify_operators
from pifai.services.products import ProductNotFound
from pifai.services.queue import JobContext, PermanentTaskError, TaskResult
from pifai.services.reference import ReferenceData
from pifai.services.regulatory import RegulatoryImportNotFound, get_import

ALERT_SEVERITIES = frozenset({"critical", "high"})


def _ids(payload: Mapping[str, Any]) -> tuple[uuid.UUID, list[uuid.UUID]]:
    try:
        import_id = uuid.UUID(str(payload["import_id"]))
        products = [uuid.UUID(str(p)) for p in payload.get("product_ids") or []]
    except (KeyError, ValueError) as exc:
        raise PermanentTaskError("the task names no valid import and products") from exc
    return import_id, products


async def compliance_recheck(ctx: JobContext) -> TaskResult:
    session, task = ctx.session, ctx.task
    import_id, product_ids = _ids(task.payload)
    try:
        run = await get_import(session, import_id)
    except RegulatoryImportNotFound as exc:
        raise PermanentTaskError(f"import {import_id} does not exist") from exc
    affected = AffectedSubstances.from_report(run.report)
    reference = ctx.runtime.reference
    matcher = Matcher(affected, (await reference.dictionary(session)).entries)
    alerted: list[str] = []
    for done, product_id in enumerate(product_ids, start=1):
        if await recheck_product(
            session, reference, task.org_id, product_id, import_id, affected, matcher
        ):
            alerted.append(str(product_id))
        if done % 20 == 0:
            await ctx.progress(int(90 * done / len(product_ids)), f"{done} products checked")
    mailed = await notify_operators(session, ctx.runtime.settings, task.org_id, run)
    return {"checked": len(product_ids), "alerted": alerted, "emailed": mailed}


async def recheck_product(
    session: AsyncSession,
    reference: ReferenceData,
    org_id: uuid.UUID,
    product_id: uuid.UUID,
    import_id: uuid.UUID,
    affected: AffectedSubstances,
    matcher: Matcher,
) -> bool:
    """Check one product; True when it has an alert for this import (new or kept)."""
    try:
        product, items = await product_formula(session, product_id, org_id)
    except ProductNotFound:
        return False  # archived or deleted since the import
    result, store_version = await check_formula_of(session, product, items, reference)
    findings, keys = alert_findings(result, items, affected, matcher)
    if not findings:
        return False
    by_key = affected.by_key()
    changes = [by_key[k].as_dict() for k in sorted(keys)]
    versions = sorted({f.data_version for f in findings if f.data_version})
    await session.execute(
        insert(ComplianceAlert)
        .values(
            id=uuid.uuid4(),
            org_id=org_id,
            product_id=product_id,
            import_id=import_id,
            findings=[f.to_dict() for f in findings],
            changes=changes,
            data_version="; ".join(versions),
            store_version=store_version[:200],
        )
        .on_conflict_do_nothing(index_elements=["import_id", "product_id"])
    )
    return True


def alert_findings(
    result: CheckResult,
    items: Sequence[FormulaItem],
    affected: AffectedSubstances,
    matcher: Matcher,
) -> tuple[list[Finding], set[str]]:
    """The critical and high findings about affected entries, and those entries' keys."""
    by_label: dict[str, set[str]] = {}
    for item in items:
        label = item.name or item.cas or "(unnamed ingredient)"
        if keys := matcher.keys(item.name, item.cas):
            by_label.setdefault(label, set()).update(keys)
    findings: list[Finding] = []
    cited: set[str] = set()
    for finding in result.findings:
        if finding.severity not in ALERT_SEVERITIES:
            continue
        if finding.entry_key in affected.keys:
            cited.add(finding.entry_key)
        elif finding.entry_key is None and finding.ingredient in by_label:
            cited.update(by_label[finding.ingredient])
        else:
            continue
        findings.append(finding)
    return findings, cited
