"""UV-filter, restricted-substance and colorant cases at, under and over their limits and in
the wrong product type, read from both texts: the TFDA list decides for Taiwan, the EU annex
binds where TFDA is silent and is advisory where it is stricter than a TFDA rule that is met
(see ``tests.factories.law_cases``)."""

from __future__ import annotations

from tests.factories.law_cases import ACCEPTED, LawCase, Never, eu, item, listed_case, tfda

UV = "UV filter"


def _uv(
    case_id: str,
    name: str,
    cas: str | None,
    pct: float,
    product_type: str,
    source: str,
    over: float | None = None,
) -> LawCase:
    return listed_case(
        case_id, name, cas, pct, product_type, source,
        function=UV, list_type="uv_filter", over=over,
    )  # fmt: skip


HOMOSALATE = (
    "TFDA 防曬劑 編號4 'Homosalate' 10%; EU Annex VI/3 'Face products with the exception of "
    "propellent spray products' 7,34 %"
)
BP3 = (
    "TFDA 防曬劑 編號2 'Benzophenone-3' 6%; EU Annex VI/4 ((EU) 2022/1176) a) face, hand and lip "
    "products 6% b) body products 2,2 % c) other products 0,5 %"
)

UV_FILTERS: tuple[LawCase, ...] = (
    _uv(
        "octocrylene-at-limit",
        "Octocrylene",
        "6197-30-4",
        10,
        "leave_on_face",
        "TFDA 防曬劑 編號10 'Octocrilene' 10%; EU Annex VI/10 ((EU) 2022/1176) b) Other products "
        "10%",
    ),
    _uv(
        "octocrylene-over",
        "Octocrylene",
        "6197-30-4",
        10.5,
        "leave_on_body",
        "TFDA 防曬劑 編號10 10%",
        over=10.0,
    ),
    _uv(
        "octinoxate-synonym-over",
        "Octinoxate",
        None,
        11,
        "leave_on_body",
        "TFDA 防曬劑 編號5 '2-Ethylhexyl 4-methoxycinnamate/ Octinoxate' 10%; EU Annex VI/12 10%",
        over=10.0,
    ),
    _uv(
        "avobenzone-synonym-over",
        "Avobenzone",
        None,
        5.5,
        "leave_on_face",
        "TFDA 防曬劑 編號8 '... / Avobenzone' (Butyl methoxydibenzoylmethane) 5%; EU Annex VI/8 5%",
        over=5.0,
    ),
    _uv(
        "padimate-o-synonym-over",
        "Padimate O",
        None,
        8.5,
        "leave_on_body",
        "TFDA 防曬劑 編號1 '2-Ethylhexyl 4-(dimethylamino)benzoate/ Padimate O' 8%; EU Annex VI/21 "
        "8%",
        over=8.0,
    ),
    _uv(
        "ethylhexyl-triazone-over",
        "Ethylhexyl triazone",
        "88122-99-0",
        5.2,
        "leave_on_face",
        "TFDA 防曬劑 編號16 5%; EU Annex VI/15 5%",
        over=5.0,
    ),
    _uv(
        "zinc-oxide-at-limit",
        "Zinc oxide",
        "1314-13-2",
        25,
        "leave_on_face",
        "TFDA 防曬劑 編號11 'Zinc oxide' 25%; EU Annex VI/30 25%",
    ),
    _uv(
        "zinc-oxide-over",
        "Zinc oxide",
        "1314-13-2",
        26,
        "leave_on_body",
        "TFDA 防曬劑 編號11 25%",
        over=25.0,
    ),
    _uv(
        "dhhb-at-limit-2026-909",
        "Diethylamino hydroxybenzoyl hexyl benzoate",
        "302776-68-7",
        10,
        "leave_on_face",
        "TFDA 防曬劑 編號17 10%; EU Annex VI/28 ((EU) 2026/909) 10%",
    ),
    _uv(
        "homosalate-over-tfda",
        "Homosalate",
        "118-56-9",
        10.5,
        "leave_on_face",
        HOMOSALATE,
        over=10.0,
    ),
    LawCase(
        "homosalate-face-tfda-met-eu-stricter",
        (item("Homosalate", "118-56-9", 8, UV),),
        "leave_on_face",
        HOMOSALATE,
        want=(eu("stricter_eu_over_limit", "advisory", "VI/3", 7.34),),
        never=ACCEPTED,
    ),
    LawCase(
        "homosalate-just-under-the-eu-face-limit",
        (item("Homosalate", "118-56-9", 7.3, UV),),
        "leave_on_face",
        HOMOSALATE + ": under both, so not even an advisory",
        never=(*ACCEPTED, Never(rule="stricter_eu_over_limit")),
        on=("TFDA:uv_filter", "EU:Annex VI/3"),
    ),
    LawCase(
        "homosalate-body-eu-face-products-only",
        (item("Homosalate", "118-56-9", 8, UV),),
        "leave_on_body",
        HOMOSALATE,
        want=(eu("stricter_eu_product_type", "advisory", "VI/3"),),
        never=ACCEPTED,
    ),
    _uv(
        "benzophenone-3-over-tfda",
        "Benzophenone-3",
        "131-57-7",
        6.5,
        "leave_on_face",
        BP3,
        over=6.0,
    ),
    LawCase(
        "benzophenone-3-body-tfda-met-eu-stricter",
        (item("Benzophenone-3", "131-57-7", 5, UV),),
        "leave_on_body",
        BP3,
        want=(eu("stricter_eu_over_limit", "advisory", "VI/4", 2.2),),
        never=ACCEPTED,
    ),
)

RESTRICTED_AND_COLORANTS: tuple[LawCase, ...] = (
    LawCase(
        "urea-other-products-over",
        (item("Urea", "57-13-6", 8),),
        "leave_on_body",
        "TFDA 成分使用限制 編號5 'Urea': (a)染髮產品 10% (b)其他產品 5%; no EU entry",
        want=(tfda("over_limit", "high", "restricted", 5.0),),
    ),
    LawCase(
        "urea-other-products-under",
        (item("Urea", "57-13-6", 4),),
        "leave_on_body",
        "TFDA 成分使用限制 編號5 (b)其他產品 5%",
        never=ACCEPTED,
        on=("TFDA:restricted",),
    ),
    LawCase(
        "allantoin-over",
        (item("Allantoin", "97-59-6", 0.6),),
        "leave_on_face",
        "TFDA 成分使用限制 編號1 'Allantoin' 0.5%; no EU entry",
        want=(tfda("over_limit", "high", "restricted", 0.5),),
    ),
    LawCase(
        "allantoin-chinese-name-at-limit",
        (item("尿囊素", None, 0.5),),
        "leave_on_face",
        "TFDA 成分使用限制 編號1 0.5%; 尿囊素 is the zh_name of ALLANTOIN in "
        "pifai/data/ingredients.csv",
        never=ACCEPTED,
        on=("TFDA:restricted",),
    ),
    LawCase(
        "kojic-acid-over",
        (item("Kojic acid", "501-30-4", 2.5),),
        "leave_on_face",
        "TFDA 成分使用限制 編號9 'Kojic acid' 2% decides; EU Annex III/375 ((EU) 2024/996) 'Face "
        "and "
        "hand products' 1 % (not met either: advisory)",
        want=(
            tfda("over_limit", "high", "restricted", 2.0),
            eu("stricter_eu_over_limit", "advisory", "III/375", 1.0),
        ),
    ),
    LawCase(
        "kojic-acid-tfda-met-eu-stricter-2024-996",
        (item("Kojic acid", "501-30-4", 1.5),),
        "leave_on_face",
        "TFDA 成分使用限制 編號9 'Kojic acid' 2% is met; EU Annex III/375 ((EU) 2024/996) 'Face "
        "and "
        "hand products' 1 %: advisory",
        want=(eu("stricter_eu_over_limit", "advisory", "III/375", 1.0),),
        never=ACCEPTED,
    ),
    LawCase(
        "tranexamic-acid-chinese-name-over",
        (item("傳明酸", None, 3.5),),
        "leave_on_face",
        "TFDA 成分使用限制 編號21 'Tranexamic acid' 3%; 傳明酸 is the zh_name of TRANEXAMIC ACID "
        "in "
        "pifai/data/ingredients.csv",
        want=(tfda("over_limit", "high", "restricted", 3.0),),
    ),
    LawCase(
        "toluene-outside-nail-products",
        (item("Toluene", "108-88-3", 1),),
        "leave_on_face",
        "TFDA 成分使用限制 編號19 'Toluene' 指甲用產品 25%; EU Annex III/185 Nail products 25%",
        want=(tfda("product_type", "high", "restricted"),),
    ),
    LawCase(
        "toluene-in-nail-polish-at-limit",
        (item("Toluene", "108-88-3", 25),),
        "nail",
        "TFDA 成分使用限制 編號19 指甲用產品 25% (warning 避免兒童接觸。); EU Annex III/185 25%",
        want=(tfda("label_warning", "info", "restricted"),),
        never=ACCEPTED,
        on=("TFDA:restricted", "EU:Annex III/185"),
    ),
    LawCase(
        "selenium-sulfide-shampoo-tfda-stricter",
        (item("Selenium sulfide", "7488-56-4", 0.8),),
        "rinse_off_hair",
        "TFDA 成分使用限制 編號185 'Selenium disulfide' 0.5% decides (EU Annex "
        "III/49 Antidandruff shampoos 1% is met)",
        want=(tfda("over_limit", "high", "restricted", 0.5),),
    ),
    LawCase(
        "selenium-sulfide-leave-on-eu-shampoos-only",
        (item("Selenium sulfide", "7488-56-4", 0.3),),
        "leave_on_face",
        "TFDA 成分使用限制 編號185 0.5% (no product type) is met; EU Annex III/49 "
        "'Antidandruff shampoos' only: advisory",
        want=(eu("stricter_eu_product_type", "advisory", "III/49"),),
        never=ACCEPTED,
    ),
    LawCase(
        "ci-10006-rinse-off-colorant-in-leave-on",
        (item("CI 10006", None, 0.5, "colorant"),),
        "leave_on_face",
        "TFDA 色素 編號1 'CI 10006' 使用範圍 4 (第4類：限用於用後立即洗去之化粧品, "
        "as transcribed in pifai/data/regulatory/tfda_colorants.json); EU Annex IV/1 'Rinse-off "
        "product'",
        want=(tfda("product_type", "high", "colorant"),),
    ),
    LawCase(
        "ci-10316-not-around-the-eyes",
        (item("CI 10316", None, 0.5, "colorant"),),
        "eye_area",
        "TFDA 色素 編號3 'CI 10316' 使用範圍 2 (第2類：限用於非接觸眼部周圍之化粧品); EU Annex "
        "IV/3 "
        "'Not to be used in eye products'",
        want=(tfda("product_type", "high", "colorant"),),
    ),
    LawCase(
        "ci-15850-in-lipstick",
        (item("CI 15850", None, 2, "colorant"),),
        "lip",
        "TFDA 色素 編號27 'CI 15850' 使用範圍 1 (所有化粧品均可使用); EU Annex IV/27 no "
        "restriction",
        never=ACCEPTED,
        on=("TFDA:colorant", "EU:Annex IV/27"),
    ),
    LawCase(
        "ci-10316-in-lip-product",
        (item("CI 10316", None, 0.5, "colorant"),),
        "lip",
        "TFDA 色素 編號3 'CI 10316' 使用範圍 2 (第2類：限用於非接觸眼部周圍之化粧品): a lip "
        "product is "
        "not around the eyes; EU Annex IV/3 'Not to be used in eye products' only (its Annex "
        "III/214 "
        "entry as Acid Yellow 1 restricts the hair-dye use, not the colorant use)",
        never=ACCEPTED,
        on=("TFDA:colorant", "EU:Annex IV/3"),
    ),
)
