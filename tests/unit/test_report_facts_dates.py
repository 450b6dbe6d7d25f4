"""Date extraction from report texts: Western and ROC forms, labels, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from pifai.ai.report_facts import Document, find_dates, parse_date, pick_date


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-02",
        "2024/5/2",
        "2024.05.02",
        "2 May 2024",
        "2-May-2024",
        "May 2, 2024",
        "May 2nd 2024",
        "2024年5月2日",
        "民國113年5月2日",
        "113年5月2日",
        "113.05.02",
        "113/05/02",
        "民國113.05.02",
        "中華民國 113 年 5 月 2 日",
        "２０２４－０５－０２",  # full-width digits, as Chinese word processors write them
    ],
)
def test_every_written_form_is_the_same_day(text: str) -> None:
    assert parse_date(f"Date: {text} (tested)") == date(2024, 5, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13/05/2024", date(2024, 5, 13)),  # day first: 13 is no month
        ("05/13/2024", date(2024, 5, 13)),  # month first
        ("02/02/2024", date(2024, 2, 2)),  # both orders give the same day
        ("02/05/2024", None),  # 2 May or 5 February: refused, never guessed
        ("113.02.30", None),  # 30 February does not exist
        ("2024-02-30", None),
        ("113年13月1日", None),
        ("民國113年2月29日", date(2024, 2, 29)),  # ROC 113 = 2024, a leap year
        ("民國112年2月29日", None),
        ("31 April 2024", None),
    ],
)
def test_ambiguous_and_impossible_dates_are_refused(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_an_invalid_date_is_not_read_as_a_shorter_one() -> None:
    # 113.02.30 must not turn into some other date from its fragments.
    assert find_dates("有效日期 113.02.30 止") == []


def test_numbers_that_are_no_dates_are_left_alone() -> None:
    assert find_dates("pH 5.5, viscosity 12.000 cps, version 1.2.3, lot 20240502A") == []


def test_a_report_with_two_dates_gives_its_test_date() -> None:
    doc = Document.from_pages(
        ["Report date: 2024-08-15\nSample received: 2024-04-20\nTest date: 2024-05-02\n"]
    )
    found = pick_date(doc, ("test", "test_period"), guess=True)
    assert found is not None and found.value == date(2024, 5, 2)
    assert found.confidence >= 0.8
    assert "Test date: 2024-05-02" in found.source
    report = pick_date(doc, ("report",))
    assert report is not None and report.value == date(2024, 8, 15)


def test_chinese_labels_tell_test_report_expiry_sampling_and_receipt_apart() -> None:
    doc = Document.from_pages(
        [
            "報告日期：113年8月15日\n採樣日期：113/04/18\n收樣日期：113.04.20\n"
            "檢驗日期：民國113年5月2日\n有效期限：116年1月14日\n"
        ]
    )
    values = {
        kind: pick_date(doc, (kind,))
        for kind in ("test", "report", "expiry", "sampling", "receipt")
    }
    assert {k: v.value for k, v in values.items() if v} == {
        "test": date(2024, 5, 2),
        "report": date(2024, 8, 15),
        "expiry": date(2027, 1, 14),
        "sampling": date(2024, 4, 18),
        "receipt": date(2024, 4, 20),
    }


@pytest.mark.parametrize("label", ["測試日期", "檢驗日期", "試驗日期", "Test date", "Testing date"])
def test_each_test_date_label(label: str) -> None:
    doc = Document.from_pages([f"報告日期: 2024-08-15\n{label}: 2024-05-02"])
    found = pick_date(doc, ("test",))
    assert found is not None and found.value == date(2024, 5, 2)


@pytest.mark.parametrize(
    "label", ["有效期限", "有效日期", "Expiry date", "Valid until", "Valid through"]
)
def test_each_expiry_label(label: str) -> None:
    doc = Document.from_pages([f"Issue date: 2024-01-15\n{label}: 2027-01-14"])
    found = pick_date(doc, ("expiry",))
    assert found is not None and found.value == date(2027, 1, 14)


def test_a_label_whose_date_is_on_the_next_line() -> None:
    doc = Document.from_pages(["Test date:\n2 May 2024\nIssue date:\n15 August 2024"])
    test, issued = pick_date(doc, ("test",)), pick_date(doc, ("report",))
    assert test is not None and test.value == date(2024, 5, 2)
    assert issued is not None and issued.value == date(2024, 8, 15)


def test_a_validity_period_gives_its_start_and_end() -> None:
    doc = Document.from_pages(["有效期間：2024/01/15 ~ 2027/01/14"])
    start, end = pick_date(doc, ("valid_from",)), pick_date(doc, ("expiry",))
    assert start is not None and start.value == date(2024, 1, 15)
    assert end is not None and end.value == date(2027, 1, 14)


def test_a_lone_unlabelled_date_is_a_guess_and_two_are_no_guess() -> None:
    lone = pick_date(
        Document.from_pages(["Tested in our lab on 2024-05-02."]), ("test",), guess=True
    )
    assert lone is not None and lone.value == date(2024, 5, 2) and lone.confidence < 0.8
    two = Document.from_pages(["Printed 2024-05-02, revised 2024-06-01"])
    assert pick_date(two, ("test",), guess=True) is None
    # Without a test label the issue date is never taken for the test date.
    issued_only = Document.from_pages(["Issue date: 2024-08-15"])
    assert pick_date(issued_only, ("test", "test_period"), guess=True) is None
