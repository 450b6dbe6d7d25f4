"""TFDA open-data test data: official records copied character for character (tabs and
CRLF included) from the labelpass copy of TFDA's open data of 2026-06-25
(../shared/data/tfda/labelpass-2026-06-25/tw-cosmetics-rules.json, PROVENANCE.md section
3), keyed by 編號, and the two file layouts they come in (the labelpass rules JSON, a TFDA
CSV download)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping

Raw = dict[str, str | None]

PROHIBITED: dict[str, Raw] = {
    "1": {
        "編號": "1",
        "成分名稱": "Mercury and its compounds",
        "CAS_Number": "7439-97-6",
        "備註": (
            "1.化粧品防腐劑成分名稱及使用限制表中另有規定者除外。\r"
            "\n2.化粧品於製造過程中，如因所需使用原料或其他等因素，"
            "且技術上無法\r\n排除，致含自然殘留微量之重金屬汞(水銀)"
            "時，則其最終製品中所含不純物重金屬汞(水銀)之殘留量不得"
            "超過1ppm。"
        ),
    },
    "3": {
        "編號": "3",
        "成分名稱": "Bithionol",
        "CAS_Number": "97-18-7",
        "備註": None,
    },
    "12": {
        "編號": "12",
        "成分名稱": "Hydroxy-8-quinoline and its sulfate",
        "CAS_Number": "148-24-3/\r\n134-31-6",
        "備註": ("使用於染髮、燙髮產品中，用作Hydrogen peroxide 之安定劑不得超過0.03%(以base計)。"),
    },
    "15": {
        "編號": "15",
        "成分名稱": "6-Methylcoumarin",
        "CAS_Number": "92-48-8",
        "備註": "口腔製劑另有規定者除外。",
    },
    "36": {
        "編號": "36",
        "成分名稱": "Hydrogen peroxide",
        "CAS_Number": "7722-84-1",
        "備註": "使用於染髮、燙髮及牙齒美白產品當氧化劑除外。",
    },
    "48": {
        "編號": "48",
        "成分名稱": "p-Phenylenediamine",
        "CAS_Number": "106-50-3",
        "備註": "使用於染髮產品除外。",
    },
    "100": {
        "編號": "100",
        "成分名稱": "Impatientis Semen（急性子）",
        "CAS_Number": None,
        "備註": None,
    },
    "111": {
        "編號": "111",
        "成分名稱": "Asbestos",
        "CAS_Number": "1332-21-4",
        "備註": ("化粧品及其滑石粉(Talc)原料，依國際間公認之檢驗方法，不得檢出石綿成分。"),
    },
    "246": {
        "編號": "246",
        "成分名稱": "Acid Orange 24 (CI 20170) 不得使用於染髮用途化粧品",
        "CAS_Number": "1320-07-6",
        "備註": None,
    },
    "340": {
        "編號": "340",
        "成分名稱": (
            "Furocoumarines (e.g. trioxysalen (INN), 8 -methoxypsor"
            "alen, 5-methoxypsoralen) except for normal content in "
            "natural essences used. "
        ),
        "CAS_Number": "298-81-7/ \r\n484-20-8/ \r\n3902-71-4\r\n",
        "備註": (
            "In sun protection and in bronzing products, furocoumarines shall be below 1 mg/kg"
        ),
    },
}


RESTRICTED: dict[str, Raw] = {
    "5": {
        "編號": "5",
        "成分名": "Urea\t",
        "INCI名": "Urea\t",
        "CAS_NO.": "57-13-6\t",
        "產品類型／使用範圍": "(a)染髮產品\t\r\n(b)其他產品\t\r\n",
        "限量標準": "(a)10%\r\n(b)5%",
        "限制規定": None,
        "應刊載之注意事項": None,
    },
    "7": {
        "編號": "7",
        "成分名": ("Cantharids tincture/\r\nCapsicum tincture/\r\nGinger tincture\t"),
        "INCI名": "-",
        "CAS_NO.": "-",
        "產品類型／使用範圍": "髮類產品\t\r\n",
        "限量標準": "1%(總量)",
        "限制規定": None,
        "應刊載之注意事項": None,
    },
    "11": {
        "編號": "11",
        "成分名": "4-Hydroxyphenyl-beta-D-glucopyranoside\t",
        "INCI名": "Arbutin\t",
        "CAS_NO.": "497-76-7 \t\t",
        "產品類型／使用範圍": None,
        "限量標準": "7%\t",
        "限制規定": "製品中所含之不純物(Hydroquinone)應在20ppm以下。",
        "應刊載之注意事項": None,
    },
    "16": {
        "編號": "16",
        "成分名": "Menthol\t",
        "INCI名": "Menthol\t",
        "CAS_NO.": "-\t\t\t\t",
        "產品類型／使用範圍": None,
        "限量標準": None,
        "限制規定": None,
        "應刊載之注意事項": (
            "可能使用於二歲以下孩童之產品（立即沖洗產品得免刊載該注"
            "意事項）：二歲以下孩童使用前請諮詢醫師或藥師。"
        ),
    },
    "25": {
        "編號": "25",
        "成分名": "α-Hydroxy acids(AHA)",
        "INCI名": "-",
        "CAS_NO.": "-",
        "產品類型／使用範圍": None,
        "限量標準": (
            "pH≧3.5;\r\n惟使用後立即沖洗之洗髮或潤髮等產品，其AHA含"
            "量為3%以下時，其pH值得為3.2以上至3.5以下。\r\n"
        ),
        "限制規定": (
            "有關pH值檢測方式，依產品實際情形，參照「『中華民國標準"
            "』（CNS）化粧品pH值酸鹼性試驗法（總號9036類號S2073）」"
            "檢驗之。"
        ),
        "應刊載之注意事項": (
            "1. α-Hydroxy acids對皮膚容易引起刺激性，消費者使用時應"
            "注意下列事項：\r\n(1) 皮膚敏感者，使用前請先作皮膚敏感"
            "性測試。\r\n(2) 皮膚有損傷、傷口或紅腫時不得使用。\r\n"
            "(3) 嬰兒及孩童不宜使用本產品。\r\n(4) 使用時皮膚如有異"
            "常現象，請暫停使用。\r\n(5) 使用後皮膚如有持續紅腫或出"
            "現不適應症狀時，請立即就醫診治。\r\n(6) 本產品含α-Hydr"
            "oxy acids成分，可能增加皮膚對陽光敏感及曬傷可能性。\r"
            "\n(7) 使用本產品後必須使用防曬劑、穿著有保護衣物及一個"
            "星期內應避免陽光曝曬。\r\n2. 化粧品中含α-Hydroxy acids"
            "成分，其含量為10%以下，且產品pH值為3.5以上，作為pH值調"
            "整液時，其標籤、仿單或包裝，得免刊載前開注意事項。"
        ),
    },
    "27": {
        "編號": "27",
        "成分名": "Benzalkonium chloride, bromide and saccharinate 註",
        "INCI名": (
            "Benzalkonium bromide/\r\nBenzalkonium chloride/\r\nBenzalkonium saccharinate\t"
        ),
        "CAS_NO.": (
            "91080-29-4/\r\n63449-41-2/\r\n68391-01-5/\r\n68424-85-"
            "1/\r\n85409-22-9/\r\n68989-01-5\t"
        ),
        "產品類型／使用範圍": "立即沖洗之髮用產品\t",
        "限量標準": (
            "3% (以 benzalkonium chloride計)\r\nBenzalkonium chlori"
            "de, bromide及saccharinate成分之烷基鏈長為C14以下者，其"
            "限量為0.1%(以 benzalkonium chloride計)。\r\n"
        ),
        "限制規定": None,
        "應刊載之注意事項": "使用時避免接觸眼睛。",
    },
    "28": {
        "編號": "28",
        "成分名": "Inorganic sulfites and bisulfites 註\t\t",
        "INCI名": None,
        "CAS_NO.": None,
        "產品類型／使用範圍": "(a)氧化性染髮產品\r\n(b)燙髮產品\t",
        "限量標準": "(a)0.67%(以free SO2計)\r\n(b)6.7%(以free SO2計)\r\n",
        "限制規定": None,
        "應刊載之注意事項": None,
    },
    "29": {
        "編號": "29",
        "成分名": "Pyrithione zinc 註",
        "INCI名": "Zinc pyrithione\t",
        "CAS_NO.": "13463-41-7\t",
        "產品類型／使用範圍": "非立即沖洗之髮用產品\t",
        "限量標準": "0.1%\r\n",
        "限制規定": None,
        "應刊載之注意事項": None,
    },
    "33": {
        "編號": "33",
        "成分名": "Thioglycolic acid and its salts",
        "INCI名": "Thioglycolic acid",
        "CAS_NO.": "68-11-1",
        "產品類型／使用範圍": "(a)燙髮產品\r\n(b)立即沖洗之髮用產品\r\n",
        "限量標準": (
            "(a1)8%(以thioglycolic acid計)\r\n(a2)11% (以thioglycol"
            "ic acid計)\r\n(b)2%(以thioglycolic acid計)"
        ),
        "限制規定": ("(a1)pH:7-9.5\r\n(a2) pH: 7-9.5；限美髮專業技術人士使用\r\n(b)pH:7-9.5"),
        "應刊載之注意事項": (
            "(a)含Thioglycolate。\r\n(b)含thioglycolate; 使用前請詳"
            "閱說明書，並依據使用方法正確使用;應放置於孩童伸手不及"
            "之場所儲存。"
        ),
    },
    "41": {
        "編號": "41",
        "成分名": "Disodium fluorophosphate\t",
        "INCI名": "Sodium monofluorophosphate\t",
        "CAS_NO.": "10163-15-2/ 7631-97-2 ",
        "產品類型／使用範圍": "口腔製劑",
        "限量標準": "0.15%(以F計)",
        "限制規定": ("倘混合使用其他我國準用之氟化合物，其氟總量不得超過0.15%。"),
        "應刊載之注意事項": (
            "1. 非藥用牙膏之氟含量達0.1至0.15%者，倘未刊載禁止孩童"
            "使用之標示，則應刊載：六歲以下孩童之使用量約為豌豆尺寸"
            "，且盡量避免吞食。若以其他途徑攝取氟化物者，應諮詢牙醫"
            "師或醫師。\r\n2. 非藥用牙膏含氟化合物者，應刊載其氟含"
            "量。"
        ),
    },
    "65": {
        "編號": "65",
        "成分名": "p-Phenylenediamine and its salts",
        "INCI名": ("p-Phenylenediamine/\np-Phenylenediamine HCl/\np-Phenylenediamine sulfate"),
        "CAS_NO.": "106-50-3/\n624-18-0/\n16245-77-5",
        "產品類型／使用範圍": "氧化性染髮產品",
        "限量標準": "2% (以free base計)",
        "限制規定": "",
        "應刊載之注意事項": "",
    },
    "66": {
        "編號": "66",
        "成分名": ("1,4-Benzenediamine, 2-methyl-/\n2,5-Diaminotoluene sulphate"),
        "INCI名": "Toluene-2,5-diamine/\nToluene-2,5-diamine sulfate",
        "CAS_NO.": "95-70-5/\n615-50-9",
        "產品類型／使用範圍": "氧化性染髮產品",
        "限量標準": "2% (以free base計)\n3.6% (以sulfate salt計)",
        "限制規定": "",
        "應刊載之注意事項": "",
    },
    "178": {
        "編號": "178",
        "成分名": "Salicylic acid 註",
        "INCI名": "Salicylic acid",
        "CAS_NO.": "69-72-7",
        "產品類型／使用範圍": "",
        "限量標準": "2%",
        "限制規定": "除洗髮產品外，不得使用於三歲以下孩童之產品。",
        "應刊載之注意事項": "不得使用於三歲以下孩童(洗髮產品得免刊載該注意事項)。",
    },
    "184": {
        "編號": "184",
        "成分名": "Photosensitizing dyes",
        "INCI名": ("(1)Platonin\n(2)Quaternium-73\n(3)Quaternium-51\n(4)Quaternium-45"),
        "CAS_NO.": "",
        "產品類型／使用範圍": "",
        "限量標準": "(1)0.001%\n(2)0.005%\n(3)0.005%\n(4)0.004%",
        "限制規定": "",
        "應刊載之注意事項": "",
    },
}


COLORANTS: dict[str, Raw] = {
    "1": {
        "編號": "1",
        "Color_Index_Number／成分名": "CI 10006",
        "別名": "Pigment Green 8",
        "使用範圍": "4",
        "限制規定": "",
        "備註": "",
    },
    "2": {
        "編號": "2",
        "Color_Index_Number／成分名": "CI 10020",
        "別名": "Acid Green 1\nExt. D&C Green No. 1\nNaphthol Green B",
        "使用範圍": "3",
        "限制規定": "不得使用於染髮用途化粧品。",
        "備註": "",
    },
    "3": {
        "編號": "3",
        "Color_Index_Number／成分名": "CI 10316",
        "別名": ("Acid Yellow 1\nExt. D&C Yellow No. 7\nNaphthol Yellow S"),
        "使用範圍": "2",
        "限制規定": "",
        "備註": "",
    },
    "25": {
        "編號": "25",
        "Color_Index_Number／成分名": "CI 15630",
        "別名": (
            "Pigment Red 49\nD&C Red No. 10\nLithol Red Na\nPigment"
            " Red 49:1\nD&C Red No. 12\nLithol Red Ba\nPigment Red "
            "49:2\nD&C Red No. 11\nLithol Red Ca\nPigment Red 49:3"
            "\nD&C Red No. 13\nLithol Red Sr"
        ),
        "使用範圍": "1",
        "限制規定": "限量：3%",
        "備註": "",
    },
    "66": {
        "編號": "66",
        "Color_Index_Number／成分名": "CI 42520",
        "別名": "Basic Violet 2",
        "使用範圍": "4",
        "限制規定": "限量：5 ppm",
        "備註": "",
    },
    "75": {
        "編號": "75",
        "Color_Index_Number／成分名": "CI 45396",
        "別名": "Solvent Orange 16",
        "使用範圍": "1",
        "限制規定": "用於唇用化粧品：限量1%，且限用游離酸態。",
        "備註": "",
    },
    "125": {
        "編號": "125",
        "Color_Index_Number／成分名": "CI 77266",
        "別名": "Pigment Black 6\nCarbon Black",
        "使用範圍": "1",
        "限制規定": (
            "屬奈米等級者：\n1.粒徑≧20 nm\n2.限量：10%\n3.不得使用於可能吸入肺部之產品。\n\n\n\n\n"
        ),
        "備註": "",
    },
    "142": {
        "編號": "142",
        "Color_Index_Number／成分名": "CI 77891(3)",
        "別名": "Pigment White 6\nTitanium dioxide",
        "使用範圍": "1",
        "限制規定": "",
        "備註": ("該成分作為非色素用途時，應適用化粧品成分使用限制表之規定。"),
    },
}


PRESERVATIVES: dict[str, Raw] = {
    "2": {
        "編號": "2",
        "成分名": "Benzalkonium chloride, bromide and saccharinate(1)",
        "INCI名": (
            "Benzalkonium chloride/\r\nBenzalkonium bromide/\r\nBenzalkonium saccharinate\r\n"
        ),
        "CAS_No.": (
            "8001-54-5/\r\n91080-29-4/\r\n61789-71-7/\r\n63449-41-2"
            "/\r\n68391-01-5/\r\n68424-85-1/\r\n68989-01-5/\r\n8540"
            "9-22-9"
        ),
        "產品類型／使用範圍": None,
        "限量標準": "0.1 % (以benzalkonium chloride計)",
        "限制規定": None,
        "應刊載之注意事項": "使用時避免接觸眼睛。",
    },
    "3": {
        "編號": "3",
        "成分名": (
            "Benzenemethanaminium, N,N-dimethyl-N-[2-[2-[4-(1,1,3,3"
            ",-tetramethylbutyl)pheno-xy]ethoxy] ethyl]-, chloride"
        ),
        "INCI名": "Benzethonium chloride\t",
        "CAS_No.": "121-54-0",
        "產品類型／使用範圍": ("(a)\t立即沖洗產品\r\n(b)\t非立即沖洗產品(口腔製劑除外)\t\r\n"),
        "限量標準": "0.1 %",
        "限制規定": None,
        "應刊載之注意事項": None,
    },
    "4": {
        "編號": "4",
        "成分名": "Salts of benzoic acid and esters of benzoic acid",
        "INCI名": (
            "Ammonium benzoate/\r\nButyl benzoate/\r\nCalcium benzo"
            "ate/\r\nEthyl benzoate/\r\nIsobutyl benzoate/\r\nIsopr"
            "opyl benzoate/\r\nMagnesium benzoate/\r\nMEA-benzoate/"
            "\r\nMethyl benzoate/\r\nPhenyl benzoate/\r\nPotassium "
            "benzoate/\r\nPropyl benzoate/"
        ),
        "CAS_No.": (
            "1863-63-4/\r\n2090-05-3/\r\n582-25-2/\r\n553-70-8/\r\n"
            "4337-66-0/\r\n93-58-3/\r\n93-89-0/\r\n2315-68-6/\r\n13"
            "6-60-7/\r\n1205-50-3/\r\n939-48-0/\r\n93-99-2/"
        ),
        "產品類型／使用範圍": None,
        "限量標準": "0.5 % (以acid計)",
        "限制規定": None,
        "應刊載之注意事項": None,
    },
    "5": {
        "編號": "5",
        "成分名": "Benzoic acid and its sodium salt",
        "INCI名": "Benzoic acid/\r\nSodium benzoate",
        "CAS_No.": "65-85-0/\r\n532-32-1",
        "產品類型／使用範圍": ("(a)立即沖洗產品(口腔製劑除外)\r\n(b)非立即沖洗產品\r\n(c)口腔製劑"),
        "限量標準": ("(a) 2.5 % (以acid計)\r\n(b) 0.5 % (以acid計)\r\n(c) 1.7 % (以acid計)"),
        "限制規定": None,
        "應刊載之注意事項": None,
    },
    "10": {
        "編號": "10",
        "成分名": "Chlorobutanol\t",
        "INCI名": "Chlorobutanol\t",
        "CAS_No.": "57-15-8\t\t",
        "產品類型／使用範圍": None,
        "限量標準": ("0.5 %                                                  \t"),
        "限制規定": "不得使用於噴霧類產品。\t",
        "應刊載之注意事項": "含Chlorobutanol",
    },
    "20": {
        "編號": "20",
        "成分名": "Ethyl-N-alpha-dodecanoyl-L-arginate hydrochloride(1)\t",
        "INCI名": "Ethyl lauroyl arginate HCl",
        "CAS_No.": "60372-77-2",
        "產品類型／使用範圍": "(a)漱口水產品\r\n(b)其他產品",
        "限量標準": "(a) 0.15 %\r\n(b) 0.4 % ",
        "限制規定": (
            "(a)不得使用於10歲以下孩童之產品。\r\n(b)不得使用於唇部"
            "、口腔 (漱口水除外)及噴霧類產品。\t\r\n"
        ),
        "應刊載之注意事項": "(a)不得使用於10歲以下孩童。",
    },
    "27": {
        "編號": "27",
        "成分名": "3-Iodo-2-propynylbutylcarba-mate (2)\t\r\n\t\r\n\t\r\n",
        "INCI名": "Iodopropynyl butylcarbamate",
        "CAS_No.": "55406-53-6",
        "產品類型／使用範圍": ("(a)立即沖洗產品\r\n(b)非立即沖洗產品\r\n(c)止汗劑及制臭劑"),
        "限量標準": "(a) 0.02 %    \r\n(b) 0.01 %\r\n(c) 0.0075 %",
        "限制規定": (
            "不得使用於口腔與唇部產品。\r\n(a)不得使用於三歲以下孩"
            "童之產品，但沐浴和洗髮產品除外。\r\n(b)不得使用於身體"
            "乳液和身體乳霜產品。\r\n(b)&(c)不得使用於三歲以下孩童"
            "之產品。   　　　　　　　　　　　　　　　　   "
        ),
        "應刊載之注意事項": (
            "(a)不得使用於三歲以下孩童。(沐浴和洗髮產品得免刊載該注"
            "意事項)\r\n(b)&(c)：不得使用於三歲以下孩童。"
        ),
    },
    "32": {
        "編號": "32",
        "成分名": (
            "Butyl 4-hydroxybenzoate and its salts Propyl 4-hydroxybenzoate and its salts(2)"
        ),
        "INCI名": (
            "Butylparaben/\r\nPropylparaben/\r\nSodium propylparabe"
            "n/\r\nSodium butylparaben/\r\nPotassium butylparaben/"
            "\r\nPotassium propylparaben"
        ),
        "CAS_No.": (
            "94-26-8/\r\n94-13-3/\r\n35285-69-9/\r\n36457-20-2/\r\n38566-94-8/\r\n84930-16-5"
        ),
        "產品類型／使用範圍": None,
        "限量標準": (
            "(a)0.14 % (以acid計)(總量)\r\n(b)0.8 % (以acid計)，混"
            "合使用編號32及33之成分，惟 butylparaben 和propylparabe"
            "n 及其鹽類限量分別不得超過0.14 %                      "
            "                                                      "
            "                                                      "
            "                  "
        ),
        "限制規定": ("不得使用於三歲以下孩童使用於尿布部位之非立即沖洗之產品。"),
        "應刊載之注意事項": ("不得使用於三歲以下孩童之尿布部位。(立即沖洗產品得免刊載該注意事項)"),
    },
    "33": {
        "編號": "33",
        "成分名": ("4-Hydroxybenzoic acid and its Methyl- and Ethyl- esters, and their salts"),
        "INCI名": (
            "Methylparaben/\r\nEthylparaben/\r\n4-Hydroxybenzoic ac"
            "id/\r\nPotassium ethylparaben/\r\nPotassium paraben/\r"
            "\nSodium methylparaben/\r\nSodium ethylparaben/\r\nSod"
            "ium paraben/\r\nPotassium methylparaben/\r\nCalcium pa"
            "raben"
        ),
        "CAS_No.": (
            "99-76-3/\r\n120-47-8/\r\n99-96-7/\r\n36457-19-9/\r\n16"
            "782-08-4/\r\n5026-62-0/\r\n35285-68-8/\r\n114-63-6/\r"
            "\n26112-07-2/\r\n69959-44-0"
        ),
        "產品類型／使用範圍": None,
        "限量標準": ("(a) 0.4 % (以acid計)，單獨使用\r\n(b) 0.8 % (以acid計)，混合使用"),
        "限制規定": None,
        "應刊載之注意事項": None,
    },
    "37": {
        "編號": "37",
        "成分名": "Phenylmercuric salts (including borate)\t",
        "INCI名": "Phenyl mercuric acetate/\r\nPhenyl mercuric benzoate\t",
        "CAS_No.": "62-38-4/\r\n94-43-9\t\r\n",
        "產品類型／使用範圍": "眼部化粧品\t",
        "限量標準": "0.007 % (以Hg計)\r\n",
        "限制規定": ("倘混合使用其他我國準用之汞化合物，其汞總殘留量為0.007 %。\t"),
        "應刊載之注意事項": "含Phenylmercuric compounds。",
    },
    "38": {
        "編號": "38",
        "成分名": (
            "1-Hydroxy-4-methyl-6-(2,4,4-trimethylpentyl)-2 pyridon and its monoethanolamine salt\t"
        ),
        "INCI名": (
            "1-Hydroxy-4-methyl-6-(2,4,4-trimethylpentyl)-2-pyridon/\r\nPiroctone olamine\r\n"
        ),
        "CAS_No.": "50650-76-5/\r\n68890-66-4",
        "產品類型／使用範圍": "(a)立即沖洗產品\r\n(b)其他產品\t",
        "限量標準": "(a) 1 %\r\n(b) 0.5 %",
        "限制規定": None,
        "應刊載之注意事項": None,
    },
    "41": {
        "編號": "41",
        "成分名": "Salicylic acid and its salts",
        "INCI名": (
            "Salicylic acid(3) /\r\nCalcium salicylate/\r\nMagnesiu"
            "m salicylate/\r\nMEA-salicylate/\r\nSodium salicylate/"
            "\r\nPotassium salicylate/\r\nTEA-salicylate"
        ),
        "CAS_No.": (
            "69-72-7/\r\n824-35-1/\r\n18917-89-0/\r\n59866-70-5/\r"
            "\n54-21-7/\r\n578-36-9/\r\n2174-16-5\r\n"
        ),
        "產品類型／使用範圍": None,
        "限量標準": (
            "0.5 % (以acid計)                           \t         "
            "                                        "
        ),
        "限制規定": "除洗髮產品外，不得使用於三歲以下孩童之產品。\t",
        "應刊載之注意事項": (
            "不得使用於三歲以下孩童。(洗髮產品得免刊載該注意事項)  "
            "                                        "
        ),
    },
    "42": {
        "編號": "42",
        "成分名": "Silver Chloride deposited on titanium dioxide\t",
        "INCI名": "Silver chloride\t",
        "CAS_No.": "7783-90-6\t\t",
        "產品類型／使用範圍": None,
        "限量標準": "0.004 % (以AgCl計) \t",
        "限制規定": ("20 % AgCl (w/w) on TiO2;不得使用於三歲以下孩童之口腔、唇部及眼部產品。"),
        "應刊載之注意事項": None,
    },
    "48": {
        "編號": "48",
        "成分名": "Pyrithione zinc(1)\t\r\n\t\t\r\n",
        "INCI名": "Zinc pyrithione\t",
        "CAS_No.": "13463-41-7",
        "產品類型／使用範圍": "(a)髮用產品\r\n(b)其他產品(口腔製劑除外)",
        "限量標準": "(a) 1 %\r\n(b) 0.5 %",
        "限制規定": "限使用於立即沖洗產品",
        "應刊載之注意事項": None,
    },
}


UV_FILTERS: dict[str, Raw] = {
    "2": {
        "編號": "2",
        "成分名": "2-Hydroxy-4-methoxybenzophenone/\nOxybenzone",
        "INCI名": "Benzophenone-3",
        "CAS_No.": "131-57-7",
        "產品類型／使用範圍": "",
        "限量標準": "6%\n(作為保護劑用途，限量≤0.5%) ",
        "限制規定": "",
        "應刊載之注意事項": ("本產品含二苯酮-3。(添加≤0.5%或作為保護劑用途，得免刊載該注意事項)\n"),
    },
    "11": {
        "編號": "11",
        "成分名": "Zinc oxide",
        "INCI名": "Zinc oxide",
        "CAS_No.": "1314-13-2",
        "產品類型／使用範圍": "",
        "限量標準": "25%\n(倘作為收斂劑用途，限量≤10%)",
        "限制規定": "",
        "應刊載之注意事項": "",
    },
    "26": {
        "編號": "26",
        "成分名": "1,3,5-Triazine, 2,4,6-tris[1,1'-biphenyl]-4-yl-",
        "INCI名": "Tris-biphenyl triazine",
        "CAS_No.": "31274-51-8",
        "產品類型／使用範圍": "",
        "限量標準": "10%",
        "限制規定": "不得使用於噴霧製劑",
        "應刊載之注意事項": "",
    },
    "27": {
        "編號": "27",
        "成分名": "Titanium dioxide",
        "INCI名": "Titanium dioxide",
        "CAS_No.": "13463-67-7/\n1317-70-0/\n1317-80-2",
        "產品類型／使用範圍": "",
        "限量標準": "25%",
        "限制規定": "",
        "應刊載之注意事項": "",
    },
}


ALL: dict[str, dict[str, Raw]] = {
    "prohibited": PROHIBITED,
    "restricted": RESTRICTED,
    "colorant": COLORANTS,
    "preservative": PRESERVATIVES,
    "uv_filter": UV_FILTERS,
}
INFO_IDS = {"prohibited": 203, "restricted": 199, "colorant": 200, "preservative": 201,
            "uv_filter": 202}  # fmt: skip


def labelpass_json(
    lists: Mapping[str, Iterable[Raw]] | None = None,
    generated_at: str = "2026-06-25T07:47:54.729Z",
    extra_rules: Iterable[object] = (),
) -> str:
    """A file in the labelpass layout. Its derived fields are filled with values that
    contradict the official record, to show that only ``raw`` is read."""
    chosen = lists if lists is not None else {k: v.values() for k, v in ALL.items()}
    rules: list[object] = []
    for list_type, rows in chosen.items():
        for raw in rows:
            rules.append(
                {
                    "id": f"tw-cos-{INFO_IDS[list_type]}-{raw.get('編號')}",
                    "category": "not-the-list",
                    "source_info_id": INFO_IDS[list_type],
                    "ingredient_name": "derived, not official",
                    "max_limit_percent": 99.0,
                    "cas_numbers": ["50-00-0"],
                    "raw": raw,
                }
            )
    rules += list(extra_rules)
    return json.dumps(
        {"generated_at": generated_at, "datasets": [], "rules": rules}, ensure_ascii=False
    )


def csv_download(rows: Iterable[Raw]) -> str:
    """A TFDA CSV download of these records (UTF-8, header row of the official columns)."""
    rows = list(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for raw in rows:
        writer.writerow({k: "" if v is None else v for k, v in raw.items()})
    return out.getvalue()
