"""The one e-mail of an import to an organisation's operators.

Operators are the organisation's owners, admins and members whose account is active and
whose e-mail address is verified; each gets the message in their own locale. The
``compliance_notifications`` row is written in the re-check's transaction (at most one
per organisation and import, so a retry never mails twice) and the messages go out
after it commits; ``sent_at`` says they did.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import structlog
from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.email import Template, render, send_after_commit
from pifai.models.compliance import ComplianceNotification
from pifai.models.regulatory import RegulatoryImport
from pifai.models.user import OPERATOR_ROLES
from pifai.services.compliance_alerts.queries import AlertRow, alerts_of_import
from pifai.services.members import mail_recipients_for_org

log = structlog.get_logger(__name__)

_KIND_WORDS = {
    "zh-TW": {"added": "新增", "removed": "刪除", "changed": "變更"},
    "en": {"added": "added", "removed": "removed", "changed": "changed"},
}


async def notify_operators(
    session: AsyncSession, settings: Settings, org_id: uuid.UUID, run: RegulatoryImport
) -> int:
    """Record and schedule the import's e-mail to the organisation's operators, if it has
    alerts for the import and was not mailed for it yet. Returns the recipients."""
    alerts = await alerts_of_import(session, org_id, run.id)
    if not alerts:
        return 0
    recipients = await mail_recipients_for_org(session, org_id, OPERATOR_ROLES)
    notification_id = await session.scalar(
        insert(ComplianceNotification)
        .values(
            id=uuid.uuid4(),
            org_id=org_id,
            import_id=run.id,
            alerts=len(alerts),
            recipients=len(recipients),
        )
        .on_conflict_do_nothing(index_elements=["org_id", "import_id"])
        .returning(ComplianceNotification.id)
    )
    if notification_id is None or not recipients:
        return 0  # already mailed for this import, or nobody to mail
    messages = [(u.email, alert_message(settings, u.locale, run, alerts)) for u in recipients]

    send_after_commit(
        session,
        settings,
        messages,
        mark_sent=update(ComplianceNotification)
        .where(ComplianceNotification.id == notification_id)
        .values(sent_at=func.now()),  # the database clock at the send
        what="compliance alert",
    )
    return len(messages)


def alert_message(
    settings: Settings, locale: str, run: RegulatoryImport, alerts: Sequence[AlertRow]
) -> Template:
    words = _KIND_WORDS.get(locale, _KIND_WORDS["zh-TW"])
    products: list[str] = []
    changes: dict[str, str] = {}
    versions: set[str] = set()
    for alert, product_name, _ in alerts:
        versions.update(v for v in alert.data_version.split("; ") if v)
        for finding in alert.findings:
            products.append(f"- {product_name}: {finding['message']}")
        for change in alert.changes:
            before, after = change.get("limit_before") or "-", change.get("limit_after") or "-"
            changes[change["key"]] = (
                f"- {change['name']} ({change['key']}), {words[change['kind']]}: "
                f"{before} -> {after}"
            )
    scope = run.scope + (f", {run.file_name}" if run.file_name else "")
    return render(
        "compliance_alert",
        locale,
        count=str(len(alerts)),
        scope=scope,
        data_version="; ".join(sorted(versions)) or "-",
        products="\n".join(products),
        changes="\n".join(changes.values()),
        link=f"{settings.public_base_url.rstrip('/')}/compliance/alerts",
    )
