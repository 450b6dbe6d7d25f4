"""Words that carry a report's facts: pass or fail, the standard, numbers, who tested.

不合格 contains 合格 and "Does not comply" contains "comply": failing words are found
first and blanked out before the passing ones are looked for."""

from __future__ import annotations

import re

from pifai.ai.report_facts.text import (
    LABELLED,
    UNLABELLED,
    WEAK,
    Document,
    Found,
    after_label,
    first_cell,
    label_pattern,
)

FAIL = re.compile(
    r"不合格|不符合|未符合|未通過|不通過|未達|"
    r"\bfail(?:ed|s|ure)?\b|\bdoes\s+not\s+(?:comply|conform|meet)|\bdid\s+not\s+(?:comply|"
    r"conform|meet|pass)|\bnot\s+(?:comply|complies|compliant|conform(?:ing)?|passed|met)\b|"
    r"\bnon-?(?:compliant|conform(?:ing|ity|ant)?)\b|\bout\s+of\s+specification\b",
    re.IGNORECASE,
)
PASS = re.compile(
    r"合格|符合|通過|達到|"
    r"\bpass(?:ed|es)?\b|\bcompl(?:ies|ied|y|iant)\b|\bconform(?:s|ed|ing)?\b|"
    r"\bmeets?\s+(?:the\s+)?(?:criteri(?:on|a)|requirements?|specifications?|limits?)\b|"
    r"\bwithin\s+(?:the\s+)?(?:specification|limits?)\b|\bsatisfactory\b",
    re.IGNORECASE,
)
# Text with a verdict word that is no verdict: column headers, criteria, accreditations.
NOT_A_VERDICT = re.compile(
    r"pass\s*/\s*fail|合格\s*/\s*不合格|符合\s*/\s*不符合|合格標準|合格基準|判定標準|判定基準|"
    r"acceptance\s+criteri(?:on|a)|pass\s+criteri(?:on|a)|通過\s*TAF|TAF\s*認證|"
    r"符合性|in\s+compliance\s+with\s+ISO\s*17025",
    re.IGNORECASE,
)
VERDICT_LABELS = label_pattern(
    (
        "判定結果", "判定", "結論", "總結", "檢驗結果", "試驗結果", "測試結果", "結果",
        "conclusion", "overall result", "verdict", "result", "evaluation", "assessment",
        "overall assessment", "final result",
    )
)  # fmt: skip


def verdict(text: str) -> bool | None:
    """False when the text fails, True when it passes, None when it says neither."""
    text = NOT_A_VERDICT.sub(" ", text)
    if FAIL.search(text):
        return False
    blanked = FAIL.sub(" ", text)
    return True if PASS.search(blanked) else None


def find_verdict(doc: Document) -> Found | None:
    """The report's overall pass/fail: a labelled conclusion first, else the wording of
    the whole text (any failing word makes the report fail)."""
    for line, rest in after_label(doc, VERDICT_LABELS):
        said = verdict(rest)
        if said is not None:
            return Found(said, LABELLED, doc.source(line))
    failing = passing = None
    for line in doc.lines:
        said = verdict(line.text)
        if said is False and failing is None:
            failing = line
        elif said is True and passing is None:
            passing = line
    if failing is not None:
        return Found(False, UNLABELLED, doc.source(failing))
    if passing is not None:
        return Found(True, WEAK, doc.source(passing))
    return None


def find_result_text(doc: Document) -> Found | None:
    for line, rest in after_label(doc, VERDICT_LABELS):
        value = rest.strip()[:500]
        if value:
            # A conclusion that says pass or fail is surely the result; other text may not be.
            sure = LABELLED if verdict(value) is not None else UNLABELLED
            return Found(value, sure, doc.source(line))
    return None


# --- numbers ------------------------------------------------------------------------------

# A reference number: letters, digits and separators, with at least one digit.
_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/_.()#]{2,60}")

REPORT_NUMBER_LABELS = label_pattern(
    (
        "報告編號", "報告號碼", "報告字號", "檢驗報告編號", "試驗報告編號", r"report\s*no\.?",
        r"report\s*number", r"test\s*report\s*no\.?", r"report\s*#", r"ref(?:erence)?\.?\s*no\.?",
    )
)  # fmt: skip
CERTIFICATE_NUMBER_LABELS = label_pattern(
    (
        "證書編號", "證書號碼", "證書字號", "證號", r"certificate\s*no\.?", r"certificate\s*number",
        r"cert\.?\s*no\.?", r"certificate\s*#", r"registration\s*no\.?",
    )
)  # fmt: skip
NOTIFICATION_NUMBER_LABELS = label_pattern(
    (
        "登錄編號", "登錄號碼", "產品登錄編號", "產品登錄號碼", "登錄碼", "登錄字號",
        r"notification\s*no\.?", r"notification\s*number", r"notification\s*code",
        r"product\s*registration\s*no\.?",
    )
)  # fmt: skip


def find_number(doc: Document, labels: re.Pattern[str]) -> Found | None:
    for line, rest in after_label(doc, labels):
        match = _NUMBER.match(first_cell(rest))
        if match and any(ch.isdigit() for ch in match.group(0)):
            return Found(match.group(0).rstrip(".)"), LABELLED, doc.source(line))
    return None


# --- standards ----------------------------------------------------------------------------

_ISO_22716 = re.compile(r"ISO\s*22716", re.IGNORECASE)
_GMP = re.compile(r"\bGMP\b|優良製造(?:規範|準則)", re.IGNORECASE)
_TFDA = re.compile(r"TFDA|食品藥物管理署|衛生福利部|化粧品優良製造|Taiwan\s+FDA", re.IGNORECASE)
_ISO_NUMBER = re.compile(r"\b(?:ISO|CNS|USP|EP|Ph\.\s*Eur\.)\s*<?\s*\d{2,5}(?:-\d+)?(?::\d{4})?>?")


def find_gmp_standard(doc: Document) -> Found | None:
    for line in doc.lines:
        if _ISO_22716.search(line.text):
            return Found("ISO 22716", LABELLED, doc.source(line))
    gmp = next((line for line in doc.lines if _GMP.search(line.text)), None)
    if gmp is None:
        return None
    if any(_TFDA.search(line.text) for line in doc.lines):
        return Found("TFDA GMP", UNLABELLED, doc.source(gmp))
    return Found("other", WEAK, doc.source(gmp))


def find_standard(doc: Document, name: str) -> Found | None:
    pattern = re.compile(re.escape(name).replace(r"\ ", r"\s*"), re.IGNORECASE)
    for line in doc.lines:
        if pattern.search(line.text):
            return Found(name, LABELLED, doc.source(line))
    return None


METHOD_LABELS = label_pattern(
    (
        "試驗方法", "檢驗方法", "測試方法", "檢測方法", "分析方法", "參考方法", "依據標準",
        r"test\s*method", r"method", r"standard", r"reference\s*method", r"procedure",
    ),
    strict=True,
)  # fmt: skip


def find_method(doc: Document) -> Found | None:
    for line, rest in after_label(doc, METHOD_LABELS):
        value = rest.strip()[:500]
        if value:
            return Found(value, LABELLED, doc.source(line))
    for line in doc.lines:
        match = _ISO_NUMBER.search(line.text)
        if match:
            return Found(match.group(0), UNLABELLED, doc.source(line, match.group(0)))
    return None


# --- who tested or certified --------------------------------------------------------------

LAB_LABELS = label_pattern(
    (
        "檢驗單位", "測試單位", "試驗單位", "檢驗機構", "測試機構", "試驗機構", "實驗室名稱",
        "委託檢驗單位", r"laboratory", r"testing\s*laboratory", r"test\s*lab", r"lab",
        r"tested\s*by", r"performed\s*by", r"testing\s*facility",
    ),
    strict=True,
)  # fmt: skip
ISSUER_LABELS = label_pattern(
    (
        "發證單位", "核發單位", "發證機構", "驗證機構", "認證機構", "稽核單位", r"issued\s*by",
        r"certification\s*body", r"issuer", r"certified\s*by", r"registrar",
    ),
    strict=True,
)  # fmt: skip
SITE_LABELS = label_pattern(
    (
        "製造場所地址", "工廠地址", "製造廠地址", "廠址", "地址", r"site\s*address",
        r"manufacturing\s*site", r"address", r"site",
    ),
    strict=True,
)  # fmt: skip
# What a laboratory's name ends with, or its accreditation ("TAF 認證", "ISO/IEC 17025").
_LAB_NAME = re.compile(
    r"[^:：,;|]{0,80}(?:laborator(?:y|ies)|labs?\b|testing\s+cent(?:er|re)|實驗室|檢驗所|"
    r"檢驗中心|檢測中心|檢驗科技|研究所)[^:：,;|]{0,40}",
    re.IGNORECASE,
)
_ACCREDITED = re.compile(r"TAF|ISO\s*/?\s*(?:IEC\s*)?17025", re.IGNORECASE)


def find_labelled_text(doc: Document, labels: re.Pattern[str], limit: int = 200) -> Found | None:
    for line, rest in after_label(doc, labels):
        value = first_cell(rest)[:limit]
        if len(value) >= 2:
            return Found(value, LABELLED, doc.source(line))
    return None


def find_laboratory(doc: Document) -> Found | None:
    labelled = find_labelled_text(doc, LAB_LABELS)
    if labelled is not None:
        return labelled
    for line in doc.lines:
        match = _LAB_NAME.search(line.text)
        if match and len(match.group(0).strip()) >= 4:
            sure = UNLABELLED if _ACCREDITED.search(doc.text) else WEAK
            name = match.group(0).strip(" .")[:200]
            return Found(name, sure, doc.source(line, name))
    return None
