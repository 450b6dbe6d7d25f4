"""Three Taiwanese labels written for the claims tests (test input, not real products):
a clean face lotion, an imported acne serum with medical claims, and a lip balm whose
label lacks two Art 7 elements. ``python -m tests.unit.claims_labels`` prints how each
one checks."""

from __future__ import annotations

import json

from pifai.ai.claims import ClaimContext, check_label, read_label

# Appendix 2 kinds: 6 化妝水／油／面霜乳液類, 9 唇用化妝品類.
FACE_LOTION_KIND = 6
LIP_KIND = 9

CLEAN = """品名：玫瑰保濕乳液
用途：滋潤肌膚、保濕
用法：早晚洗臉後，取適量均勻塗抹於臉部及頸部。
保存方法：請置於陰涼乾燥處，避免陽光直射及高溫。
容量：100 mL
全成分：Water、Glycerin、Butylene Glycol、Caprylic/Capric Triglyceride、Niacinamide、
Phenoxyethanol、Parfum、Linalool
注意事項：使用時如有異常，請立即停止使用並洽詢醫師；請放置於孩童無法取得之處；避免接觸眼睛，如不慎誤入眼睛，請立即以清水沖洗。
製造商：美研生技股份有限公司
地址：臺中市西屯區工業區三十八路100號
電話：(04)2359-0000
製造日期：2026/03/01
保存期限：3年
批號：RS260301

使用時散發淡淡玫瑰香氣，可舒緩您的壓力
使肌膚留住水分，維持肌膚彈性"""

MEDICAL = """品名：淨痘修護精華液
用途：消炎抗痘、淡化痘疤
用法：洗臉後取2-3滴塗抹於患部，早晚各一次。
保存方法：請存放於陰涼處，避免陽光直射。
容量：30 mL
全成分：Water、Propanediol、Salicylic Acid、Niacinamide、Centella Asiatica Extract、Phenoxyethanol
注意事項：使用時如有不適，請立即停止使用並洽詢醫師。
輸入商：韓美國際貿易有限公司
地址：臺北市大安區復興南路一段200號5樓
電話：02-2700-1234
原產地：韓國
製造日期：2026.01.15
有效日期：2029.01.14
批號：KB2601A

醫藥級配方，有效殺菌、除疤、去痘疤
痘疤保證絕對完全消失"""

MISSING_TWO = """品名：蜂蜜滋潤護唇膏
用途：滋潤嘴唇、防止嘴唇乾裂
用法：取適量塗抹於唇部。
保存方法：請置於陰涼處，避免高溫。
全成分：Ricinus Communis Seed Oil、Cera Alba、Butyrospermum Parkii Butter、Mel、Tocopherol
注意事項：如有不適請停止使用；避免兒童誤食。
製造商：蜂之谷化粧品有限公司
地址：新北市五股區五權路50號
電話：02-2299-8888
製造日期：2026/05/20
有效日期：2028/05/19

使嘴唇光滑、使唇部水潤"""

LABELS = {"clean": (CLEAN, FACE_LOTION_KIND), "medical": (MEDICAL, FACE_LOTION_KIND),
          "missing_two": (MISSING_TWO, LIP_KIND)}  # fmt: skip


def summary(name: str) -> dict[str, object]:
    text, kind = LABELS[name]
    result = check_label(read_label(text), ClaimContext(kind=kind, label_text=text)).result
    return {
        "label": name,
        "verdict": result["verdict"],
        "counts": result["counts"],
        "claims": [
            (c["claim"], c["verdict"], [m["phrase_id"] for m in c["matches"]])
            for c in result["claims"]
        ],
        "elements": {e["key"]: e["status"] for e in result["elements"]},
        "missing_elements": result["missing_elements"],
    }


if __name__ == "__main__":  # pragma: no cover - prints the closing note's table
    for label in LABELS:
        print(json.dumps(summary(label), ensure_ascii=False, indent=1))
