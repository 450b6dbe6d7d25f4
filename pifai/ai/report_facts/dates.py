"""Dates in Western and ROC (民國, year + 1911) forms, and the labels that say which date
of a report a date is (tested, issued, expires, sampled, received).

A date that does not exist (113.02.30) is refused, and so is a day/month order that
cannot be told (03/04/2024): a wrong date would silently move an expiry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pifai.ai.report_facts.text import (
    LABELLED,
    UNLABELLED,
    WEAK,
    Document,
    Found,
    Line,
    label_pattern,
    normalise,
)

ROC_OFFSET = 1911  # 民國 1 = 1912
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_D = r"(?<![\d.])"  # no digit (or decimal point) right before a date
_E = r"(?![\d]|\.\d)"  # and none right after

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # 中華民國 113 年 5 月 2 日, 民國113年5月2日, 113年5月2日, 2024年5月2日
    (
        "cjk",
        re.compile(
            r"(中華民國|民國)?\s*" + _D + r"(\d{2,4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"
        ),
    ),
    # 2024-05-02, 2024/5/2, 2024.05.02
    ("ymd", re.compile(_D + r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})" + _E)),
    # 02/05/2024, 2.5.2024 (day and month told apart only when one is over 12)
    ("dmy", re.compile(_D + r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})" + _E)),
    # 民國113.05.02, 113.05.02, 113/05/02 (the ROC year has 2 or 3 digits)
    ("roc", re.compile(r"(民國)?\s*" + _D + r"(\d{2,3})([-/.])(\d{1,2})\3(\d{1,2})" + _E)),
    # 2 May 2024, 2-May-2024
    ("d_mon_y", re.compile(r"\b(\d{1,2})[\s-]+" + _MONTH + r"[\s,-]+(\d{4})\b", re.IGNORECASE)),
    # May 2, 2024
    ("mon_d_y", re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I)),
)


@dataclass(frozen=True, slots=True)
class DateMatch:
    value: date
    start: int
    end: int
    text: str


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _western_year_ok(year: int) -> bool:
    return 1950 <= year <= 2200


def _value(kind: str, groups: tuple[str | None, ...]) -> date | None:
    g = groups
    if kind == "cjk":
        year = int(g[1] or 0)
        if g[0] or year < 1000:  # an ROC year (民國 prefix or 2-3 digits)
            year += ROC_OFFSET
        return _make(year, int(g[2] or 0), int(g[3] or 0)) if _western_year_ok(year) else None
    if kind == "ymd":
        year = int(g[0] or 0)
        return _make(year, int(g[2] or 0), int(g[3] or 0)) if _western_year_ok(year) else None
    if kind == "dmy":
        first, second, year = int(g[0] or 0), int(g[2] or 0), int(g[3] or 0)
        if not _western_year_ok(year):
            return None
        if first > 12 >= second:
            return _make(year, second, first)
        if second > 12 >= first:
            return _make(year, first, second)  # the US order, 5/13/2024
        return _make(year, first, first) if first == second else None
    if kind == "roc":
        year = int(g[1] or 0) + ROC_OFFSET
        # Without 民國 a 2-3 digit year is only taken in a plausible ROC range (1960s on).
        if not g[0] and not 50 <= int(g[1] or 0) <= 200:
            return None
        return _make(year, int(g[3] or 0), int(g[4] or 0))
    if kind == "d_mon_y":
        return _make(int(g[2] or 0), MONTHS[(g[1] or "").lower()], int(g[0] or 0))
    if kind == "mon_d_y":
        return _make(int(g[2] or 0), MONTHS[(g[0] or "").lower()], int(g[1] or 0))
    raise ValueError(kind)


def find_dates(text: str) -> list[DateMatch]:
    """Every valid date in ``text``, in order; where patterns overlap the first listed wins
    (so 113年5月2日 is one ROC date, not a fragment of another form)."""
    taken: list[DateMatch] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if any(start < t.end and t.start < end for t in taken):
                continue
            value = _value(kind, match.groups())
            # An invalid date still claims its text: 113.02.30 must not become 13.02.30.
            taken.append(DateMatch(value or date.min, start, end, match.group(0).strip()))
    return sorted((t for t in taken if t.value != date.min), key=lambda t: t.start)


def parse_date(text: str) -> date | None:
    """The first date ``text`` holds, or None (none, invalid or ambiguous)."""
    found = find_dates(normalise(text))
    return found[0].value if found else None


DateKind = Literal[
    "test", "test_period", "report", "expiry", "valid_from", "validity", "sampling", "receipt",
    "notified",
]  # fmt: skip

DATE_LABELS: dict[DateKind, tuple[str, ...]] = {
    "test": (
        "測試日期", "檢驗日期", "試驗日期", "檢測日期", "分析日期", "試驗完成日期",
        r"test(?:ing)? date", r"date of test(?:ing)?", "analysis date", "date tested",
        r"test(?:ing)? completed(?: on)?",
    ),
    "test_period": (
        "試驗期間", "測試期間", "檢驗期間", r"test(?:ing)? period", "study period",
        r"test(?:ing)? started(?: on)?", "試驗開始日期",
    ),
    "report": (
        "報告日期", "發證日期", "核發日期", "發行日期", "簽發日期", "出具日期", "發文日期",
        r"issue date", r"date of issue", r"report date", r"issued on", r"date of report",
        r"issuing date",
    ),
    "expiry": (
        "有效期限", "有效日期", "到期日期", "到期日", r"expiry date", r"expiration date",
        r"expires(?: on)?", r"valid until", r"valid through", r"valid thru", r"valid to",
    ),
    "valid_from": ("生效日期", r"valid from", r"effective date", r"effective from"),
    "validity": ("有效期間", r"validity(?: period)?", r"period of validity"),
    "sampling": ("採樣日期", "取樣日期", "抽樣日期", r"sampling date", r"date sampled"),
    "receipt": (
        "收樣日期", "收件日期", "收檢日期", "送樣日期", r"receipt date", r"date received",
        r"received(?: on)?", r"sample received(?: on)?", r"date of receipt",
    ),
    "notified": (
        "登錄日期", "完成登錄日期", "產品登錄日期", "通知日期", r"notification date",
        r"date of notification", r"notified on", r"registration date",
    ),
}  # fmt: skip
_LABELS = {kind: label_pattern(words) for kind, words in DATE_LABELS.items()}
# Dates this far past the label's end still belong to it ("Test date : 2024-05-02").
_REACH = 40


@dataclass(frozen=True, slots=True)
class LabelledDate:
    kind: DateKind
    value: date
    line: Line
    matched: str


def _labelled_on(line: Line, nxt: Line | None) -> Iterator[LabelledDate]:
    for kind, pattern in _LABELS.items():
        for label in pattern.finditer(line.text):
            tail = line.text[label.end() :]
            dates = [d for d in find_dates(tail) if d.start <= _REACH]
            where = line
            if not dates and not tail.strip(" |\t") and nxt is not None:
                dates, where, tail = find_dates(nxt.text)[:2], nxt, nxt.text
            # A range ("有效期間：2024/01/01 ~ 2027/01/01") gives its start and its end.
            for position, found in enumerate(dates[:2] if kind == "validity" else dates[:1]):
                if where is line:
                    quote = line.text[label.start() : label.end() + found.end]
                else:
                    quote = f"{label.group(0).strip()} {found.text}"
                named: DateKind = kind
                if kind == "validity":
                    named = "valid_from" if position == 0 else "expiry"
                yield LabelledDate(named, found.value, where, quote)


def labelled_dates(doc: Document) -> list[LabelledDate]:
    out: list[LabelledDate] = []
    for index, line in enumerate(doc.lines):
        nxt = doc.lines[index + 1] if index + 1 < len(doc.lines) else None
        out.extend(_labelled_on(line, nxt))
    return out


def unlabelled_dates(doc: Document) -> list[tuple[Line, DateMatch]]:
    """Dates on lines that carry no date label at all."""
    out: list[tuple[Line, DateMatch]] = []
    for line in doc.lines:
        if any(p.search(line.text) for p in _LABELS.values()):
            continue
        out.extend((line, d) for d in find_dates(line.text))
    return out


def pick_date(doc: Document, kinds: tuple[DateKind, ...], *, guess: bool = False) -> Found | None:
    """The first date labelled with one of ``kinds`` (earlier kinds first); with ``guess``,
    else the only unlabelled date of the document, at lower confidence."""
    found = labelled_dates(doc)
    for rank, kind in enumerate(kinds):
        for item in found:
            if item.kind == kind:
                confidence = LABELLED if rank == 0 else UNLABELLED
                return Found(item.value, confidence, doc.source(item.line, item.matched))
    if guess:
        loose = unlabelled_dates(doc)
        values = {d.value for _, d in loose}
        if len(values) == 1 and not found:
            line, match = loose[0]
            return Found(match.value, WEAK, doc.source(line, match.text))
    return None
