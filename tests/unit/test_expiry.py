"""Expiry tracking as a pure function of the items' content and a fixed day."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pifai.ai.consistency.model import add_months
from pifai.services.pif.expiry import ExpiryEntry, expiring, today_in

TODAY = date(2026, 12, 2)
PRODUCT = uuid.uuid4()


def entries(contents: dict[int, dict[str, Any]], today: date = TODAY) -> list[ExpiryEntry]:
    return expiring(PRODUCT, "保濕乳液", contents, today)


def gmp(days_from_today: int) -> dict[str, Any]:
    return {
        "standard": "ISO 22716",
        "certificate_number": "GMP-123",
        "valid_from": "2024-01-01",
        "valid_until": (TODAY + timedelta(days=days_from_today)).isoformat(),
    }


def test_a_gmp_certificate_expiring_in_29_days_is_listed_one_in_31_days_is_not() -> None:
    [entry] = entries({5: gmp(29)})
    assert (entry.item_number, entry.kind, entry.state) == (5, "gmp_certificate", "expiring")
    assert entry.days_left == 29
    assert entry.due_on == entry.based_on == TODAY + timedelta(days=29)
    assert entry.reference == "GMP-123"
    assert "29" in entry.message_zh and "GMP-123" in entry.message_en
    assert entries({5: gmp(31)}) == []


def test_the_gmp_window_includes_its_30th_day_and_an_expired_certificate() -> None:
    assert [e.days_left for e in entries({5: gmp(30)})] == [30]
    [expired] = entries({5: gmp(-3)})
    assert (expired.state, expired.days_left) == ("expired", -3)
    assert "3 days ago" in expired.message_en and "已於" in expired.message_zh


def test_a_gmp_certificate_without_an_expiry_date_is_not_tracked() -> None:
    assert entries({5: {"standard": "TFDA GMP"}}) == []


@pytest.mark.parametrize("item", [11, 12, 13])
def test_a_test_report_is_listed_from_60_days_before_its_12_months_end(item: int) -> None:
    # Tested 2026-01-31: valid until 2027-01-31, 60 days after 2026-12-02.
    inside = entries({item: {"test_date": "2026-01-31", "report_number": "R-1"}})
    assert [(e.kind, e.due_on, e.days_left, e.state) for e in inside] == [
        ("test_report", date(2027, 1, 31), 60, "expiring")
    ]
    assert entries({item: {"test_date": "2026-02-01"}}) == []  # 61 days left


def test_a_test_report_uses_its_test_date_before_its_issue_date() -> None:
    # Issued on 2026-03-01 but tested on 2025-11-20: the test date counts.
    [entry] = entries({11: {"test_date": "2025-11-20", "issued_on": "2026-03-01"}})
    assert entry.based_on == date(2025, 11, 20)
    assert (entry.due_on, entry.state, entry.days_left) == (date(2026, 11, 20), "expired", -12)
    [by_issue] = entries({12: {"issued_on": "2025-12-20"}})
    assert by_issue.based_on == date(2025, 12, 20) and by_issue.days_left == 18
    assert entries({13: {"laboratory": "SGS"}}) == []  # no date: nothing to track


def test_an_open_serious_adverse_event_counts_down_15_days_then_is_overdue() -> None:
    def item8(reported_on: date, **extra: Any) -> dict[int, dict[str, Any]]:
        event = {
            "reported_on": reported_on.isoformat(),
            "description": "紅腫",
            "severity": "severe",
        }
        report = {"has_reports": True, "statement": "一件", "reports": [event | extra]}
        return {8: report}

    [open_event] = entries(item8(TODAY - timedelta(days=5), serious=True))
    assert (open_event.kind, open_event.state, open_event.days_left) == (
        "serious_adverse_event",
        "expiring",
        10,
    )
    assert open_event.due_on == TODAY + timedelta(days=10)
    [late] = entries(item8(TODAY - timedelta(days=16), serious=True))
    assert (late.state, late.days_left) == ("overdue", -1)
    assert "overdue" in late.message_en
    # Reported to the authority, or not serious: nothing to count down.
    reported = item8(TODAY - timedelta(days=16), serious=True, authority_reported_on="2026-11-20")
    assert entries(reported) == []
    assert entries(item8(TODAY - timedelta(days=16), serious=False)) == []


def test_entries_are_sorted_by_due_date() -> None:
    contents = {5: gmp(20), 11: {"test_date": "2025-12-10"}, 12: {"test_date": "2026-01-01"}}
    assert [e.item_number for e in entries(contents)] == [11, 5, 12]


def test_content_that_no_longer_validates_is_skipped() -> None:
    assert entries({5: {"valid_until": "not a date"}}) == []


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 12) == date(2026, 11, 30)


def test_today_is_the_day_in_the_configured_time_zone() -> None:
    # 2026-12-01 17:30 UTC is already 2 December in Taipei (UTC+8).
    now = datetime(2026, 12, 1, 17, 30, tzinfo=ZoneInfo("UTC"))
    assert today_in("Asia/Taipei", now) == date(2026, 12, 2)
    assert today_in("UTC", now) == date(2026, 12, 1)
