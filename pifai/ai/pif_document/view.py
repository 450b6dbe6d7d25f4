"""The template's view of a document: labels in Traditional Chinese, the ingredient table
sorted, the engine's drafts of items 9, 10 and 16 as rows. Pure: data in, dicts out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pifai.ai.pif_document.model import DocumentData

STATUS_ZH = {
    "missing": "缺件",
    "uploaded": "已上傳",
    "ai_processing": "AI 分析中",
    "ai_draft_ready": "AI 初稿完成",
    "human_reviewed": "人工已審閱",
    "approved": "安全評估人員已核准",
}
VERSION_STATUS_ZH = {"draft": "工作草稿", "signed": "已簽署", "superseded": "已被取代"}
TFDA_LIST_ZH = {
    "prohibited": "禁用成分",
    "restricted": "限用成分",
    "preservative": "防腐劑",
    "colorant": "色素",
    "uv_filter": "防曬劑",
}
SEVERITY_ZH = {
    "blocking": "阻擋簽署",
    "error": "錯誤",
    "warning": "警告",
    "violation": "違規",
    "info": "資訊",
}
# Field labels of the item forms (pifai.schemas.pif_content); unknown keys show as named.
FIELD_ZH = {
    "name": "產品名稱（中文）",
    "name_en": "產品名稱（英文）",
    "category": "產品類別",
    "dosage_form": "劑型",
    "intended_use": "用途",
    "manufacturer_name": "製造業者名稱",
    "manufacturer_address": "製造業者地址",
    "notification_number": "登錄字號",
    "notified_on": "登錄日期",
    "product_type": "產品類型",
    "sccs_category": "SCCS 產品類別",
    "children_under_3": "供三歲以下兒童使用",
    "notes": "備註",
    "references": "參考資料",
    "product_name": "標示之產品名稱",
    "label_text": "標籤文字",
    "ingredient_list": "標示之成分",
    "claims": "宣稱",
    "warnings": "警語",
    "usage": "使用方法",
    "net_content": "淨含量",
    "standard": "標準",
    "certificate_number": "證書號碼",
    "issuer": "發證單位",
    "site_address": "製造場所地址",
    "valid_from": "發證日期",
    "valid_until": "有效期限",
    "stages": "製程階段",
    "steps": "步驟",
    "max_temperature_c": "最高溫度（°C）",
    "critical_controls": "關鍵管制點",
    "method": "方法",
    "body_sites": "使用部位",
    "amount_per_use_g": "每次用量（g）",
    "applications_per_day": "每日使用次數",
    "target_population": "使用族群",
    "has_reports": "有不良反應報告",
    "statement": "聲明",
    "reports": "不良反應紀錄",
    "reported_on": "獲知日期",
    "description": "描述",
    "severity": "嚴重程度",
    "serious": "嚴重不良反應",
    "classification": "分類",
    "authority_reported_on": "通報主管機關日期",
    "outcome": "結果",
    "laboratory": "檢驗機構",
    "report_number": "報告編號",
    "test_date": "試驗日期",
    "issued_on": "報告日期",
    "result": "結果",
    "passed": "合格",
    "conditions": "試驗條件",
    "temperature_c": "溫度（°C）",
    "humidity_pct": "濕度（%）",
    "duration_days": "天數",
    "light": "光照",
    "containers_tested": "測試容器",
    "limits": "微生物限量",
    "organism": "菌種",
    "limit": "限量",
    "criterion": "判定標準",
    "claim": "宣稱",
    "evidence_type": "佐證類型",
    "evidence": "佐證",
    "file_ids": "檔案",
    "components": "包裝組件",
    "component": "組件",
    "material": "材質",
    "material_class": "材質類別",
    "product_contact": "直接接觸產品",
}
# Keys the generic field table leaves out: machine bookkeeping, shown elsewhere.
HIDDEN_KEYS = frozenset({"provenance", "engine_draft"})


def fmt_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return "、".join(fmt_value(v) for v in value) or "—"
    return str(value)


def fmt_number(value: Any, digits: int = 4) -> str:
    """``digits`` significant digits, written out (16,570 rather than 1.657e+04)."""
    if value is None:
        return "—"
    try:
        number = float(f"{float(value):.{digits}g}")
    except (TypeError, ValueError):
        return str(value)
    if number != 0 and abs(number) < 1e-3:
        return f"{number:.{digits}g}"
    text = f"{number:,.6f}".rstrip("0").rstrip(".")
    return text


def field_rows(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A form's fields as rows: scalars as text, lists of objects as sub-tables."""
    rows: list[dict[str, Any]] = []
    for key in sorted(
        content, key=lambda k: (list(FIELD_ZH).index(k) if k in FIELD_ZH else 999, k)
    ):
        if key in HIDDEN_KEYS:
            continue
        value = content[key]
        label = FIELD_ZH.get(key, key)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns = [c for c in _columns(value) if c not in HIDDEN_KEYS]
            rows.append(
                {
                    "label": label,
                    "table": {
                        "columns": [FIELD_ZH.get(c, c) for c in columns],
                        "rows": [[fmt_value(v.get(c)) for c in columns] for v in value],
                    },
                }
            )
        elif isinstance(value, dict):
            rows.append(
                {
                    "label": label,
                    "text": fmt_value(", ".join(f"{k}: {v}" for k, v in sorted(value.items()))),
                }
            )
        else:
            rows.append({"label": label, "text": fmt_value(value)})
    return rows


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    seen: list[str] = []
    for row in rows:
        for key in row:
            if key not in seen:
                seen.append(key)
    return seen


def _concentration_key(row: Mapping[str, Any]) -> tuple[int, float, str]:
    # Item 3 lists by concentration, descending; rows without one last, then by name.
    value = row.get("concentration")
    name = str(row.get("inci") or row.get("raw_name") or "")
    if value is None:
        return (1, 0.0, name)
    return (0, -float(value), name)


def ingredient_rows(formula: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for row in sorted(formula, key=_concentration_key):
        status = row.get("tfda_status") or []
        rows.append(
            {
                "inci": row.get("inci") or row.get("raw_name") or "—",
                "zh_name": row.get("zh_name") or "—",
                "cas": row.get("cas") or "—",
                "concentration": "適量（q.s.）"
                if row.get("is_balance") and row.get("concentration") is None
                else fmt_number(row.get("concentration"), 6),
                "function": row.get("function") or "—",
                "tfda_status": "、".join(TFDA_LIST_ZH.get(s, s) for s in status)
                or "未列於 TFDA 管制清單",
            }
        )
    return rows


def _draft(items: Mapping[int, Mapping[str, Any]], number: int) -> dict[str, Any]:
    content = (items.get(number) or {}).get("content") or {}
    draft = content.get("engine_draft")
    return dict(draft) if isinstance(draft, dict) else {}


def mos_rows(item16: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "ingredient": r.get("ingredient"),
            "concentration": fmt_number(r.get("concentration_pct"), 6),
            "rung": r.get("rung_label_zh") or r.get("rung"),
            "sed": fmt_number(r.get("sed_mg_per_kg_day")),
            "pod": fmt_number(r.get("point_of_departure_mg_per_kg_day")),
            "mos": fmt_number(r.get("mos")),
            "status": r.get("status_zh") or r.get("status"),
            "basis": r.get("basis") or "",
        }
        for r in item16.get("ingredients") or []
    ]


def toxicology_rows(item10: Mapping[str, Any], item16: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per ingredient: the endpoints with data (finding and source), the endpoints without
    (named once, with the distinct reasons), the authorities' conclusions, the rung."""
    rungs = {
        str(r.get("ingredient")): r.get("rung_label_zh") or r.get("rung")
        for r in item16.get("ingredients") or []
    }
    out = []
    for profile in item10.get("ingredients") or []:
        name = str(profile.get("ingredient"))
        endpoints, missing, notes = [], [], []
        for endpoint in profile.get("endpoints") or []:
            label = endpoint.get("label_zh") or endpoint.get("endpoint")
            findings = endpoint.get("findings") or []
            if findings:
                endpoints.append(
                    {
                        "label": label,
                        "findings": [
                            {"text": f.get("text"), "source": f.get("source")} for f in findings
                        ],
                    }
                )
            else:
                missing.append(label)
                notes += [g for g in endpoint.get("gaps") or [] if g not in notes]
        conclusions = [
            {"text": c.get("text"), "source": c.get("source")}
            for c in profile.get("conclusions") or []
        ]
        out.append(
            {
                "ingredient": name,
                "rung": rungs.get(name, "—"),
                "endpoints": endpoints,
                "missing": missing,
                "gap_notes": notes,
                "conclusions": conclusions,
                "rows": max(1, len(endpoints) + (1 if missing else 0) + (1 if conclusions else 0)),
            }
        )
    return out


def physchem_rows(item9: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in item9.get("ingredients") or []:
        data = row.get("physchem") or {}
        rows.append(
            {
                "ingredient": row.get("ingredient"),
                "formula": data.get("molecular_formula") or "—",
                "weight": fmt_number(data.get("molecular_weight")),
                "xlogp": fmt_number(data.get("xlogp")),
                "basis": row.get("basis") or "",
            }
        )
    return rows


def context(
    data: DocumentData, item_names: Mapping[int, tuple[str, str]], font_url: str
) -> dict[str, Any]:
    """Everything the template reads."""
    item16 = _draft(data.items, 16)
    item10 = _draft(data.items, 10)
    item9 = _draft(data.items, 9)
    version = data.version
    label = "V0（工作草稿）" if version.number == 0 else f"V{version.number}"
    items = []
    for number in sorted(item_names):
        stored = data.items.get(number) or {}
        content = dict(stored.get("content") or {})
        if number == 1:
            content = {**{k: v for k, v in data.product.items() if v is not None}, **content}
        confidence = stored.get("confidence")
        items.append(
            {
                "number": number,
                "name_zh": item_names[number][0],
                "name_en": item_names[number][1],
                "status": STATUS_ZH.get(
                    str(stored.get("status")), str(stored.get("status") or "—")
                ),
                "confidence": "—" if confidence is None else f"{float(confidence) * 100:.0f}%",
                "fields": field_rows(content),
                "attachments": data.attachments.get(number, []),
            }
        )
    return {
        "data": data,
        "font_url": font_url,
        "product": data.product,
        "version_label": label,
        "version_status": VERSION_STATUS_ZH.get(version.status, version.status),
        "signed": version.signed,
        "generated_at": data.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        "document_date": data.generated_at.date().isoformat(),
        "items": items,
        "ingredients": ingredient_rows(data.formula),
        "mos_rows": mos_rows(item16),
        "toxicology": toxicology_rows(item10, item16),
        "physchem": physchem_rows(item9),
        "item16": item16,
        "computation_basis": item16.get("computation_basis") or [],
        "findings": data.findings,
        "alerts": data.alerts,
        "expiry": data.expiry,
        "history": [
            {
                "label": f"V{v.number}",
                "status": VERSION_STATUS_ZH.get(v.status, v.status),
                "signed_at": fmt_value(v.signed_at),
                "signer": v.signer_name or "—",
                "qualification": v.qualification_ref or "—",
                "sha256": v.snapshot_sha256 or "—",
            }
            for v in data.history
        ],
        "severity_zh": SEVERITY_ZH,
        "not_embedded": [
            a for files in data.attachments.values() for a in files if a.error is not None
        ],
    }
