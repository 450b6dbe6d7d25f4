"""One extractor per PIF item read from its report (2, 5, 11, 12, 13, 15).

Each takes the document's text and returns the fields it could read with their
provenance; the content validates against the item's schema
(``pifai.schemas.pif_content``). A field that cannot be read is left out, never guessed
beyond what the text says."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from pifai.ai.report_facts.conditions import (
    find_components,
    find_conditions,
    find_containers,
    find_limits,
)
from pifai.ai.report_facts.dates import pick_date
from pifai.ai.report_facts.text import LABELLED, UNLABELLED, Document, Extraction, Found
from pifai.ai.report_facts.wording import (
    CERTIFICATE_NUMBER_LABELS,
    ISSUER_LABELS,
    NOTIFICATION_NUMBER_LABELS,
    REPORT_NUMBER_LABELS,
    SITE_LABELS,
    find_gmp_standard,
    find_labelled_text,
    find_laboratory,
    find_method,
    find_number,
    find_result_text,
    find_standard,
    find_verdict,
    verdict,
)
from pifai.schemas.pif_content import ITEM_CONTENT_SCHEMAS

Extractor = Callable[[Document], Extraction]


def extract_item2(doc: Document) -> Extraction:
    """Product notification: its number and date."""
    out = Extraction(2)
    out.put("notification_number", find_number(doc, NOTIFICATION_NUMBER_LABELS))
    out.put("notified_on", pick_date(doc, ("notified", "report"), guess=True))
    return out


def extract_item5(doc: Document) -> Extraction:
    """GMP certificate: standard, number, issuer, site, issue and expiry dates."""
    out = Extraction(5)
    out.put("standard", find_gmp_standard(doc))
    out.put("certificate_number", find_number(doc, CERTIFICATE_NUMBER_LABELS))
    out.put("issuer", find_labelled_text(doc, ISSUER_LABELS))
    out.put("site_address", find_labelled_text(doc, SITE_LABELS, limit=500))
    out.put("valid_from", pick_date(doc, ("valid_from", "report")))
    out.put("valid_until", pick_date(doc, ("expiry",)))
    start, end = out.values.get("valid_from"), out.values.get("valid_until")
    if start and end and end < start:
        # Which of the two was misread cannot be told: neither is kept.
        for name in ("valid_from", "valid_until"):
            out.values.pop(name)
            out.sources.pop(name)
        out.notes.append("The expiry date read is before the issue date; both were dropped.")
    return out


def _test_report(doc: Document, item_number: int) -> Extraction:
    out = Extraction(item_number)
    out.put("laboratory", find_laboratory(doc))
    out.put("report_number", find_number(doc, REPORT_NUMBER_LABELS))
    out.put("method", find_method(doc))
    # The test date is the labelled one; the report's issue date is never taken for it.
    out.put("test_date", pick_date(doc, ("test", "test_period"), guess=True))
    out.put("issued_on", pick_date(doc, ("report",)))
    out.put("result", find_result_text(doc))
    out.put("passed", find_verdict(doc))
    return out


def extract_item11(doc: Document) -> Extraction:
    """Stability test: the report's facts, storage conditions and containers tested."""
    out = _test_report(doc, 11)
    out.put("conditions", find_conditions(doc))
    out.put("containers_tested", find_containers(doc))
    return out


def extract_item12(doc: Document) -> Extraction:
    """Microbiological test: the report's facts and each organism's limit and result."""
    out = _test_report(doc, 12)
    limits = find_limits(doc)
    out.put("limits", limits)
    if limits is not None and "passed" not in out.values:
        verdicts = [entry.get("passed") for entry in limits.value]
        if False in verdicts:
            out.put("passed", Found(False, UNLABELLED, limits.source))
        elif verdicts and all(verdicts):
            out.put("passed", Found(True, UNLABELLED, limits.source))
    return out


_CRITERION = re.compile(
    r"(?:criteri(?:on|a)|標準|準則|基準|判定)\s*[:：]?\s*\(?([AB])\)?(?![A-Za-z])|"
    r"(?<![A-Za-z])([AB])\s*(?:criteri(?:on|a)|級|標準|準則|基準)",
    re.IGNORECASE,
)
# What is said just before a criterion ("未符合 A 標準", "meets criteria A").
_BEFORE = 14


def _criteria(doc: Document) -> list[tuple[str, bool | None, str]]:
    """Each ISO 11930 criterion named: its letter, whether it is said to be met, where."""
    out = []
    for line in doc.lines:
        for match in _CRITERION.finditer(line.text):
            before = re.split(
                r"[,，;；。]", line.text[max(0, match.start() - _BEFORE) : match.start()]
            )
            out.append(
                (
                    (match.group(1) or match.group(2)).upper(),
                    verdict(before[-1]),
                    doc.source(line, match.group(0)),
                )
            )
    return out


def extract_item13(doc: Document) -> Extraction:
    """Challenge test: the report's facts, the standard and the ISO 11930 criterion met.

    Criterion A met passes; a report saying only that criterion A is not met fails. Only
    criterion B met leaves pass/fail to the reviewer: whether B suffices depends on the
    product's risk assessment, which the report alone does not settle."""
    out = _test_report(doc, 13)
    out.put("standard", find_standard(doc, "ISO 11930"))
    named = _criteria(doc)
    met = sorted({letter for letter, said, _ in named if said is True})
    if met:
        source = next(s for letter, said, s in named if said is True and letter == met[0])
        out.put("criterion", Found(met[0], LABELLED, source))
        _replace(out, "passed", Found(True, LABELLED, source) if met[0] == "A" else None)
        if met[0] == "B":
            out.notes.append("Criterion B is met, not A: pass or fail is for the reviewer.")
    elif any(said is False for _, said, _ in named):
        source = next(s for _, said, s in named if said is False)
        _replace(out, "passed", Found(False, LABELLED, source))
    elif named:
        letter, _, source = named[0]
        out.put("criterion", Found(letter, UNLABELLED, source))
    return out


def _replace(out: Extraction, name: str, found: Found | None) -> None:
    out.values.pop(name, None)
    out.sources.pop(name, None)
    out.put(name, found)


def extract_item15(doc: Document) -> Extraction:
    """Packaging: each component with its material and the material's class."""
    out = Extraction(15)
    out.put("components", find_components(doc))
    return out


EXTRACTORS: dict[int, Extractor] = {
    2: extract_item2,
    5: extract_item5,
    11: extract_item11,
    12: extract_item12,
    13: extract_item13,
    15: extract_item15,
}
REPORT_ITEMS = tuple(sorted(EXTRACTORS))


def schema_fields(item_number: int) -> list[str]:
    """The fields of the item's schema a report can fill (all but provenance and notes)."""
    schema = ITEM_CONTENT_SCHEMAS[item_number]
    return [name for name in schema.model_fields if name not in ("provenance", "notes")]


def extract_report(
    item_number: int, pages: Sequence[str], filename: str = "document"
) -> Extraction:
    """The item's fields read from the text of its report, one string per page.

    The content is checked against the item's schema; a field the schema refuses is
    dropped (with a note) rather than failing the whole reading."""
    extractor = EXTRACTORS.get(item_number)
    if extractor is None:
        raise ValueError(f"item {item_number} has no report extractor")
    out = extractor(Document.from_pages(pages, filename))
    schema = ITEM_CONTENT_SCHEMAS[item_number]
    for _ in range(len(out.values) + 1):
        try:
            schema.model_validate(out.content())
            break
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if not bad & set(out.values):
                raise
            for name in bad & set(out.values):
                out.values.pop(name)
                out.sources.pop(name)
                out.notes.append(f"{name}: the value read was not valid and was dropped.")
    return out


def missing_fields(extraction: Extraction) -> list[str]:
    return [n for n in schema_fields(extraction.item_number) if n not in extraction.values]


def filled_share(extraction: Extraction) -> float:
    fields = schema_fields(extraction.item_number)
    return sum(1 for name in fields if name in extraction.values) / len(fields)
