"""The engine's drafts of items 9, 10 and 16, in Traditional Chinese and English.

Deterministic: built from the stored assessment (the engine's result as a dict) and the
per-ingredient profiles, so the same data gives the same draft. Every number in the prose
comes from the result; the wording never claims more than the data ("absolutely safe",
"no risk" and their Chinese forms are refused by :func:`forbidden_phrases`).

Confidence, per item, is a share of evidence, not a guess: item 9 the share of
ingredients with identified physico-chemical data; item 10 the share of endpoint cells
with data; item 16 the mean of each row's rung weight (:data:`RUNG_WEIGHT`)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pifai.ai.safety.result import fmt
from pifai.ai.toxicology.profile import ENDPOINTS, Profile

DRAFT_KIND = "engine_draft"
DRAFT_VERSION = 1

# How much a row's basis supports the conclusion, 0..1 (data gap: nothing).
RUNG_WEIGHT: dict[str, float] = {
    "prohibited": 1.0,
    "noael": 1.0,
    "qualitative": 0.8,
    "read_across": 0.6,
    "ttc": 0.5,
    "data_gap": 0.0,
}

RUNG_ZH: dict[str, str] = {
    "prohibited": "法定禁用（無須 NOAEL）",
    "noael": "數值 NOAEL",
    "read_across": "類似物交叉參照",
    "qualitative": "權威機構定性結論",
    "ttc": "毒理關注閾值（TTC）篩選",
    "data_gap": "資料缺口，交由安全評估人員判斷",
}
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "acceptable": ("可接受", "acceptable"),
    "needs_sa": ("需安全評估人員判斷", "needs SA judgement"),
    "revision": ("須修改配方", "formula revision required"),
}
VERDICT_TEXT: dict[str, tuple[str, str]] = {
    "acceptable": (
        "依本報告所列之資料與假設，各成分之安全邊際均達門檻，或有涵蓋其使用情形之權威結論；"
        "在正常或合理可預見之使用條件下，本產品預期不致危害人體健康。"
        "此為系統草稿，須經安全評估人員審閱並簽署。",
        "On the data and assumptions listed in this report, every ingredient reaches the "
        "margin-of-safety threshold or is covered by an authoritative conclusion for this use; "
        "under normal or reasonably foreseeable conditions of use "
        "the product is not expected to harm human health. This is a draft for the Safety "
        "Assessor to review and sign.",
    ),
    "formula_revision_required": (
        "本產品目前之配方須修改：至少一項成分違反法定限制或安全邊際不足（原因如下）。",
        "The formula must be revised: at least one ingredient breaks a statutory restriction "
        "or falls short of the margin of safety (reasons below).",
    ),
    "needs_sa_judgement": (
        "本產品之安全性須由安全評估人員判斷：部分成分缺乏足以計算安全邊際之資料（待釐清事項如下）。",
        "The product's safety needs the Safety Assessor's judgement: some ingredients lack the "
        "data to compute a margin of safety (open questions below).",
    ),
}
REASON_ZH: dict[str, str] = {
    "prohibited": "法定禁用成分",
    "cmr": "CMR 1A/1B 物質",
    "over_limit": "超過法定限量",
    "mos_below_threshold": "安全邊際低於門檻",
    "nanomaterial": "奈米材料缺少安全評估",
    "fallback_not_sufficient": "替代依據（交叉參照/TTC）不足",
    "qualitative_not_covering": "定性結論未涵蓋此使用情形",
    "data_gap": "資料缺口",
    "concentration_missing": "缺少濃度",
    "exposure_fallback": "產品類別未知，採最保守暴露量",
    "unverified_input": "輸入值未經來源核對",
}
# Severe codes become warnings; the rest are questions the SA must answer.
WARNING_CODES = frozenset({"prohibited", "cmr", "over_limit", "mos_below_threshold"})

FORBIDDEN = (
    "absolutely safe",
    "completely safe",
    "100% safe",
    "no risk",
    "risk-free",
    "zero risk",
    "絕對安全",
    "完全安全",
    "百分之百安全",
    "無風險",
    "零風險",
    "沒有風險",
    "毫無風險",
)


def forbidden_phrases(text: str) -> list[str]:
    lowered = text.casefold()
    return [p for p in FORBIDDEN if p.casefold() in lowered]


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def numbers_in(text: str) -> set[str]:
    return set(_NUMBER.findall(text))


def digest(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _bilingual(zh: str, en: str) -> dict[str, str]:
    return {"zh-TW": zh, "en": en}


def _product_text(product: Mapping[str, Any], count: int) -> dict[str, str]:
    name = str(product.get("name") or "")
    name_en = product.get("name_en")
    label = f"{name}（{name_en}）" if name_en else name
    kind = str(product.get("product_type") or "")
    return _bilingual(
        f"產品：{label}；產品類型：{kind}；配方成分數：{count}。",
        f"Product: {name_en or name}; product type: {kind}; ingredients in the formula: {count}.",
    )


def _exposure_text(exposure: Mapping[str, Any]) -> dict[str, str]:
    e = fmt(float(exposure["e_mg_per_kg_day"]))
    citation = str(exposure.get("citation") or "")
    if exposure.get("category_known"):
        category = str(exposure.get("category"))
        return _bilingual(
            f"暴露量：SCCS 產品類別 {category}，計算之相對每日暴露量 E = {e} mg/kg bw/day"
            f"（{citation}）。",
            f"Exposure: SCCS category {category}, calculated relative daily exposure "
            f"E = {e} mg/kg bw/day ({citation}).",
        )
    return _bilingual(
        f"暴露量：產品未指定 SCCS 類別，採其產品類型最保守之暴露量 E = {e} mg/kg bw/day"
        f"（{citation}）；請於第 1 項指定類別。",
        f"Exposure: the product has no SCCS category; the most conservative exposure of its "
        f"product type is used, E = {e} mg/kg bw/day ({citation}); set the category in item 1.",
    )


def _row(row: Mapping[str, Any]) -> dict[str, Any]:
    status_zh, status_en = STATUS_LABELS[str(row["status"])]
    return {
        "ingredient": row["ingredient"],
        "cas": row.get("cas"),
        "concentration_pct": row.get("concentration_pct"),
        "rung": row["rung"],
        "rung_label_zh": RUNG_ZH[str(row["rung"])],
        "rung_label_en": row["rung_label"],
        "sed_mg_per_kg_day": row.get("sed_mg_per_kg_day"),
        "point_of_departure_mg_per_kg_day": row.get("point_of_departure_mg_per_kg_day"),
        "mos": row.get("mos"),
        "status": row["status"],
        "status_zh": status_zh,
        "status_en": status_en,
        "basis": row["basis"],
    }


def _reason_text(reason: Mapping[str, Any]) -> dict[str, str]:
    code = str(reason["code"])
    return _bilingual(f"{REASON_ZH[code]}：{reason['message']}", str(reason["message"]))


def _rows_confidence(rows: Sequence[Mapping[str, Any]]) -> float:
    if not rows:
        return 0.0
    return round(sum(RUNG_WEIGHT[str(r["rung"])] for r in rows) / len(rows), 3)


def item16_draft(
    product: Mapping[str, Any], result: Mapping[str, Any], assessment_id: str | None
) -> dict[str, Any]:
    rows = list(result["ingredients"])
    verdict = str(result["verdict"])
    reasons = list(result["reasons"])
    zh, en = VERDICT_TEXT[verdict]
    scored = [r for r in rows if r.get("mos") is not None]
    lowest = min(scored, key=lambda r: float(r["mos"])) if scored else None
    if lowest is not None:
        mos = fmt(float(lowest["mos"]))
        zh += f"最低安全邊際：{lowest['ingredient']}，MoS = {mos}。"
        en += f" Lowest margin of safety: {lowest['ingredient']}, MoS = {mos}."
    return {
        "kind": DRAFT_KIND,
        "version": DRAFT_VERSION,
        "assessment_id": assessment_id,
        "data_versions": result.get("data_versions"),
        "verdict": verdict,
        "product": _product_text(product, len(rows)),
        "exposure": _exposure_text(result["exposure"]),
        "ingredients": [_row(r) for r in rows],
        "conclusion": _bilingual(zh, en),
        "warnings": [_reason_text(r) for r in reasons if r["code"] in WARNING_CODES],
        "open_questions": [
            _reason_text(r) | {"ingredient": r.get("ingredient")}
            for r in reasons
            if r["code"] not in WARNING_CODES
        ],
        "computation_basis": list(result["computation_basis"]),
        "confidence": _rows_confidence(rows),
        "confidence_basis": "mean rung weight of the rows: "
        + ", ".join(f"{k} {v:g}" for k, v in RUNG_WEIGHT.items()),
        "rephrased_by_llm": False,
    }


def item9_draft(profiles: Sequence[Profile], assessment_id: str | None) -> dict[str, Any]:
    rows = [
        {"ingredient": p.ingredient, "physchem": p.physchem, "basis": p.physchem_basis}
        for p in profiles
    ]
    known = sum(1 for p in profiles if p.physchem is not None)
    return {
        "kind": DRAFT_KIND,
        "version": DRAFT_VERSION,
        "assessment_id": assessment_id,
        "ingredients": rows,
        "confidence": round(known / len(profiles), 3) if profiles else 0.0,
        "confidence_basis": f"{known} of {len(profiles)} ingredients identified in PubChem",
    }


def item10_draft(profiles: Sequence[Profile], assessment_id: str | None) -> dict[str, Any]:
    cells = len(profiles) * len(ENDPOINTS)
    filled = sum(p.endpoints_with_data for p in profiles)
    return {
        "kind": DRAFT_KIND,
        "version": DRAFT_VERSION,
        "assessment_id": assessment_id,
        "ingredients": [p.to_dict() for p in profiles],
        "confidence": round(filled / cells, 3) if cells else 0.0,
        "confidence_basis": f"{filled} of {cells} endpoint cells have data from a source",
    }


def prose_fields(draft: Mapping[str, Any]) -> dict[str, str]:
    """The item-16 texts an LLM may rephrase, keyed "section.language"."""
    return {
        f"{section}.{language}": str(draft[section][language])
        for section in ("product", "exposure", "conclusion")
        for language in ("zh-TW", "en")
    }


def with_prose(draft: Mapping[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
    out = dict(draft)
    for key, text in texts.items():
        section, language = key.split(".", 1)
        out[section] = dict(out[section]) | {language: text}
    return out
