"""A claim's verdict against the phrase corpus.

``red``: a phrase of appendix 1 (physiological effect: false or exaggerated) or 4 (medical
efficacy), or a term of the rule's Art 5(1). ``amber``: an appendix 2 phrase with a note
(*1-*5: substantiation) or a condition (a statement the label must carry), a phrase listed
for another product kind (note 六), or an appendix 3 phrase whose ingredient and evidence
are on file. ``pending_data``: an appendix 3 phrase whose ingredient is not in the formula
(or over its limit) or whose evidence is not filed in item 14. ``green``: an appendix 2
phrase for the product's kind without note or condition. ``gray``: no phrase matched in
this run, which never means lawful.

A claim is matched as one text (a phrase joined by 、 or broken across lines still
matches) and reported per part (split at 、。；！), each part with the matches over it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pifai.ai.claims.corpus import Corpus, CorpusPhrase, Ingredient, load_corpus
from pifai.ai.claims.patterns import comparable
from pifai.ai.claims.text import Folded
from pifai.ai.ingredient_validator.names import name_key

Verdict = Literal["red", "pending_data", "amber", "gray", "green"]
# Worst first; an unmatched part (gray) outranks a permitted one: it is unknown.
VERDICT_ORDER: dict[str, int] = {"red": 0, "pending_data": 1, "amber": 2, "gray": 3, "green": 4}
GENERAL_KIND = 15  # 其他及綜合性內容: listed for every kind
_PART_BREAK = re.compile(r"[、。；;！!？?]")
_STATEMENT = re.compile(r"「([^」]+)」")
_FLUORIDE = ("FLUORIDE", "FLUOROPHOSPHATE")  # what 氟化物 (fluoride) is spelt as in INCI


@dataclass(frozen=True, slots=True)
class FormulaRow:
    inci: str
    concentration_pct: float | None = None


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """What a verdict may depend on besides the words: the product's appendix 2 kind,
    its formula (appendix 3), the item 14 claims that have evidence, the label's text
    (for the statements a phrase requires)."""

    kind: int | None = None
    formula: tuple[FormulaRow, ...] = ()
    evidence: tuple[str, ...] = ()
    label_text: str = ""


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    phrase: CorpusPhrase
    found: str  # as the label wrote it
    start: int  # in the claim's folded text
    end: int
    verdict: Verdict
    reason: str
    conditions: tuple[dict[str, Any], ...] = ()
    evidence_filed: bool | None = None
    other_kind: bool = False  # listed only for kinds other than the product's

    def to_dict(self) -> dict[str, Any]:
        p = self.phrase
        return {
            "phrase_id": p.id,
            "appendix": p.appendix,
            "item": p.item,
            "phrase": p.text,
            "kind": p.kind_name,
            "citation": p.cite(),
            "found": self.found,
            "verdict": self.verdict,
            "reason": self.reason,
            "notes": list(p.notes),
            "qualifiers": list(p.qualifiers),
            "conditions": list(self.conditions),
            "ingredients": [i.to_dict() for i in p.ingredients],
            "evidence_filed": self.evidence_filed,
        }


@dataclass(frozen=True, slots=True)
class ClaimPart:
    text: str
    verdict: Verdict
    phrase_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClaimResult:
    claim: str
    source: str  # claims, product_name, use, mark ...
    verdict: Verdict
    parts: tuple[ClaimPart, ...]
    matches: tuple[PhraseMatch, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "source": self.source,
            "verdict": self.verdict,
            "parts": [
                {"text": p.text, "verdict": p.verdict, "phrase_ids": list(p.phrase_ids)}
                for p in self.parts
            ],
            "matches": [m.to_dict() for m in self.matches],
        }


def worst(verdicts: Iterable[str]) -> Verdict:
    listed = list(verdicts)
    if not listed:
        return "gray"
    chosen = min(listed, key=VERDICT_ORDER.__getitem__)
    return chosen  # type: ignore[return-value]


def _statements(phrase: CorpusPhrase, label: str) -> tuple[dict[str, Any], ...]:
    """The statements a phrase's conditions require (「配合正確刷牙習慣」), each found on
    the label or not."""
    have = comparable(label)
    out = []
    for condition in phrase.conditions:
        for statement in _STATEMENT.findall(condition):
            out.append({"condition": condition, "statement": statement,
                        "met": comparable(statement) in have})  # fmt: skip
    return tuple(out)


def _evidence_filed(found: str, ctx: ClaimContext) -> bool:
    want = comparable(found)
    return any(want in comparable(e) or comparable(e) in want for e in ctx.evidence if e)


def _in_formula(ingredient: Ingredient, ctx: ClaimContext) -> FormulaRow | None:
    for row in ctx.formula:
        inci = row.inci.upper()
        if ingredient.inci is not None:
            hit = name_key(ingredient.inci) == name_key(row.inci)
        else:
            hit = ingredient.name_zh == "氟化物" and any(w in inci for w in _FLUORIDE)
        if hit:
            return row
    return None


def _ingredient_linked(
    phrase: CorpusPhrase, found: str, ctx: ClaimContext
) -> tuple[Verdict, str, bool]:
    evidence = _evidence_filed(found, ctx)
    present = [(i, r) for i in phrase.ingredients if (r := _in_formula(i, ctx))]
    within = [
        (i, r)
        for i, r in present
        if i.max_pct is None or r.concentration_pct is None or r.concentration_pct <= i.max_pct
    ]
    named = "、".join(i.name_zh for i in phrase.ingredients)
    if within and evidence:
        ingredient, r = within[0]
        unchecked = (
            f"；限量（{ingredient.limit}）未自動核算，請人工確認" if ingredient.limit else ""
        )
        return (
            "amber",
            f"成分 {r.inci} 在配方中，第 14 項有佐證；仍須符合附件三註記{unchecked}",
            evidence,
        )
    missing = []
    if not within:
        missing.append(
            f"配方無超過限量之外的 {named}" if present else f"配方中無附件三所列成分（{named}）"
        )
    if not evidence:
        missing.append("第 14 項未有此宣稱之佐證")
    return "pending_data", "；".join(missing), evidence


def _judge(
    phrases: Sequence[CorpusPhrase], found: str, ctx: ClaimContext
) -> tuple[CorpusPhrase, Verdict, str, tuple[dict[str, Any], ...], bool | None]:
    """One verdict for every listing of the same words (a phrase of appendix 2 is listed
    once per kind)."""
    head = phrases[0]
    if head.appendix in (0, 1, 4):
        reason = {
            0: "涉及醫療效能（認定準則第5條第1款之用語）",
            1: "附件一：涉及影響生理機能或改變身體結構，認定為虛偽誇大（認定準則第3條第4款）",
            4: "附件四：涉及醫療效能（認定準則第5條第1款）",
        }[head.appendix]
        return head, "red", reason, (), None
    if head.appendix == 3:
        verdict, reason, evidence = _ingredient_linked(head, found, ctx)
        return head, verdict, reason, _statements(head, ctx.label_text), evidence
    own = [p for p in phrases if ctx.kind is None or p.kind in (ctx.kind, GENERAL_KIND)]
    listing = own or list(phrases)
    strict = [p for p in listing if p.notes or p.conditions]
    chosen = strict[0] if strict else listing[0]
    conditions = _statements(chosen, ctx.label_text)
    evidence = _evidence_filed(found, ctx)
    if not own:
        kinds = "、".join(sorted({p.kind_name or "" for p in phrases}))
        return chosen, "amber", f"附件二列於其他種類（{kinds}）；依註六須產品具該種類之特性", (
            conditions), evidence  # fmt: skip
    if strict:
        why = "；".join(chosen.notes) or "；".join(chosen.conditions)
        return chosen, "amber", f"附件二詞句，須符合註記：{why}", conditions, evidence
    return chosen, "green", "附件二通常得使用之詞句，無附註", conditions, evidence


def match_claim(
    claim: str, ctx: ClaimContext, *, source: str = "claims", corpus: Corpus | None = None
) -> ClaimResult:
    corpus = corpus or load_corpus()
    folded = Folded.of(claim)
    text = comparable(claim)
    # comparable() drops soft commas; map its offsets back through the folded text.
    index = [i for i, ch in enumerate(folded.text) if comparable(ch)]
    by_words: dict[str, list[CorpusPhrase]] = {}
    spans: dict[str, tuple[int, int]] = {}
    for phrase in corpus.phrases:
        if (at := phrase.pattern.find(text)) is not None:
            words = comparable(phrase.text)
            by_words.setdefault(words, []).append(phrase)
            spans[words] = at
    matches = []
    for words, phrases in by_words.items():
        start, end = spans[words]
        lo, hi = index[start], index[end - 1] + 1
        found = folded.span(lo, hi)
        phrase, verdict, reason, conditions, evidence = _judge(phrases, found, ctx)
        other = (
            ctx.kind is not None
            and phrase.appendix == 2
            and not any(p.kind in (ctx.kind, GENERAL_KIND) for p in phrases)
        )
        matches.append(
            PhraseMatch(phrase, found, lo, hi, verdict, reason, conditions, evidence, other)
        )
    # Words inside a longer phrase with a verdict as strict are part of it, and words
    # inside a red phrase are never a permitted claim of their own.
    kept = [m for m in matches if not any(_covers(n, m) for n in matches)]
    kept.sort(key=lambda m: (m.start, VERDICT_ORDER[m.verdict]))
    return ClaimResult(claim, source, worst(_part_verdicts(folded, kept)), _parts(folded, kept),
                       tuple(kept))  # fmt: skip


def _covers(outer: PhraseMatch, inner: PhraseMatch) -> bool:
    if outer is inner or not (outer.start <= inner.start and inner.end <= outer.end):
        return False
    if inner.other_kind and not outer.other_kind:  # the product's own kind lists the words
        return True
    wider = outer.end - outer.start > inner.end - inner.start
    stricter = VERDICT_ORDER[outer.verdict] <= VERDICT_ORDER[inner.verdict]
    return (wider and stricter) or (outer.verdict == "red" and inner.verdict != "red")


def _part_spans(folded: Folded) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _PART_BREAK.finditer(folded.text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(folded.text)))
    return [(a, b) for a, b in spans if b > a]


def _parts(folded: Folded, matches: Sequence[PhraseMatch]) -> tuple[ClaimPart, ...]:
    out = []
    for a, b in _part_spans(folded):
        over = [m for m in matches if m.start < b and m.end > a]
        verdict = worst(m.verdict for m in over) if over else "gray"
        out.append(ClaimPart(folded.span(a, b), verdict, tuple(m.phrase.id for m in over)))
    return tuple(out)


def _part_verdicts(folded: Folded, matches: Sequence[PhraseMatch]) -> list[str]:
    return [p.verdict for p in _parts(folded, matches)] or ["gray"]
