"""Preservative cases at, under and over their limits and in the wrong product type, read
from both texts: the TFDA list decides for Taiwan, the EU Annex V binds where TFDA is silent
and is advisory where it is stricter than a TFDA rule that is met (see
``tests.factories.law_cases``)."""

from __future__ import annotations

from tests.factories.law_cases import ACCEPTED, LawCase, Want, eu, item, listed_case, tfda

P = "preservative"


def _pres(
    case_id: str,
    name: str,
    cas: str | None,
    pct: float,
    product_type: str,
    source: str,
    over: float | None = None,
    where: bool = False,
) -> LawCase:
    return listed_case(
        case_id, name, cas, pct, product_type, source,
        function=P, list_type="preservative", over=over, where=where,
    )  # fmt: skip


PHENOXYETHANOL = "TFDA 防腐劑 編號35 '2-Phenoxyethanol' 1 %; EU Annex V/29 1.0%"
BENZOIC = (
    "TFDA 防腐劑 編號5 'Benzoic acid and its sodium salt': (a) 立即沖洗產品(口腔製劑除外) 2.5 % "
    "(b) 非立即沖洗產品 0.5 % (c) 口腔製劑 1.7 % (以acid計); EU Annex V/1 the same"
)
MIT = (
    "TFDA 防腐劑 編號29 'Methylisothiazolinone' 立即沖洗產品 0.0015 %; EU Annex V/57 "
    "((EU) 2017/1224) '0,0015 % Rinse-off products'"
)
IPBC = (
    "TFDA 防腐劑 編號27 'Iodopropynyl butylcarbamate': (a) 立即沖洗產品 0.02 % (b) 非立即沖洗產品 "
    "0.01 % (c) 止汗劑及制臭劑 0.0075 %; 不得使用於口腔與唇部產品; EU Annex V/56 the same"
)
PARABENS = (
    "TFDA 防腐劑 編號32 butyl-/propylparaben and salts (a) 0.14 % (以acid計)(總量); 編號33 methyl-/"
    "ethylparaben (a) 0.4 % 單獨使用 (b) 0.8 % 混合; EU Annex V/12 and V/12a the same"
)
PRESERVATIVES: tuple[LawCase, ...] = (
    _pres(
        "phenoxyethanol-at-limit-leave-on",
        "Phenoxyethanol",
        "122-99-6",
        1.0,
        "leave_on_face",
        PHENOXYETHANOL,
    ),
    _pres(
        "phenoxyethanol-over-rinse-off",
        "Phenoxyethanol",
        "122-99-6",
        1.1,
        "rinse_off_hair",
        PHENOXYETHANOL,
        over=1.0,
    ),
    _pres(
        "phenoxyethanol-chinese-name-over",
        "苯氧乙醇",
        None,
        1.2,
        "leave_on_body",
        PHENOXYETHANOL
        + "; 苯氧乙醇 is the zh_name of PHENOXYETHANOL in pifai/data/ingredients.csv",
        over=1.0,
    ),
    _pres(
        "phenoxyethanol-just-under-rinse-off",
        "Phenoxyethanol",
        "122-99-6",
        0.99,
        "rinse_off_hair",
        PHENOXYETHANOL,
    ),
    _pres(
        "benzoic-acid-at-rinse-off-limit", "Benzoic acid", "65-85-0", 2.5, "rinse_off_skin", BENZOIC
    ),
    _pres(
        "benzoic-acid-over-leave-on-limit",
        "Benzoic acid",
        "65-85-0",
        0.6,
        "leave_on_face",
        BENZOIC,
        over=0.5,
    ),
    _pres("sodium-benzoate-at-oral-limit", "Sodium benzoate", "532-32-1", 1.7, "oral", BENZOIC),
    _pres(
        "sodium-benzoate-over-oral-limit",
        "Sodium benzoate",
        "532-32-1",
        1.8,
        "oral",
        BENZOIC,
        over=1.7,
    ),
    _pres(
        "mit-at-rinse-off-limit",
        "Methylisothiazolinone",
        "2682-20-4",
        0.0015,
        "rinse_off_hair",
        MIT,
    ),
    _pres(
        "mit-over-rinse-off-limit",
        "Methylisothiazolinone",
        "2682-20-4",
        0.002,
        "rinse_off_skin",
        MIT,
        over=0.0015,
    ),
    _pres(
        "mit-in-leave-on",
        "Methylisothiazolinone",
        "2682-20-4",
        0.001,
        "leave_on_face",
        MIT,
        where=True,
    ),
    _pres(
        "phenoxyisopropanol-in-leave-on",
        "Phenoxyisopropanol",
        "770-35-4",
        0.5,
        "leave_on_body",
        "TFDA 防腐劑 編號36 '1-Phenoxypropan-2-ol' 立即沖洗產品 1 %; EU Annex V/43 'Only for "
        "rinse-off "
        "products' 1.0%",
        where=True,
    ),
    _pres(
        "piroctone-olamine-rinse-off-under",
        "Piroctone olamine",
        "68890-66-4",
        0.8,
        "rinse_off_hair",
        "TFDA 防腐劑 編號38: (a) 立即沖洗產品 1 % (b) 其他產品 0.5 %; EU Annex V/35 "
        "a) Rinse-off products 1.0% b) Other products 0.5%",
    ),
    _pres(
        "piroctone-olamine-leave-on-over",
        "Piroctone olamine",
        "68890-66-4",
        0.8,
        "leave_on_hair",
        "TFDA 防腐劑 編號38 (b) 其他產品 0.5 %; EU Annex V/35 b) 0.5%",
        over=0.5,
    ),
    _pres(
        "ipbc-leave-on-over",
        "Iodopropynyl butylcarbamate",
        "55406-53-6",
        0.015,
        "leave_on_face",
        IPBC,
        over=0.01,
    ),
    _pres(
        "ipbc-in-lip-product",
        "Iodopropynyl butylcarbamate",
        "55406-53-6",
        0.005,
        "lip",
        IPBC,
        where=True,
    ),
    _pres(
        "chlorocresol-synonym-on-mucous-membranes",
        "Chlorocresol",
        None,
        0.1,
        "lip",
        "TFDA 防腐劑 編號11 'Chlorocresol' (INCI p-Chloro-m-cresol) 0.2 %, "
        "不得使用於接觸黏膜部位產品; "
        "EU Annex V/24 'Not to be used in products applied on mucous membranes'",
        where=True,
    ),
    _pres(
        "benzethonium-chloride-in-oral-product",
        "Benzethonium chloride",
        "121-54-0",
        0.05,
        "oral",
        "TFDA 防腐劑 編號3: (a) 立即沖洗產品 (b) 非立即沖洗產品(口腔製劑除外) 0.1 %; EU Annex "
        "V/53 a) Rinse-off products b) Leave-on products other than oral products",
        where=True,
    ),
    _pres(
        "bronopol-synonym-over",
        "Bronopol",
        None,
        0.2,
        "leave_on_face",
        "TFDA 防腐劑 編號50 'Bronopol' (INCI 2-Bromo-2-nitropropane-1,3-diol) 0.1 %; EU Annex V/21 "
        "0.1%",
        over=0.1,
    ),
    _pres(
        "thiomersal-inn-outside-eye-products",
        "Thiomersal",
        None,
        0.005,
        "leave_on_face",
        "TFDA 防腐劑 編號44 'Thiomersal' 眼部化粧品 0.007 % (以Hg計); EU Annex V/16 'Thiomersal' "
        "Eye products",
        where=True,
    ),
    _pres(
        "chlorphenesin-at-limit",
        "Chlorphenesin",
        "104-29-0",
        0.3,
        "rinse_off_skin",
        "TFDA 防腐劑 編號34 'Chlorphenesin' 0.3 %; EU Annex V/50 0.3%",
    ),
    _pres(
        "methylparaben-over-single-ester-limit",
        "Methylparaben",
        "99-76-3",
        0.5,
        "leave_on_face",
        PARABENS,
        over=0.4,
    ),
    LawCase(
        "methyl-and-ethylparaben-at-mixture-limit",
        (item("Methylparaben", "99-76-3", 0.4, P), item("Ethylparaben", "120-47-8", 0.4, P)),
        "leave_on_face",
        PARABENS,
        never=ACCEPTED,
        on=("TFDA:preservative", "EU:Annex V/12"),
    ),
    LawCase(
        "propyl-and-butylparaben-over-their-sum",
        (item("Propylparaben", "94-13-3", 0.1, P), item("Butylparaben", "94-26-8", 0.1, P)),
        "leave_on_face",
        PARABENS,  # both lists set the sum, so either may report it
        want=(Want("group_limit", "high", None, "preservative", None, 0.14),),
    ),
    LawCase(
        "climbazole-face-cream-tfda-met-eu-stricter",
        (item("Climbazole", "38083-17-9", 0.4, P),),
        "leave_on_face",
        "TFDA 防腐劑 編號14 'Climbazole' 0.5 %; EU Annex V/32 ((EU) 2019/698) (b) Face creams 0,2 "
        "%",
        want=(eu("stricter_eu_over_limit", "advisory", "V/32", 0.2),),
        never=ACCEPTED,
    ),
    LawCase(
        "o-phenylphenol-leave-on-tfda-met-eu-stricter-2026-78",
        (item("o-Phenylphenol", "90-43-7", 0.18, P),),
        "leave_on_face",
        "TFDA 防腐劑 編號31 'Biphenyl-2-ol, and its salts' 0.2 % (以phenol計); EU Annex V/7 ((EU) "
        "2026/78) (a) Rinse-off products 0,2 % (b) Leave-on products 0,15 % (as phenol)",
        want=(eu("stricter_eu_over_limit", "advisory", "V/7", 0.15),),
        never=ACCEPTED,
    ),
    LawCase(
        "salicylic-acid-preservative-children-under-3",
        (item("Salicylic acid", "69-72-7", 0.3, P),),
        "leave_on_face",
        "TFDA 防腐劑 編號41 'Salicylic acid and its salts' 0.5 % (以acid計), "
        "除洗髮產品外，不得使用於"
        "三歲以下孩童之產品; EU Annex V/3 ((EU) 2019/1966) the same",
        want=(tfda("children_under_3", "high", "preservative"),),
        children_under_3=True,
    ),
    LawCase(
        "salicylic-acid-preservative-in-oral-product",
        (item("Salicylic acid", "69-72-7", 0.3, P),),
        "oral",
        "TFDA 防腐劑 編號41: no product-type restriction; EU Annex V/3 ((EU) 2019/1966) 'Salicylic "
        "acid: ... Not to be used in oral products': advisory",
        want=(eu("stricter_eu_product_type", "advisory", "V/3"),),
        never=ACCEPTED,
    ),
    LawCase(
        "o-phenylphenol-in-oral-product-2026-78",
        (item("o-Phenylphenol", "90-43-7", 0.1, P),),
        "oral",
        "TFDA 防腐劑 編號31 'Biphenyl-2-ol, and its salts' 0.2 %, no product-type restriction; EU "
        "Annex V/7 ((EU) 2026/78) 'Not to be used in oral products': advisory",
        want=(eu("stricter_eu_product_type", "advisory", "V/7"),),
        never=ACCEPTED,
    ),
)
