"""The demo product's files: the formula kept in the repository, and the label and report
PDFs written here (WeasyPrint with the PIF document's CJK font) so the report-facts rules
and the claims check read them. Laboratories, numbers and companies are made up; the dates
are relative to today so no report is stale and no certificate expires during a demo."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources

PRODUCT_NAME = "積雪草修護保濕面霜"
PRODUCT_NAME_EN = "Centella Repair Moisturising Face Cream"
FORMULA_FILE = "formula.csv"
# TFDA list of preservatives, entry No. 35 (2-Phenoxyethanol), limit 1 %
# (pifai/data/regulatory/tfda_preservatives.json, open data of 2026-06-25): the formula
# holds 1.2 %, slightly over; the operator's fix brings it to 0.9 %.
OVER_LIMIT_INCI = "Phenoxyethanol"
OVER_LIMIT_PCT = 1.2
FIXED_PCT = 0.9
# The row known only by its Chinese name (DIPOTASSIUM GLYCYRRHIZATE in the shipped
# ingredient dictionary, IECIC serial 02397).
CHINESE_ONLY_NAME = "甘草酸二鉀"
# Appendix 4, item 10 of the claims rule (pifai/data/claims/corpus.json, A4-00-10-1):
# a medical claim, red.
MEDICAL_CLAIM = "消炎"


def formula_bytes() -> bytes:
    return resources.files("pifai.demo").joinpath("data", FORMULA_FILE).read_bytes()


@dataclass(frozen=True)
class SampleFile:
    item: int
    filename: str
    content: bytes


def _pdf(title: str, lines: list[str]) -> bytes:
    from weasyprint import HTML

    from pifai.ai.pif_document.render import FONT_FILE, static_font

    font = static_font(FONT_FILE, 400).as_uri()
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    page = (
        f"<html><head><meta charset='utf-8'><style>@font-face {{font-family: Demo; "
        f"src: url('{font}')}} body {{font-family: Demo; font-size: 11pt}} "
        f"p {{margin: 0 0 4pt 0}}</style></head><body><h2>{html.escape(title)}</h2>"
        f"{body}</body></html>"
    )
    pdf: bytes = HTML(string=page).write_pdf()
    return pdf


def _iso(day: date) -> str:
    return day.isoformat()


def label_lines(*, with_claim: bool) -> list[str]:
    claim = f"保濕滋潤，{MEDICAL_CLAIM}舒緩" if with_claim else "保濕滋潤，舒緩乾燥肌膚"
    return [
        f"品名：{PRODUCT_NAME}",
        f"Product name: {PRODUCT_NAME_EN}",
        f"用途：{claim}",
        "使用方法：洗臉後取適量均勻塗抹於臉部，早晚各一次。",
        "保存方法：請置於陰涼處，避免陽光直射。",
        "淨重：50 g",
        "全成分：水、甘油、辛酸/癸酸三酸甘油酯、丁二醇、鯨蠟硬脂醇、角鯊烷、菸鹼醯胺、"
        "甘油硬脂酸酯、乳油木果脂、聚二甲基矽氧烷、PEG-100 硬脂酸酯、苯氧乙醇、泛醇、"
        "生育酚乙酸酯、積雪草萃取物、卡波姆、精胺酸、乙基己基甘油、尿囊素、甘草酸二鉀、"
        "三仙膠、玻尿酸鈉、神經醯胺 NP、乙二胺四乙酸二鈉、海藻糖",
        "注意事項：使用時如有不適請停止使用並諮詢醫師；避免接觸眼睛。",
        "製造商：範例生技股份有限公司",
        "地址：桃園市桃園區範例路一號",
        "電話：03-000-0000",
        "產地：台灣",
        "製造日期：標示於瓶底",
        "保存期限：三年",
        "批號：標示於瓶底",
    ]


def label_pdf(*, with_claim: bool) -> SampleFile:
    name = "label.pdf" if with_claim else "label-v2.pdf"
    return SampleFile(4, name, _pdf("標籤 Label", label_lines(with_claim=with_claim)))


def report_files(today: date) -> list[SampleFile]:
    """Items 2, 5, 6, 11, 12, 13 and 15, in the wording the report-facts rules read."""
    tested = today - timedelta(days=60)
    issued = today - timedelta(days=30)
    gmp_from = today - timedelta(days=200)
    gmp_until = gmp_from + timedelta(days=3 * 365)
    return [
        SampleFile(
            2,
            "notification.pdf",
            _pdf(
                "Cosmetic Product Notification - confirmation",
                [
                    f"Product name: {PRODUCT_NAME_EN}",
                    "Notification No.: TW-DEMO-000321",
                    f"Notification date: {_iso(today - timedelta(days=20))}",
                ],
            ),
        ),
        SampleFile(
            5,
            "gmp_certificate.pdf",
            _pdf(
                "CERTIFICATE OF CONFORMITY",
                [
                    "This is to certify that the manufacturing site of Demo Biotech Co., Ltd.",
                    "Site address: No. 1, Example Road, Taoyuan District, Taoyuan City",
                    "complies with ISO 22716:2007 Cosmetics - Good Manufacturing Practices",
                    "Certificate No.: GMP-22716-0789",
                    "Issued by: Example Certification Services Ltd.",
                    f"Issue date: {_iso(gmp_from)}",
                    f"Expiry date: {_iso(gmp_until)}",
                ],
            ),
        ),
        SampleFile(
            6,
            "process.pdf",
            _pdf(
                "Manufacturing process",
                [
                    "1. Water phase: water, glycerin, butylene glycol, heated to 75 °C.",
                    "2. Oil phase: triglyceride, cetearyl alcohol, butter, heated to 75 °C.",
                    "3. Emulsify at 75 °C, homogenise 10 min, cool to 40 °C.",
                    "4. Add preservative and actives below 40 °C; adjust pH to 5.5.",
                ],
            ),
        ),
        SampleFile(
            11,
            "stability.pdf",
            _pdf(
                "STABILITY TEST REPORT",
                [
                    "Report No.: STB-DEMO-0117",
                    "Laboratory: Example Testing Laboratory Co., Ltd. (TAF accredited)",
                    f"Test date: {_iso(tested)}",
                    f"Issue date: {_iso(issued)}",
                    "Method: accelerated and real-time stability, SOP-ST-01",
                    "Conditions: 45 °C, 3 months; 40 °C / 75% RH, 90 days; 25 °C, 3 months",
                    "Container: PP jar with PP cap",
                    "Conclusion: all parameters within specification. Pass",
                ],
            ),
        ),
        SampleFile(
            12,
            "microbiology.pdf",
            _pdf(
                "MICROBIOLOGICAL TEST REPORT",
                [
                    "Report No.: MB-DEMO-0456",
                    "Tested by: Example Microbiology Lab (ISO/IEC 17025)",
                    f"Test date: {_iso(tested)}",
                    f"Date of issue: {_iso(issued)}",
                    "Method: ISO 21149",
                    # The stricter limit of 化粧品微生物容許量基準 (bench/fixtures/report_texts.py).
                    "Total aerobic count | <= 100 CFU/g | < 10 CFU/g | Pass",
                    "Pseudomonas aeruginosa | Absent in 1 g | Absent in 1 g | Pass",
                    "Staphylococcus aureus | Absent in 1 g | Absent in 1 g | Pass",
                    "Candida albicans | Absent in 1 g | Absent in 1 g | Pass",
                    "Result: Complies",
                ],
            ),
        ),
        SampleFile(
            13,
            "challenge_test.pdf",
            _pdf(
                "PRESERVATIVE EFFICACY (CHALLENGE) TEST REPORT",
                [
                    "Report No.: PET-DEMO-0033",
                    "Laboratory: Example Testing Laboratory Co., Ltd.",
                    f"Test period: {_iso(tested)} to {_iso(tested + timedelta(days=28))}",
                    f"Report date: {_iso(issued)}",
                    "Method: ISO 11930:2019",
                    "Evaluation: meets criteria A of ISO 11930",
                ],
            ),
        ),
        SampleFile(
            15,
            "packaging.pdf",
            _pdf(
                "PACKAGING MATERIAL SPECIFICATION",
                [
                    "Jar: PP, product contact",
                    "Cap: PP",
                    "Outer box: paperboard, no product contact",
                ],
            ),
        ),
    ]


# Form items without an AI step, filled by the operator (PUT .../pif/{n}).
def form_items(today: date) -> dict[int, dict[str, object]]:
    return {
        1: {
            "name": PRODUCT_NAME,
            "name_en": PRODUCT_NAME_EN,
            "category": "臉部保養品 face care",
            "dosage_form": "乳霜 cream",
            "intended_use": "臉部保濕修護 moisturising face care",
            "manufacturer_name": "範例生技股份有限公司",
            "manufacturer_address": "桃園市桃園區範例路一號",
        },
        6: {
            "stages": [
                {"name": "水相 water phase", "steps": ["加熱至 75°C"], "max_temperature_c": 75},
                {"name": "乳化 emulsify", "steps": ["75°C 均質 10 分鐘"], "max_temperature_c": 75},
                {"name": "降溫 cool", "steps": ["40°C 以下加入防腐劑"], "max_temperature_c": 40},
            ],
            "max_temperature_c": 75,
        },
        7: {
            "method": "洗臉後取適量均勻塗抹於臉部，早晚各一次。",
            "body_sites": ["臉部 face"],
            "amount_per_use_g": 0.8,
            "applications_per_day": 2,
            "target_population": "成人 adults",
            "warnings": ["避免接觸眼睛"],
        },
        8: {
            "has_reports": False,
            "statement": f"截至 {today.isoformat()} 無不良反應報告。No adverse reactions reported.",
        },
    }
