"""What in a PIF expires: GMP certificates, test reports and the adverse-event deadline.

``expiring`` is a pure function over one product's item contents and a day; the service
below loads the items (tenant queries through ``get_*_for_org``) and takes today from
the clock, in the organisation's time zone (``settings.expiry_timezone``), unless given.

- Item 5, GMP certificate: listed from ``GMP_WARNING_DAYS`` before ``valid_until``, and
  once past it (``expired``).
- Items 11, 12, 13, test reports: ``REPORT_VALIDITY_MONTHS`` from ``test_date`` (else
  ``issued_on``); listed from ``REPORT_WARNING_DAYS`` before that end, and once past it.
  The 12 months are the practitioners' rule the issue states ("a stability report older
  than a year no longer covers the product"), not a term of the Act.
- Item 8, a serious adverse event not yet reported to the authority: the countdown to
  ``reported_on`` + ``SERIOUS_EVENT_REPORT_DAYS``, listed from the day it is learnt of
  (``expiring``), ``overdue`` after. The 15 days are Art. 2 of 化粧品嚴重不良反應及衛生安全危害
  通報辦法 (under Art. 12 para. 3 of the Cosmetic Hygiene and Safety Act), quoted with the
  other thresholds in ``pifai/data/consistency/thresholds.json``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.consistency.model import add_months
from pifai.ai.consistency.reference import threshold
from pifai.models.pif import PifDocument
from pifai.models.product import Product
from pifai.schemas.pif_content import (
    AdverseReaction,
    Item5Content,
    Item8Content,
    Item11Content,
    Item12Content,
    Item13Content,
)
from pifai.services.pif.items import ITEMS

GMP_ITEM = 5
ADVERSE_ITEM = 8
REPORT_ITEMS = (11, 12, 13)
TRACKED_ITEMS = (GMP_ITEM, ADVERSE_ITEM, *REPORT_ITEMS)
# Cited in pifai/data/consistency/thresholds.json, shared with the consistency rules.
GMP_WARNING_DAYS = int(threshold("gmp_expiry_tracking_days"))
REPORT_WARNING_DAYS = int(threshold("report_expiry_tracking_days"))
REPORT_VALIDITY_MONTHS = 12 * int(threshold("report_validity_years"))
SERIOUS_EVENT_REPORT_DAYS = int(threshold("serious_adverse_report_days"))

Kind = Literal["gmp_certificate", "test_report", "serious_adverse_event"]
State = Literal["expiring", "expired", "overdue"]
ContentT = TypeVar("ContentT", bound=BaseModel)
_REPORT_SCHEMAS: dict[int, type[Item11Content | Item12Content | Item13Content]] = {
    11: Item11Content,
    12: Item12Content,
    13: Item13Content,
}


@dataclass(frozen=True, slots=True)
class ExpiryEntry:
    product_id: uuid.UUID
    product_name: str
    item_number: int
    kind: Kind
    based_on: date  # the date the due date rests on (expiry, test date, learnt of)
    due_on: date
    days_left: int  # negative once past
    state: State
    reference: str | None  # certificate or report number, the event's description
    message_zh: str
    message_en: str

    def sort_key(self) -> tuple[date, str, int, str]:
        return (self.due_on, self.product_name, self.item_number, self.reference or "")


def _gmp(content: Mapping[str, Any], today: date) -> Iterator[tuple[date, date, str | None]]:
    gmp = _parse(Item5Content, content)
    if gmp is None or gmp.valid_until is None:
        return
    if (gmp.valid_until - today).days <= GMP_WARNING_DAYS:
        yield gmp.valid_until, gmp.valid_until, gmp.certificate_number


def _report(
    item_number: int, content: Mapping[str, Any], today: date
) -> Iterator[tuple[date, date, str | None]]:
    report = _parse(_REPORT_SCHEMAS[item_number], content)
    based = (report.test_date or report.issued_on) if report else None
    if report is None or based is None:
        return
    due = add_months(based, REPORT_VALIDITY_MONTHS)
    if (due - today).days <= REPORT_WARNING_DAYS:
        yield based, due, report.report_number


def _open_serious_events(content: Mapping[str, Any]) -> Iterator[AdverseReaction]:
    data = _parse(Item8Content, content)
    for event in data.reports if data else []:
        if event.serious and event.authority_reported_on is None:
            yield event


def _parse(schema: type[ContentT], content: Mapping[str, Any]) -> ContentT | None:
    """Stored content was validated when written; content an older schema accepted that
    this one does not is skipped rather than failing the whole list."""
    if not content:
        return None
    try:
        return schema.model_validate(content)
    except ValidationError:
        return None


def expiring(
    product_id: uuid.UUID, product_name: str, contents: Mapping[int, Mapping[str, Any]], today: date
) -> list[ExpiryEntry]:
    """What of one product's items (content by item number) expires, as seen on ``today``;
    sorted by due date."""
    entries: list[ExpiryEntry] = []

    def add(item: int, kind: Kind, based: date, due: date, reference: str | None) -> None:
        days = (due - today).days
        state: State = (
            "expiring" if days >= 0 else "overdue" if kind == "serious_adverse_event" else "expired"
        )
        zh, en = message(item, kind, state, based, due, days, reference)
        entries.append(
            ExpiryEntry(
                product_id, product_name, item, kind, based, due, days, state, reference, zh, en
            )
        )

    if GMP_ITEM in contents:
        for based, due, ref in _gmp(contents[GMP_ITEM], today):
            add(GMP_ITEM, "gmp_certificate", based, due, ref)
    for item in REPORT_ITEMS:
        if item in contents:
            for based, due, ref in _report(item, contents[item], today):
                add(item, "test_report", based, due, ref)
    for event in _open_serious_events(contents.get(ADVERSE_ITEM) or {}):
        due = event.reported_on + timedelta(days=SERIOUS_EVENT_REPORT_DAYS)
        add(ADVERSE_ITEM, "serious_adverse_event", event.reported_on, due, event.description[:200])
    return sorted(entries, key=ExpiryEntry.sort_key)


def message(
    item: int,
    kind: Kind,
    state: State,
    based: date,
    due: date,
    days: int,
    reference: str | None,
) -> tuple[str, str]:
    """The entry in zh-TW and in English."""
    ref_zh = f"({reference})" if reference else ""
    ref_en = f" {reference}" if reference else ""
    if kind == "gmp_certificate":
        if state == "expiring":
            return (
                f"GMP 證明{ref_zh}將於 {due} 到期,剩 {days} 天。",
                f"GMP certificate{ref_en} expires on {due} ({days} days left).",
            )
        return (
            f"GMP 證明{ref_zh}已於 {due} 到期({-days} 天前)。",
            f"GMP certificate{ref_en} expired on {due} ({-days} days ago).",
        )
    if kind == "test_report":
        name = ITEMS[item]
        if state == "expiring":
            return (
                f"第 {item} 項{name.name_zh}{ref_zh}(試驗日期 {based})的 12 個月效期將於 "
                f"{due} 屆滿,剩 {days} 天。",
                f"Item {item}, {name.name_en}{ref_en} (tested {based}): its 12 months end on "
                f"{due} ({days} days left).",
            )
        return (
            f"第 {item} 項{name.name_zh}{ref_zh}(試驗日期 {based})已於 {due} 超過 12 個月,"
            f"需要新的報告。",
            f"Item {item}, {name.name_en}{ref_en} (tested {based}) is older than 12 months "
            f"since {due}: a new report is needed.",
        )
    if state == "expiring":
        return (
            f"{based} 得知的嚴重不良反應須於 {due} 前通報主管機關,剩 {days} 天。",
            f"Serious adverse event learnt of on {based}: report it to the TFDA by {due} "
            f"({days} days left).",
        )
    return (
        f"{based} 得知的嚴重不良反應已逾通報期限 {due}({-days} 天),尚未通報主管機關。",
        f"Serious adverse event learnt of on {based}: the report to the TFDA was due on "
        f"{due} and is {-days} days overdue.",
    )


def today_in(timezone: str, now: datetime | None = None) -> date:
    """Today where the organisations work (Taiwan by default), not on the server's clock."""
    return (now or datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone)).date()


async def get_tracked_documents_for_org(
    session: AsyncSession, org_id: uuid.UUID, product_id: uuid.UUID | None = None
) -> list[tuple[uuid.UUID, str, int, dict[str, Any]]]:
    """(product id, product name, item number, content) of the tracked items that have
    content, of the organisation's products that are not archived."""
    query = (
        select(Product.id, Product.name, PifDocument.item_number, PifDocument.content)
        .join(PifDocument, PifDocument.product_id == Product.id)
        .where(
            Product.org_id == org_id,
            PifDocument.org_id == org_id,
            Product.archived_at.is_(None),
            PifDocument.item_number.in_(TRACKED_ITEMS),
            PifDocument.content != {},
        )
    )
    if product_id is not None:
        query = query.where(Product.id == product_id)
    return [(p, n, i, c) for p, n, i, c in (await session.execute(query)).all()]


async def expiring_for_org(
    session: AsyncSession,
    org_id: uuid.UUID,
    today: date,
    *,
    product_id: uuid.UUID | None = None,
) -> list[ExpiryEntry]:
    """Every entry of the organisation's products (or of one), sorted by due date."""
    by_product: dict[uuid.UUID, tuple[str, dict[int, dict[str, Any]]]] = {}
    for pid, name, item, content in await get_tracked_documents_for_org(
        session, org_id, product_id
    ):
        by_product.setdefault(pid, (name, {}))[1][item] = content
    entries = [
        entry
        for pid, (name, contents) in by_product.items()
        for entry in expiring(pid, name, contents, today)
    ]
    return sorted(entries, key=ExpiryEntry.sort_key)
