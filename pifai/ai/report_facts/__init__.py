"""Facts read from uploaded reports (PIF items 2, 5, 11, 12, 13, 15), deterministically.

Pure functions over the document's text (no I/O): dates in Western and ROC forms and the
label that says which date it is (``dates``), pass/fail wording, standards, numbers and
laboratories (``wording``), stability conditions, microbial limits and packaging
materials (``conditions``), and one extractor per item (``items``). Every field comes with
its provenance: a value found beside its label is more certain than one guessed from
the text."""

from pifai.ai.report_facts.dates import find_dates, labelled_dates, parse_date, pick_date
from pifai.ai.report_facts.items import (
    EXTRACTORS,
    REPORT_ITEMS,
    extract_report,
    filled_share,
    missing_fields,
    schema_fields,
)
from pifai.ai.report_facts.merge import mean_confidence, merge_content
from pifai.ai.report_facts.text import Document, Extraction, Found
from pifai.ai.report_facts.wording import verdict

__all__ = [
    "EXTRACTORS",
    "REPORT_ITEMS",
    "Document",
    "Extraction",
    "Found",
    "extract_report",
    "filled_share",
    "find_dates",
    "labelled_dates",
    "mean_confidence",
    "merge_content",
    "missing_fields",
    "parse_date",
    "pick_date",
    "schema_fields",
    "verdict",
]
