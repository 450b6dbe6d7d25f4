"""TFDA's Chinese limit text read into rules. Every text below is quoted from the official
record named beside it (TFDA open data of 2026-06-25, PROVENANCE.md section 3; tabs and
CRLF as in the record), and the result is read back through the engine's RegEntry, so
each assertion is about what a formula check would do."""

from __future__ import annotations

from typing import Any

import pytest

from pifai.ai.regulatory import RegEntry
from pifai.domain import PRODUCT_TYPES
from pifai.services.regulatory import ZhParse, parse_limits_zh, parse_prohibited_note
from pifai.services.regulatory.limits_zh import parse_colorant_rules
from pifai.services.regulatory.limits_zh_terms import normalise, product_tags_zh


def entry(parsed: ZhParse, list_type: str = "preservative") -> RegEntry:
    record: dict[str, Any] = {
        "authority": "TFDA",
        "list_type": list_type,
        "entry_ref": "No. test",
        "name": "test",
        "rule": parsed.rule(),
    }
    return RegEntry.from_record(record)


def limit_in(e: RegEntry, product_type: str) -> float | None:
    """The limit the engine applies in a product type; None where the entry does not
    permit the product type at all or sets no limit there."""
    if (e.scope and product_type not in e.scope) or product_type in e.excluded:
        return None
    found = e.applicable_limit(product_type)
    return found.max_pct if found else None


def test_preservative_3_benzethonium_lettered_product_types_one_value() -> None:
    # 防腐劑 編號 3 Benzethonium chloride: two lettered product types, one value.
    parsed = parse_limits_zh(
        "(a)\t立即沖洗產品\r\n(b)\t非立即沖洗產品(口腔製劑除外)\t\r\n", "0.1 %", None
    )
    e = entry(parsed)
    assert {pt: limit_in(e, pt) for pt in PRODUCT_TYPES} == {
        **dict.fromkeys(PRODUCT_TYPES, 0.1),
        "oral": None,  # (口腔製劑除外): not permitted in oral products
    }
    assert parsed.status() == "structured"


def test_preservative_5_benzoic_acid_a_b_c_pairs_types_with_values() -> None:
    parsed = parse_limits_zh(
        "(a)立即沖洗產品(口腔製劑除外)\r\n(b)非立即沖洗產品\r\n(c)口腔製劑",
        "(a) 2.5 % (以acid計)\r\n(b) 0.5 % (以acid計)\r\n(c) 1.7 % (以acid計)",
        None,
    )
    e = entry(parsed)
    assert limit_in(e, "rinse_off_hair") == 2.5
    assert limit_in(e, "leave_on_face") == 0.5 and limit_in(e, "eye_area") == 0.5
    assert limit_in(e, "oral") == 1.7
    assert {lim.expressed_as for lim in e.limits} == {"acid"}


def test_preservative_41_salicylic_acid_children_rule_and_its_hair_wash_exception() -> None:
    parsed = parse_limits_zh(
        None,
        "0.5 % (以acid計)                           \t                                    ",
        "除洗髮產品外，不得使用於三歲以下孩童之產品。\t",
    )
    e = entry(parsed)
    assert [(lim.max_pct, lim.expressed_as) for lim in e.limits] == [(0.5, "acid")]
    assert e.children_prohibited and e.children_except == {"rinse_off_hair"}
    # 洗髮產品 (shampoos) are narrower than every rinse-off hair product: kept as text too.
    assert parsed.status() == "partial"
    assert "除洗髮產品外,不得使用於三歲以下孩童之產品" in (e.conditions or "")


def test_preservative_42_silver_chloride_children_only_in_oral_lip_eye_products() -> None:
    parsed = parse_limits_zh(
        None,
        "0.004 % (以AgCl計) \t",
        "20 % AgCl (w/w) on TiO2;不得使用於三歲以下孩童之口腔、唇部及眼部產品。",
    )
    e = entry(parsed)
    assert [(lim.max_pct, lim.expressed_as) for lim in e.limits] == [(0.004, "AgCl")]
    banned = set(PRODUCT_TYPES) - e.children_except
    assert banned == {"oral", "lip", "eye_area"}
    # "20 % AgCl (w/w) on TiO2" describes the material: a condition, never a limit.
    assert e.conditions == "20 % AgCl (w/w) on TiO2"


def test_preservatives_32_and_33_parabens_summed_limits() -> None:
    butyl = parse_limits_zh(
        None,
        "(a)0.14 % (以acid計)(總量)\r\n(b)0.8 % (以acid計)，混合使用編號32及33之成分，惟 "
        "butylparaben 和propylparaben 及其鹽類限量分別不得超過0.14 %      ",
        "不得使用於三歲以下孩童使用於尿布部位之非立即沖洗之產品。",
        group_prefix="TFDA:preservative",
        entry_no="32",
    )
    e = entry(butyl)
    assert [(lim.max_pct, lim.applies_to) for lim in e.limits] == [(0.14, frozenset())]
    assert {(g.key, g.max_pct) for g in e.groups} == {
        ("TFDA:preservative:32", 0.14),
        ("TFDA:preservative:32+33", 0.8),
    }
    # The nappy-area rule names a body site the engine has no tag for: text, no rule.
    assert not e.children_prohibited and "尿布" in (e.conditions or "")
    methyl = parse_limits_zh(
        None,
        "(a) 0.4 % (以acid計)，單獨使用\r\n(b) 0.8 % (以acid計)，混合使用",
        None,
        group_prefix="TFDA:preservative",
        entry_no="33",
    )
    e33 = entry(methyl)
    assert [lim.max_pct for lim in e33.limits] == [0.4]
    assert [(g.max_pct, g.expressed_as) for g in e33.groups] == [(0.8, "acid")]
    assert methyl.status() == "structured"


def test_preservative_20_mouthwash_other_products_and_what_stays_text() -> None:
    parsed = parse_limits_zh(
        "(a)漱口水產品\r\n(b)其他產品",
        "(a) 0.15 %\r\n(b) 0.4 % ",
        "(a)不得使用於10歲以下孩童之產品。\r\n"
        "(b)不得使用於唇部、口腔 (漱口水除外)及噴霧類產品。\t\r\n",
    )
    e = entry(parsed)
    assert limit_in(e, "oral") == 0.15 and limit_in(e, "leave_on_face") == 0.4
    assert limit_in(e, "lip") is None  # 不得使用於唇部
    conditions = e.conditions or ""
    assert "10歲以下" in conditions and "噴霧" in conditions and "漱口水" in conditions


def test_preservative_48_zinc_pyrithione_hair_other_and_rinse_off_only() -> None:
    parsed = parse_limits_zh(
        "(a)髮用產品\r\n(b)其他產品(口腔製劑除外)", "(a) 1 %\r\n(b) 0.5 %", "限使用於立即沖洗產品"
    )
    e = entry(parsed)
    assert limit_in(e, "rinse_off_hair") == 1.0 and limit_in(e, "rinse_off_skin") == 0.5
    assert limit_in(e, "leave_on_hair") is None and limit_in(e, "oral") is None
    assert parsed.status() == "structured"


def test_preservative_10_spray_products_cannot_be_expressed_and_stay_text() -> None:
    parsed = parse_limits_zh(None, "0.5 %      \t", "不得使用於噴霧類產品。\t")
    assert [lim["max_pct"] for lim in parsed.limits] == [0.5]
    assert parsed.excluded == [] and parsed.rule()["conditions"] == "不得使用於噴霧類產品"
    assert parsed.status() == "partial"


def test_uv_filter_2_benzophenone_3_limit_and_its_protective_use() -> None:
    parsed = parse_limits_zh("", "6%\n(作為保護劑用途，限量≤0.5%) ", "")
    e = entry(parsed, "uv_filter")
    assert [lim.max_pct for lim in e.limits] == [6.0]  # the 0.5 % is for another use
    assert parsed.other_use_limits == [
        {"use": "保護劑用途", "max_pct": 0.5, "text": "作為保護劑用途,限量≤0.5%"}
    ]
    assert "作為保護劑用途" in (e.conditions or "")


def test_uv_filter_11_zinc_oxide_astringent_use() -> None:
    parsed = parse_limits_zh("", "25%\n(倘作為收斂劑用途，限量≤10%)", "")
    assert [lim["max_pct"] for lim in parsed.limits] == [25.0]
    assert [(u["use"], u["max_pct"]) for u in parsed.other_use_limits] == [("收斂劑用途", 10.0)]


def test_restricted_41_fluoride_is_in_the_total_fluorine_group() -> None:
    # 成分使用限制 編號 41 Sodium monofluorophosphate.
    parsed = parse_limits_zh(
        "口腔製劑", "0.15%(以F計)", "倘混合使用其他我國準用之氟化合物，其氟總量不得超過0.15%。"
    )
    e = entry(parsed, "restricted")
    assert e.scope == {"oral"}
    assert [(lim.max_pct, lim.expressed_as) for lim in e.limits] == [(0.15, "F")]
    assert [(g.key, g.max_pct, g.expressed_as) for g in e.groups] == [("TFDA:total-F", 0.15, "F")]
    assert parsed.status() == "structured"


def test_restricted_25_aha_ph_rule_has_no_limit() -> None:
    # "3%以下時": a condition for the pH rule, not a maximum of the AHA.
    parsed = parse_limits_zh(
        None,
        "pH≧3.5;\r\n惟使用後立即沖洗之洗髮或潤髮等產品，其AHA含量為3%以下時，其pH值得為3.2以上至3.5以下。\r\n",
        "有關pH值檢測方式，依產品實際情形，參照「『中華民國標準』（CNS）化粧品pH值酸鹼性試驗法（總號9036類號S2073）」檢驗之。",
    )
    assert parsed.limits == [] and parsed.status() == "text_only"


def test_restricted_27_benzalkonium_the_c14_value_is_conditional() -> None:
    parsed = parse_limits_zh(
        "立即沖洗之髮用產品\t",
        "3% (以 benzalkonium chloride計)\r\nBenzalkonium chloride, bromide及saccharinate"
        "成分之烷基鏈長為C14以下者，其限量為0.1%(以 benzalkonium chloride計)。\r\n",
        None,
    )
    e = entry(parsed, "restricted")
    assert e.scope == {"rinse_off_hair"}
    assert [(lim.max_pct, lim.expressed_as) for lim in e.limits] == [(3.0, "benzalkonium chloride")]
    assert "C14以下者" in (e.conditions or "")


def test_restricted_33_thioglycolic_acid_sub_letters_and_professional_use() -> None:
    parsed = parse_limits_zh(
        "(a)燙髮產品\r\n(b)立即沖洗之髮用產品\r\n",
        "(a1)8%(以thioglycolic acid計)\r\n(a2)11% (以thioglycolic acid計)\r\n"
        "(b)2%(以thioglycolic acid計)",
        "(a1)pH:7-9.5\r\n(a2) pH: 7-9.5；限美髮專業技術人士使用\r\n(b)pH:7-9.5",
    )
    e = entry(parsed, "restricted")
    # Perms are hair products; the professional 11 % cannot be told apart: the lower binds.
    assert limit_in(e, "leave_on_hair") == 8.0 and limit_in(e, "rinse_off_hair") == 2.0
    assert limit_in(e, "leave_on_face") is None
    assert "限美髮專業技術人士使用" in (e.conditions or "")


def test_restricted_66_one_limit_expressed_two_ways() -> None:
    parsed = parse_limits_zh("氧化性染髮產品", "2% (以free base計)\n3.6% (以sulfate salt計)", "")
    assert [(lim["max_pct"], lim["expressed_as"]) for lim in parsed.limits] == [
        (2.0, "free base"),
        (3.6, "sulfate salt"),
    ]
    # There is no hair-dye product type: read as hair products, and the words kept.
    assert parsed.scope == ["hair"] and parsed.rule()["conditions"] == "氧化性染髮產品"


def test_restricted_184_one_value_per_numbered_member_stays_text() -> None:
    parsed = parse_limits_zh("", "(1)0.001%\n(2)0.005%\n(3)0.005%\n(4)0.004%", "")
    assert parsed.limits == [] and parsed.status() == "text_only"


def test_restricted_11_arbutin_impurity_is_not_a_limit() -> None:
    parsed = parse_limits_zh(None, "7%\t", "製品中所含之不純物(Hydroquinone)應在20ppm以下。")
    assert [lim["max_pct"] for lim in parsed.limits] == [7.0]
    assert parsed.impurity_limit == [
        {"max_ppm": 20.0, "text": "製品中所含之不純物(Hydroquinone)應在20ppm以下"}
    ]


def test_restricted_16_menthol_has_no_limit_text() -> None:
    assert parse_limits_zh(None, None, None).status() == "no_limit_text"


def test_whitespace_of_the_csv_download_reads_the_same() -> None:
    """The restricted-list CSV download dropped the line breaks inside cells."""
    as_json = parse_limits_zh("(a)染髮產品\t\r\n(b)其他產品\t\r\n", "(a)10%\r\n(b)5%", None)
    as_csv = parse_limits_zh("(a)染髮產品(b)其他產品", "(a)10%(b)5%", None)
    assert as_json.limits == as_csv.limits
    assert [(lim["max_pct"], lim["applies_to"]) for lim in as_csv.limits] == [
        (10.0, ["hair"]),
        (5.0, []),
    ]


def test_full_width_characters_and_units() -> None:
    assert normalise("０．５％（以ａｃｉｄ計）") == "0.5%(以acid計)"
    parsed = parse_limits_zh(None, "０．５％（以ａｃｉｄ計）", None)
    assert [(lim["max_pct"], lim["expressed_as"]) for lim in parsed.limits] == [(0.5, "acid")]
    # 色素 編號 66 CI 42520: 限量：5 ppm.
    colorant = parse_colorant_rules("限量：5 ppm", "")
    assert [lim["max_pct"] for lim in colorant.limits] == [pytest.approx(0.0005)]


def test_a_range_gives_its_upper_bound() -> None:
    # TFDA's 2015 含藥化粧品基準 (防曬劑), Zinc oxide, as copied at docsplayer.com/22675979.
    parsed = parse_limits_zh(None, "2.0~20.0% (作為收斂劑之用途，限量10%以下)", None)
    assert [lim["max_pct"] for lim in parsed.limits] == [20.0]
    assert [u["max_pct"] for u in parsed.other_use_limits] == [10.0]


@pytest.mark.parametrize(
    ("phrase", "tags", "exact"),
    [
        ("立即沖洗產品", ["rinse_off"], True),
        ("用後立即沖洗之產品", ["rinse_off"], True),
        ("非立即沖洗產品", ["leave_on"], True),
        ("用後不需沖洗之產品", ["leave_on"], True),
        ("口腔製劑", ["oral"], True),
        ("指甲用產品", ["nail"], True),
        ("眼部化粧品", ["eye_area"], True),
        ("唇用化粧品", ["lip"], True),
        ("髮類產品", ["hair"], True),
        ("非立即沖洗之髮用產品", ["leave_on_hair"], True),
        ("接觸黏膜部位", ["mucous"], True),
        ("氧化性染髮產品", ["hair"], False),
        ("漱口水產品", ["oral"], False),
    ],
)
def test_product_type_words(phrase: str, tags: list[str], exact: bool) -> None:
    found = product_tags_zh(normalise(phrase))
    assert found.tags == tags and not found.unmapped and (not found.approx) == exact


def test_other_products_and_the_exception_inside_them() -> None:
    found = product_tags_zh("其他產品(口腔製劑除外)")
    assert found.other and found.except_tags == ["oral"]
    assert product_tags_zh("噴霧類產品").unmapped == ["噴霧類產品"]


def test_prohibited_notes_exemptions_and_impurities() -> None:
    # 禁止 編號 1 Mercury: an exception granted by the preservative list (not applied by
    # the engine) and a residual impurity limit, never a use limit.
    mercury = parse_prohibited_note(
        "1.化粧品防腐劑成分名稱及使用限制表中另有規定者除外。\r\n2.化粧品於製造過程中，如因所需使用原料"
        "或其他等因素，且技術上無法\r\n排除，致含自然殘留微量之重金屬汞(水銀)時，則其最終製品中所含不純物"
        "重金屬汞(水銀)之殘留量不得超過1ppm。"
    )
    assert mercury.limits == [] and mercury.exempt == []
    assert [i["max_ppm"] for i in mercury.impurity_limit] == [1.0]
    assert mercury.permitted_by == ["化粧品防腐劑成分名稱及使用限制表"]
    # 禁止 編號 15 6-Methylcoumarin: 口腔製劑另有規定者除外 (the restricted list's oral use).
    assert parse_prohibited_note("口腔製劑另有規定者除外。").exempt == ["oral"]
    # 禁止 編號 246 …不得使用於染髮用途化粧品: prohibited in hair dyes only, read as every
    # hair product, and the words kept.
    dyes = parse_prohibited_note(None, name_scope="不得使用於染髮用途化粧品")
    assert set(dyes.exempt) == set(PRODUCT_TYPES) - {"leave_on_hair", "rinse_off_hair"}
    assert dyes.status() == "partial"
    # 禁止 編號 340 Furocoumarines: mg/kg in English.
    furo = parse_prohibited_note(
        "In sun protection and in bronzing products, furocoumarines shall be below 1 mg/kg"
    )
    assert [i["max_ppm"] for i in furo.impurity_limit] == [1.0] and furo.limits == []
