"""One label checked: its claims against the corpus, its Art 7 elements, the warnings
its ingredients require, and its ingredient list against the one generated from the
formula. Pure: the service gathers the inputs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pifai.ai.claims.corpus import load_corpus
from pifai.ai.claims.elements import check_elements, check_required_warnings
from pifai.ai.claims.ingredient_list import GeneratedList, compare
from pifai.ai.claims.label import LabelMark, LabelReading
from pifai.ai.claims.verdicts import (
    VERDICT_ORDER,
    ClaimContext,
    ClaimPart,
    ClaimResult,
    PhraseMatch,
    match_claim,
    worst,
)
from pifai.ai.consistency.model import RequiredWarning

# Appendix 2, kind 十五, item 8: 揭示有機或天然驗證機構之名稱或標章*5.
CERTIFICATION_MARK_PHRASE = "A2-15-08-1"
# Where a claim may sit on a label. The product name and the usage text are reported
# only where a phrase matched (a name is not a claim by itself).
CLAIM_SOURCES = ("product_name", "use", "claims", "other_text")
_MATCHED_ONLY = ("product_name",)


def _mark_result(mark: LabelMark) -> ClaimResult:
    corpus = load_corpus()
    phrase = next(p for p in corpus.phrases if p.id == CERTIFICATION_MARK_PHRASE)
    how = "image only, kept as read from the image" if mark.image_only else "as written"
    match = PhraseMatch(
        phrase, mark.name, 0, len(mark.name), "amber",
        f"驗證標章（{how}）：依附件二註五須經原驗證機構同意並提出證明文件",
    )  # fmt: skip
    part = ClaimPart(mark.name, "amber", (phrase.id,))
    return ClaimResult(mark.name, "mark", "amber", (part,), (match,))


def claim_results(reading: LabelReading, ctx: ClaimContext) -> list[ClaimResult]:
    out: list[ClaimResult] = []
    for source in CLAIM_SOURCES:
        value = getattr(reading, source)
        for text in value if isinstance(value, list) else [value]:
            if not (text and text.strip()):
                continue
            result = match_claim(text, ctx, source=source)
            if result.matches or source not in _MATCHED_ONLY:
                out.append(result)
    if reading.usage:
        scanned = match_claim(reading.usage, ctx, source="usage")
        if scanned.matches:
            out.append(scanned)
    out += [_mark_result(m) for m in reading.marks]
    return out


@dataclass(frozen=True, slots=True)
class LabelCheck:
    reading: LabelReading
    claims: tuple[ClaimResult, ...]
    result: dict[str, Any]


def result_sha256(result: dict[str, Any]) -> str:
    canonical = json.dumps(result, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_label(
    reading: LabelReading,
    ctx: ClaimContext,
    *,
    required_warnings: Sequence[RequiredWarning] = (),
    generated: GeneratedList | None = None,
    reading_source: dict[str, Any] | None = None,
) -> LabelCheck:
    corpus = load_corpus()
    claims = claim_results(reading, ctx)
    verdicts: list[str] = [c.verdict for c in claims]
    counts = {v: verdicts.count(v) for v in VERDICT_ORDER}
    elements = check_elements(reading)
    warnings = check_required_warnings(reading, required_warnings)
    result: dict[str, Any] = {
        "corpus": corpus.version_record(),
        "reading": reading.to_dict(),
        "reading_source": reading_source or {"method": "operator"},
        "kind": ctx.kind,
        "verdict": worst(verdicts) if claims else "gray",
        "counts": counts,
        "claims": [c.to_dict() for c in claims],
        "elements": [e.to_dict() for e in elements],
        "missing_elements": [e.key for e in elements if e.status == "missing"],
        "required_warnings": [w.to_dict() for w in warnings],
        "ingredient_list": None,
    }
    if generated is not None:
        result["ingredient_list"] = {
            "generated": generated.to_dict(),
            "label": list(reading.ingredient_list),
            "comparison": compare(generated, reading.ingredient_list).to_dict()
            if reading.ingredient_list
            else None,
        }
    return LabelCheck(reading, tuple(claims), result)
