"""After validation: the LLM path's rows are capped below "green" and flagged for review."""

from __future__ import annotations

from pifai.ai.document_parser import ParsedFormula
from pifai.ai.ingredient_validator import ValidatedFormula

# Below 0.8 (green): rows nobody has compared with the document are never "confident".
LLM_CONFIDENCE_CAP = 0.7
REVIEW_NOTE = "transcribed by the LLM from the document: check this row against it"


def apply_review(validated: ValidatedFormula, parsed: ParsedFormula) -> ValidatedFormula:
    """Carry the parse's row notes into the validated rows and apply its confidence cap
    (flagging every row for review). A parse without either is returned unchanged."""
    notes_by_source = {row.source: row.notes for row in parsed.rows if row.notes}
    cap = parsed.confidence_cap
    for row in validated.rows:
        for source in row.sources:
            row.notes += [n for n in notes_by_source.get(source, ()) if n not in row.notes]
        if cap is not None:
            row.confidence = min(row.confidence, cap)
            row.flagged = True
            if REVIEW_NOTE not in row.notes:
                row.notes.append(REVIEW_NOTE)
    if cap is not None:
        validated.confidence = round(min(validated.confidence, cap), 3)
    return validated
