"""Rules on the formula against the rest of the file: prohibited or over-limit
ingredients (item 3), the label warnings the restricted lists require (items 3, 4), the
label's ingredient list and name against items 1 and 3, claims against item 10."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from pifai.ai.consistency.model import Alert, PifSnapshot, RequiredWarning
from pifai.ai.consistency.reference import legal
from pifai.ai.ingredient_validator.names import name_key

# The rule engine's binding findings (critical: prohibited; high: a limit, product type or
# positive-list rule broken). Advisory findings (a stricter EU rule) do not block.
BINDING = ("critical", "high")


def prohibited_or_over_limit(pif: PifSnapshot) -> list[Alert]:
    out = []
    for finding in pif.findings:
        if finding.severity not in BINDING:
            continue
        what = "禁用成分" if finding.rule == "prohibited" else "不符限用規定"
        out.append(
            Alert(
                "formula.binding_finding",
                "blocking",
                (3,),
                f"第 3 項：{finding.ingredient} {what}（{finding.citation}）：{finding.message}",
                f"Item 3: {finding.message} ({finding.citation})",
                legal("ingredients"),
                {"ingredient": finding.ingredient, "rule": finding.rule},
            )
        )
    return out


# TFDA's warning column puts conditions in brackets ("(立即沖洗產品得免刊載該注意事項)")
# and may start with the products it applies to, ending in a colon.
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def warning_statement(text: str) -> str:
    statement = _BRACKETS.sub("", text)
    for colon in ("：", ":"):
        if colon in statement:
            statement = statement.rsplit(colon, 1)[1]
    return statement.strip()


def _on_label(statement: str, label: str) -> bool:
    want, have = name_key(statement), name_key(label)
    if not want:
        return True
    return want in have or fuzz.partial_ratio(want, have) >= 90


def label_warnings(pif: PifSnapshot) -> list[Alert]:
    label = pif.item(4)
    text = " ".join([str(label.get("label_text") or ""), *map(str, label.get("warnings") or [])])
    out = []
    seen: set[tuple[str, str]] = set()
    for required in pif.required_warnings:
        statement = warning_statement(required.text)
        if (required.ingredient, statement) in seen or _on_label(statement, text):
            continue
        seen.add((required.ingredient, statement))
        out.append(_missing_warning(required, statement))
    return out


def _missing_warning(required: RequiredWarning, statement: str) -> Alert:
    note = required.text if required.text != statement else None
    return Alert(
        "label.required_warning_missing",
        "error",
        (3, 4),
        f"第 4 項標籤缺少 {required.ingredient} 依 {required.entry_ref} 應刊載之注意事項："
        f"「{statement}」",
        f"Item 4: the label lacks the warning {required.entry_ref} requires for "
        f'{required.ingredient}: "{statement}"',
        legal("labelling"),
        {
            "ingredient": required.ingredient,
            "entry": required.entry_ref,
            "required_text": required.text,
            **({"list_conditions": note} if note else {}),
        },
    )


def label_matches_items_1_and_3(pif: PifSnapshot) -> list[Alert]:
    label = pif.item(4)
    out = []
    on_label = str(label.get("product_name") or "")
    names = [pif.product_name, pif.product_name_en or ""]
    if on_label and not any(_same_name(on_label, n) for n in names if n):
        out.append(
            Alert(
                "identity.product_name_differs",
                "error",
                (1, 4),
                f"第 4 項標籤品名「{on_label}」與第 1 項「{pif.product_name}」不一致",
                f'Item 4: the label\'s name "{on_label}" differs from item 1 '
                f'("{pif.product_name}")',
                legal("labelling"),
                {"label": on_label, "item_1": pif.product_name},
            )
        )
    listed = [str(n) for n in label.get("ingredient_list") or []]
    if listed and pif.formula:
        unknown = [n for n in listed if not any(line.known_as(n) for line in pif.formula)]
        absent = [line.label for line in pif.formula if not any(line.known_as(n) for n in listed)]
        if unknown or absent:
            zh = [
                f"{head}：{'、'.join(names)}"
                for head, names in (("標籤有而配方無", unknown), ("配方有而標籤無", absent))
                if names
            ]
            en = [
                f"{head}: {', '.join(names)}"
                for head, names in (("on the label only", unknown), ("in the formula only", absent))
                if names
            ]
            out.append(
                Alert(
                    "identity.ingredient_lists_differ",
                    "error",
                    (3, 4),
                    "第 4 項標籤全成分與第 3 項配方不一致：" + "；".join(zh),
                    "Item 4: the label's ingredient list differs from the formula (item 3): "
                    + "; ".join(en),
                    legal("labelling"),
                    {"label_only": unknown, "formula_only": absent},
                )
            )
    return out


def _same_name(a: str, b: str) -> bool:
    ka, kb = name_key(a), name_key(b)
    return bool(ka and kb) and (ka == kb or ka in kb or kb in ka)


# Claim families that need an active ingredient with data: the words on a label (zh, en)
# and the words of an ingredient's declared function that supply it.
STRONG_CLAIMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "whitening": (
        ("美白", "淡斑", "亮白", "whitening", "brightening", "lightening"),
        ("whitening", "brightening", "lightening", "美白", "淡斑"),
    ),
    "anti_wrinkle": (
        ("抗皺", "除皺", "撫紋", "淡紋", "anti-wrinkle", "wrinkle"),
        ("anti-wrinkle", "wrinkle", "anti-aging", "抗皺"),
    ),
    "firming": (("緊緻", "拉提", "firming", "lifting"), ("firming", "lifting", "緊緻")),
    "repair": (("修護", "修復", "repair"), ("repair", "修護", "修復")),
}


def claims_of(pif: PifSnapshot) -> list[str]:
    claims = [str(c) for c in pif.item(4).get("claims") or []]
    claims += [str(c.get("claim")) for c in pif.item(14).get("claims") or [] if c.get("claim")]
    return claims


def strong_claims_without_active_data(pif: PifSnapshot) -> list[Alert]:
    out = []
    claims = claims_of(pif)
    for family, (claim_words, function_words) in STRONG_CLAIMS.items():
        made = [c for c in claims if any(w in c.casefold() for w in claim_words)]
        if not made:
            continue
        actives = [
            line
            for line in pif.formula
            if line.function and any(w in line.function.casefold() for w in function_words)
        ]
        uncovered = [a.label for a in actives if not (a.aliases & pif.toxicology_covered)]
        if actives and not uncovered:
            continue
        which = "、".join(uncovered) if uncovered else None
        out.append(
            Alert(
                "claims.strong_claim_active_not_in_item_10",
                "warning",
                (4, 10, 14),
                f"宣稱「{made[0]}」"
                + (
                    f"之有效成分 {which} 在第 10 項無毒理資料"
                    if which
                    else "：第 3 項未有宣告此功能之成分，第 10 項無對應有效成分之資料"
                ),
                f'The claim "{made[0]}" '
                + (
                    f"rests on {', '.join(uncovered)}, which item 10 has no data for"
                    if uncovered
                    else "has no ingredient declared with that function in item 3, so item 10 "
                    "covers no active for it"
                ),
                legal("advertising"),
                {"family": family, "claims": made, "actives_without_data": uncovered},
            )
        )
    return out
