"""Cases read from the annex and list texts themselves (see ``tests.factories.law_cases``):
Annex II and III entries added by amendments since 2019, preservatives and UV filters at,
under and over their limits, restricted substances in the wrong product type, substances
named only in Chinese, only by CAS or only by a synonym printed in the entry.

EU references are the CosIng exports' reference numbers, with the amending regulation
from the export's Regulation column; TFDA references are the 編號 of the open-data
record. Chinese names are from the TFDA list itself or from the zh_name column of the
curated pifai/data/ingredients.csv (as noted on the case).
"""

from __future__ import annotations

from tests.factories.law_cases import (
    ACCEPTED,
    NO_OVER_LIMIT,
    PROHIBITED,
    LawCase,
    Never,
    Want,
    eu,
    item,
    tfda,
)

T = 0.0001  # a trace: a prohibition holds at any concentration


def _banned(
    case_id: str,
    name: str | None,
    cas: str | None,
    ref: str,
    source: str,
    product_type: str = "leave_on_face",
) -> LawCase:
    """A substance of Annex II at a trace, with no TFDA entry: the EU prohibition binds."""
    return LawCase(
        case_id,
        (item(name, cas, T),),
        product_type,
        source,
        want=(PROHIBITED, eu("prohibited", "critical", ref)),
    )


ANNEX_II_SINCE_2019: tuple[LawCase, ...] = (
    LawCase(
        "impatientis-semen-chinese-name-only",
        (item("急性子", None, T),),
        "leave_on_face",
        "TFDA 禁止使用成分 編號100 'Impatientis Semen（急性子）' (a herbal drug on TFDA's list "
        "only)",
        want=(Want("prohibited", "critical", "TFDA", "prohibited"),),
    ),
    _banned(
        "vinylimidazole-cas-only-2019-1966",
        None,
        "1072-63-5",
        "II/1622",
        "EU Annex II/1622 '1-Vinylimidazole' (1072-63-5; identified N-VINYL IMIDAZOLE), "
        "(EU) 2019/1966; no TFDA entry",
    ),
    _banned(
        "propylene-dichloride-synonym-2019-1966",
        "Propylene dichloride",
        None,
        "II/1625",
        "EU Annex II/1625 '1,2-Dichloropropane; propylene dichloride' (78-87-5), (EU) 2019/1966; "
        "TFDA 禁止使用成分 編號200 '1,2-Dichloropropane'",
    ),
    _banned(
        "cobalt-2021-850",
        "Cobalt",
        "7440-48-4",
        "II/1645",
        "EU Annex II/1645 'Cobalt' (7440-48-4), (EU) 2021/850; no TFDA entry for the metal",
    ),
    _banned(
        "butylphenyl-methylpropional-inci-2021-1902",
        "Butylphenyl methylpropional",
        None,
        "II/1666",
        "EU Annex II/1666 '2-(4-tert-butylbenzyl) propionaldehyde' (80-54-6; "
        "identified BUTYLPHENYL METHYLPROPIONAL), (EU) 2021/1902; no TFDA entry",
    ),
    _banned(
        "butylphenyl-methylpropional-chinese-name",
        "丁苯基甲基丙醛",
        None,
        "II/1666",
        "EU Annex II/1666 (as above); 丁苯基甲基丙醛 is the zh_name of BUTYLPHENYL "
        "METHYLPROPIONAL in pifai/data/ingredients.csv",
        "rinse_off_hair",
    ),
    _banned(
        "tetraglyme-synonym-2021-1902",
        "Tetraglyme",
        None,
        "II/1663",
        "EU Annex II/1663 'Bis(2-(2-methoxyethoxy)ethyl)ether; tetraglyme' (143-24-8), "
        "(EU) 2021/1902",
    ),
    _banned(
        "dbmc-cas-only-2022-1531",
        None,
        "119-47-1",
        "II/1682",
        "EU Annex II/1682 \"6,6'-di-tert-butyl-2,2'-methylenedi-p-cresol;[DBMC]\" (119-47-1), "
        "(EU) 2022/1531",
    ),
    _banned(
        "mibk-synonym-in-nail-product-2022-1531",
        "Isobutyl methyl ketone",
        None,
        "II/1689",
        "EU Annex II/1689 '4-methylpentan-2-one; isobutyl methyl ketone (MIBK)' (108-10-1), "
        "(EU) 2022/1531",
        "nail",
    ),
    _banned(
        "benzophenone-2023-1490",
        "Benzophenone",
        "119-61-9",
        "II/1703",
        "EU Annex II/1703 'Benzophenone' (119-61-9), (EU) 2023/1490; no TFDA entry",
    ),
    _banned(
        "melamine-synonym-2023-1490",
        "Melamine",
        None,
        "II/1711",
        "EU Annex II/1711 '1,3,5-triazine-2,4,6-triamine; melamine' (108-78-1), (EU) 2023/1490",
    ),
    _banned(
        "bisphenol-s-synonym-2023-1490",
        "Bisphenol S",
        None,
        "II/1702",
        'EU Annex II/1702 "4,4\'-sulphonyldiphenol; bisphenol S" (80-09-1), (EU) 2023/1490',
    ),
    _banned(
        "pentasodium-pentetate-chinese-name-2023-1490",
        "噴替酸五鈉",
        None,
        "II/1721",
        "EU Annex II/1721 'Pentasodium ... ; Pentasodium Pentetate (INCI)' (140-01-2), "
        "(EU) 2023/1490; 噴替酸五鈉 is the zh_name of PENTASODIUM PENTETATE in "
        "pifai/data/ingredients.csv",
        "rinse_off_skin",
    ),
    _banned(
        "tpo-in-nail-gel-2025-877",
        "Trimethylbenzoyl diphenylphosphine oxide",
        None,
        "II/1731",
        "EU Annex II/1731 'diphenyl(2,4,6-trimethylbenzoyl)phosphine oxide; INCI: Trimethylbenzoyl "
        "Diphenylphosphine Oxide' (75980-60-8), (EU) 2025/877",
        "nail",
    ),
    _banned(
        "dimethyltolylamine-inci-2025-877",
        "Dimethyltolylamine",
        None,
        "II/1745",
        "EU Annex II/1745 'N,N-dimethyl-p-toluidine' (99-97-8; identified DIMETHYLTOLYLAMINE), "
        "(EU) 2025/877",
        "nail",
    ),
    _banned(
        "acetone-oxime-2026-78",
        "Acetone oxime",
        "127-06-0",
        "II/1754",
        "EU Annex II/1754 'Acetone oxime' (127-06-0), (EU) 2026/78 (Omnibus VIII)",
    ),
    _banned(
        "trimethyl-borate-cas-only-2026-78",
        None,
        "121-43-7",
        "II/1764",
        "EU Annex II/1764 'Trimethyl borate' (121-43-7), (EU) 2026/78 (Omnibus VIII)",
    ),
    _banned(
        "triphenyl-phosphate-in-nail-polish-2026-909",
        "Triphenyl phosphate",
        None,
        "II/1767",
        "EU Annex II/1767 'Triphenyl Phosphate' (115-86-6), (EU) 2026/909",
        "nail",
    ),
    _banned(
        "hydroquinone-outside-artificial-nails",
        "Hydroquinone",
        "123-31-9",
        "II/1339",
        "EU Annex II/1339 '1,4-Dihydroxybenzene (Hydroquinone), with the exception of entry 14 in "
        "Annex III' (III/14: artificial nail systems, 0.02%); no TFDA entry",
    ),
    LawCase(
        "benzophenone-3-is-not-benzophenone",
        (item("Benzophenone-3", "131-57-7", 3, "UV filter"),),
        "leave_on_face",
        "TFDA 防曬劑 編號2 'Benzophenone-3' 6%; EU Annex VI/4 a) face products 6%; Annex II/1703 "
        "is Benzophenone (119-61-9), another substance",
        never=(
            *ACCEPTED,
            Never(entry_ref="Annex II/1703"),
            Never(rule="stricter_eu_over_limit", entry_ref="Annex VI/4"),
        ),
        on=("TFDA:uv_filter", "EU:Annex VI/4"),
    ),
    LawCase(
        "zinc-pyrithione-shampoo-preservative-tfda-permits",
        (item("Zinc pyrithione", "13463-41-7", 0.5, "preservative"),),
        "rinse_off_hair",
        "TFDA 防腐劑 編號48 'Pyrithione zinc': (a) 髮用產品 1 %, 限使用於立即沖洗產品; EU Annex "
        "II/1670 'Pyrithione zinc' prohibited by (EU) 2021/1902: TFDA decides, the EU "
        "prohibition is advisory",
        want=(eu("prohibited_eu", "advisory", "II/1670"),),
        never=ACCEPTED,
    ),
    LawCase(
        "zinc-pyrithione-preservative-in-leave-on",
        (item("Zinc pyrithione", "13463-41-7", 0.3, "preservative"),),
        "leave_on_face",
        "TFDA 防腐劑 編號48: 限制規定 '限使用於立即沖洗產品' (rinse-off products only)",
        want=(tfda("product_type", "high", "preservative"),),
    ),
    LawCase(
        "zinc-pyrithione-anti-dandruff-leave-on-hair",
        (item("Zinc pyrithione", "13463-41-7", 0.1, "anti-dandruff"),),
        "leave_on_hair",
        "TFDA 成分使用限制 編號29 'Pyrithione zinc 註' 非立即沖洗之髮用產品 0.1%; EU Annex II/1670 "
        "(advisory: TFDA permits it)",
        want=(eu("prohibited_eu", "advisory", "II/1670"),),
        never=ACCEPTED,
    ),
    LawCase(
        "zinc-pyrithione-anti-dandruff-over",
        (item("Zinc pyrithione", "13463-41-7", 0.2, "anti-dandruff"),),
        "leave_on_hair",
        "TFDA 成分使用限制 編號29 非立即沖洗之髮用產品 0.1%",
        want=(tfda("over_limit", "high", "restricted", 0.1),),
    ),
    LawCase(
        "4-mbc-uv-filter-tfda-permits-eu-prohibits",
        (item("4-Methylbenzylidene camphor", "36861-47-9", 3, "UV filter"),),
        "leave_on_face",
        "TFDA 防曬劑 編號23 '3-(4-Methylbenzylidene)-d1 camphor/Enzacamene' 4%; EU Annex II/1730 "
        "'3-(4'-methylbenzylidene)-camphor' prohibited by (EU) 2024/996: advisory",
        want=(eu("prohibited_eu", "advisory", "II/1730"),),
        never=ACCEPTED,
    ),
    LawCase(
        "4-mbc-chinese-name-over-tfda-limit",
        (item("4-甲基亞苄基樟腦", None, 5, "UV filter"),),
        "leave_on_body",
        "TFDA 防曬劑 編號23 限量 4%; 4-甲基亞苄基樟腦 is the zh_name of "
        "4-METHYLBENZYLIDENE CAMPHOR in pifai/data/ingredients.csv",
        want=(tfda("over_limit", "high", "uv_filter", 4.0),),
    ),
    LawCase(
        "4-mbc-synonym-enzacamene-over",
        (item("Enzacamene", None, 4.5, "UV filter"),),
        "leave_on_face",
        "TFDA 防曬劑 編號23 '3-(4-Methylbenzylidene)-d1 camphor/ Enzacamene' 4%",
        want=(tfda("over_limit", "high", "uv_filter", 4.0),),
    ),
)

ANNEX_III_SINCE_2019: tuple[LawCase, ...] = (
    LawCase(
        "methyl-n-methylanthranilate-leave-on-over",
        (item("Methyl N-methylanthranilate", "85-91-6", 0.15),),
        "leave_on_face",
        "EU Annex III/323 ((EU) 2022/135): (a) Leave-on products 0,1 % (b) Rinse-off products "
        "0,2 %; no TFDA entry",
        want=(eu("over_limit", "high", "III/323", 0.1),),
    ),
    LawCase(
        "methyl-n-methylanthranilate-rinse-off-under",
        (item("Methyl N-methylanthranilate", "85-91-6", 0.15),),
        "rinse_off_skin",
        "EU Annex III/323: (b) Rinse-off products 0,2 %",
        never=NO_OVER_LIMIT,
        on=("EU:Annex III/323",),
    ),
    LawCase(
        "bht-leave-on-over",
        (item("BHT", "128-37-0", 0.9),),
        "leave_on_body",
        "EU Annex III/325 'Butylated Hydroxytoluene' ((EU) 2022/2195): c) Other leave-on and "
        "rinse-off products 0,8 %; no TFDA entry",
        want=(eu("over_limit", "high", "III/325", 0.8),),
    ),
    LawCase(
        "bht-leave-on-under",
        (item("Butylated hydroxytoluene", "128-37-0", 0.5),),
        "leave_on_face",
        "EU Annex III/325 c) 0,8 %",
        never=NO_OVER_LIMIT,
        on=("EU:Annex III/325",),
    ),
    LawCase(
        "daidzein-over-2024-996",
        (item("Daidzein", "486-66-8", 0.03),),
        "leave_on_face",
        "EU Annex III/374 'Daidzein' ((EU) 2024/996) 0,02 %; no TFDA entry",
        want=(eu("over_limit", "high", "III/374", 0.02),),
    ),
    LawCase(
        "retinol-face-over-2024-996",
        (item("Retinol", "68-26-8", 0.4),),
        "leave_on_face",
        "EU Annex III/376 ((EU) 2024/996): (a) Body lotion 0,05 % RE (b) other leave-on and "
        "rinse-off "
        "products 0,3 % RE; label: 'Contains Vitamin A. Consider your daily intake before use'; no "
        "TFDA entry",
        want=(eu("over_limit", "high", "III/376", 0.3), eu("label_warning", "info", "III/376")),
    ),
    LawCase(
        "retinol-face-at-limit",
        (item("Retinol", "68-26-8", 0.3),),
        "leave_on_face",
        "EU Annex III/376 (b) 0,3 % RE, with its label warning",
        want=(eu("label_warning", "info", "III/376"),),
        never=NO_OVER_LIMIT,
        on=("EU:Annex III/376",),
    ),
    LawCase(
        "alpha-arbutin-face-over-tfda-arbutin-is-another-substance",
        (item("Alpha-arbutin", "84380-01-8", 3),),
        "leave_on_face",
        "EU Annex III/377 'Alpha-Arbutin' (84380-01-8, (EU) 2024/996): (a) Face cream 2 % (b) Body "
        "lotion 0,5 %; TFDA 成分使用限制 編號11 is 'Arbutin' = 4-Hydroxyphenyl-beta-D-"
        "glucopyranoside (497-76-7), so TFDA is silent and the EU limit binds",
        want=(eu("over_limit", "high", "III/377", 2.0),),
        never=(Never(authority="TFDA"),),
    ),
    LawCase(
        "alpha-arbutin-in-lip-product",
        (item("Alpha-arbutin", "84380-01-8", 0.5),),
        "lip",
        "EU Annex III/377: product types (a) Face cream (b) Body lotion only; Annex III lists "
        "substances products must not contain 'except subject to the restrictions laid down'",
        want=(eu("product_type", "high", "III/377"),),
    ),
    LawCase(
        "hexyl-salicylate-leave-on-over-2026-78",
        (item("Hexyl salicylate", "6259-76-3", 0.4),),
        "leave_on_face",
        "EU Annex III/380 'Hexyl Salicylate' ((EU) 2026/78): (c) All leave-on "
        "products 0,3 %; no TFDA entry",
        want=(eu("over_limit", "high", "III/380", 0.3),),
    ),
    LawCase(
        "hexyl-salicylate-rinse-off-under",
        (item("Hexyl salicylate", "6259-76-3", 0.4),),
        "rinse_off_skin",
        "EU Annex III/380 (b) All rinse-off products 0,5 %",
        never=NO_OVER_LIMIT,
        on=("EU:Annex III/380",),
    ),
    LawCase(
        "camphor-tfda-limit-and-eu-disclosure",
        (item("Camphor", "76-22-2", 2),),
        "leave_on_body",
        "TFDA 成分使用限制 編號15 'Camphor' 限量 3% with a warning for products for children under "
        "2; EU Annex III/331 'Camphor' ((EU) 2023/1545): no maximum, disclosure above 0,001 % "
        "in leave-on products",
        want=(
            eu("label_disclosure", "info", "III/331", 0.001),
            tfda("label_warning", "info", "restricted"),
        ),
        never=ACCEPTED,
    ),
    LawCase(
        "camphor-over-tfda-limit",
        (item("Camphor", "76-22-2", 3.5),),
        "leave_on_body",
        "TFDA 成分使用限制 編號15 'Camphor' 限量 3%",
        want=(tfda("over_limit", "high", "restricted", 3.0),),
    ),
    LawCase(
        "limonene-disclosure-only-2023-1545",
        (item("Limonene", "5989-27-5", 1),),
        "leave_on_face",
        "EU Annex III/88 'Limonene' ((EU) 2023/1545): no maximum; shall be "
        "indicated above 0,001 % in leave-on products",
        want=(eu("label_disclosure", "info", "III/88", 0.001),),
        never=ACCEPTED,
    ),
    LawCase(
        "methyl-salicylate-tfda-met-eu-stricter",
        (item("Methyl salicylate", "119-36-8", 0.5),),
        "leave_on_face",
        "TFDA 成分使用限制 編號17 'Methyl salicylate' 1%; EU Annex III/324 "
        "((EU) 2023/1545) (a) leave-on skin products (except face makeup) 0,06 %, (b) face makeup "
        "0,05 %: either way stricter than the TFDA rule that is met, so advisory",
        want=(eu("stricter_eu_over_limit", "advisory", "III/324"),),
        never=ACCEPTED,
    ),
)
