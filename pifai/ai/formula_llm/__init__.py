"""The optional LLM path for formula files the parsers cannot read (photos, scans).

The model transcribes the formula table from an image or PDF, but every judgement is
ours: it is given our own code as tools (`normalise_ingredient`: our name normalisation
and dictionary match; `validate_cas`: our check-digit validator; `parse_concentration`:
our parser) and hands the table back through `submit_rows`. What it submits is then
checked again here, so the model never supplies a number we did not check:

- a CAS number survives only if `validate_cas` accepted exactly that number earlier in
  the same conversation; otherwise it is dropped and the row says why;
- a concentration survives only if `parse_concentration` understands the text; otherwise
  it is left empty and the row says why.

Rows from this path carry ``ParsedFormula.confidence_cap`` (`LLM_CONFIDENCE_CAP`, in the
0.5-0.8 "yellow" band of DOMAIN.md, never "green"): `apply_review` caps and flags every
validated row, so a person checks each one against the document.
"""

from pifai.ai.formula_llm.conversation import extract_formula_with_llm
from pifai.ai.formula_llm.errors import LlmExtractionError
from pifai.ai.formula_llm.prompts import TOOL_NAMES
from pifai.ai.formula_llm.review import LLM_CONFIDENCE_CAP, REVIEW_NOTE, apply_review
from pifai.ai.formula_llm.source import llm_can_read

__all__ = [
    "LLM_CONFIDENCE_CAP",
    "REVIEW_NOTE",
    "TOOL_NAMES",
    "LlmExtractionError",
    "apply_review",
    "extract_formula_with_llm",
    "llm_can_read",
]
