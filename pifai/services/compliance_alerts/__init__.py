"""Lists change, products are re-checked: compliance alerts after a regulatory import.

- ``affected``: the substances a change report touches and the products (of every
  organisation) whose formulas contain them.
- ``scheduling``: after the import commits, one ``compliance.recheck`` task per
  affected organisation.
- ``recheck``: the task: each product re-checked, an alert for each that no longer
  complies, then ``notify``: one e-mail per organisation and import to its operators.
- ``queries``: an organisation's alerts, listed, read and acknowledged.
"""

from pifai.services.compliance_alerts.affected import (
    AffectedSubstances,
    ChangedEntry,
    affected_products,
)
from pifai.services.compliance_alerts.queries import (
    AlertNotFound,
    AlertRow,
    acknowledge_alert,
    alerts_for_product,
    get_alert_for_org,
    list_alerts_for_org,
)
from pifai.services.compliance_alerts.recheck import compliance_recheck
from pifai.services.compliance_alerts.scheduling import (
    RECHECK_JOB,
    schedule_after_commit,
    schedule_import_rechecks,
    schedule_rechecks,
)

__all__ = [
    "RECHECK_JOB",
    "AffectedSubstances",
    "AlertNotFound",
    "AlertRow",
    "ChangedEntry",
    "acknowledge_alert",
    "affected_products",
    "alerts_for_product",
    "compliance_recheck",
    "get_alert_for_org",
    "list_alerts_for_org",
    "schedule_after_commit",
    "schedule_import_rechecks",
    "schedule_rechecks",
]
