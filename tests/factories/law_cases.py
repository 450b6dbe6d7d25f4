"""Regulatory cases written from the law's own texts, not from the engine's output.

Each case is a formula, a product type and what the texts say the check must find (or
must not find), with the text it is read from. The texts are the EU CosIng annex exports
beside the project (Annex II and III of 18/06/2026, IV-VI of 09/09/2026) and TFDA's five
open-data lists of 2026-06-25 (their ``raw`` records, cited by 編號); see
../shared/data/PROVENANCE.md. A case's expectation is never changed to match the engine.

TFDA findings are matched by list and rule (the entry reference the importer gives a
TFDA row is not fixed by the list); EU findings also by their annex reference
("Annex V/29"). ``authority=None`` accepts either authority.

The whitepaper's red-team rounds are here; the Annex II and III entries added since 2019 are
in ``law_cases_annexes``, preservatives in ``law_cases_preservatives``, UV filters, restricted
substances and colorants in ``law_cases_limits``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pifai.ai.regulatory import Finding, FormulaItem

_ANNEX_LISTS = {
    "II": "prohibited",
    "III": "restricted",
    "IV": "colorant",
    "V": "preservative",
    "VI": "uv_filter",
}


@dataclass(frozen=True)
class Want:
    """A finding the law requires (every given field must match)."""

    rule: str
    severity: str
    authority: str | None = None
    list_type: str | None = None
    entry_ref: str | None = None
    limit_pct: float | None = None

    def matches(self, f: Finding, entry_ref: str | None) -> bool:
        return (
            f.rule == self.rule
            and f.severity == self.severity
            and self.authority in (None, f.authority)
            and self.list_type in (None, f.list_type)
            and self.entry_ref in (None, entry_ref)
            and (self.limit_pct is None or f.limit_pct == self.limit_pct)
        )


@dataclass(frozen=True)
class Never:
    """Findings the law rules out (every given field must match for a finding to count)."""

    rule: str | None = None
    severity: str | None = None
    authority: str | None = None
    entry_ref: str | None = None

    def matches(self, f: Finding, entry_ref: str | None) -> bool:
        return (
            self.rule in (None, f.rule)
            and self.severity in (None, f.severity)
            and self.authority in (None, f.authority)
            and self.entry_ref in (None, entry_ref)
        )


@dataclass(frozen=True)
class LawCase:
    id: str
    items: tuple[FormulaItem, ...]
    product_type: str
    source: str  # the text the expectation is read from
    want: tuple[Want, ...] = ()
    never: tuple[Never, ...] = ()
    children_under_3: bool = False
    # Entries the formula must be matched to ("EU:Annex V/29", "TFDA:preservative"), so that
    # a case accepted by the law is not passed by a substance the engine failed to identify.
    on: tuple[str, ...] = ()


def item(
    name: str | None, cas: str | None = None, pct: float | None = None, function: str | None = None
) -> FormulaItem:
    return FormulaItem(name=name, cas=cas, concentration_pct=pct, function=function)


def eu(rule: str, severity: str, ref: str, limit: float | None = None) -> Want:
    """An EU finding of annex entry ``ref`` ("V/29")."""
    annex = ref.split("/")[0]
    return Want(rule, severity, "EU", _ANNEX_LISTS[annex], f"Annex {ref}", limit)


def tfda(rule: str, severity: str, list_type: str, limit: float | None = None) -> Want:
    return Want(rule, severity, "TFDA", list_type, None, limit)


# Prohibited at any concentration: a critical finding of a prohibited entry.
PROHIBITED = Want("prohibited", "critical", list_type="prohibited")
# Accepted: nothing critical and nothing high (advisory and info findings may remain).
ACCEPTED = (Never(severity="critical"), Never(severity="high"))
NO_OVER_LIMIT = (Never(rule="over_limit"),)

# CAS numbers of salts the lists do not print: not in the CosIng inventory (2021) nor in the
# annex exports, so read with the project's search tool on 2026-12-01 from public chemical
# reference pages (chemicalbook.com CB00126259 and chemicaldictionary.org for HgCl2; the
# chemicaldictionary.org and chemeurope.com pages for As2O3 and CdCl2): identity only.
MERCURIC_CHLORIDE = "7487-94-7"  # EC 231-299-8
ARSENIC_TRIOXIDE = "1327-53-3"  # EC 215-481-4
CADMIUM_CHLORIDE = "10108-64-2"  # EC 233-296-7

HG = (
    "TFDA 化粧品禁止使用成分 編號1 'Mercury and its compounds' (7439-97-6; 備註: "
    "防腐劑表另有規定者除外, residue of 汞(水銀) as impurity <= 1 ppm); EU Annex II/221 "
    "'Mercury and its compounds, "
    "except those special cases included in Annex V'"
)
AS = (
    "TFDA 禁止使用成分 編號21 'Arsenic and its compounds' (7440-38-2; impurity 砷 <= 3 ppm); "
    "EU Annex II/43 'Arsenic and its compounds'"
)
CD = (
    "TFDA 禁止使用成分 編號22 'Cadmium and its compounds' (7440-43-9; impurity 鎘 <= 5 ppm); "
    "EU Annex II/68 'Cadmium and its compounds'"
)
OESTROGENS = (
    "TFDA 禁止使用成分 編號305 'Estradiol' (50-28-2), 編號307 'Ethinyl estradiol' "
    "(57-63-6), 編號46 'Oestrogens'; EU Annex II/260 'Oestrogens' (identified: ESTRADIOL, "
    "ETHINYLESTRADIOL); CosIng inventory ESTRADIOL 50-28-2 restriction II/260"
)
TIO2_UV = (
    "TFDA 防曬劑 編號27 'Titanium dioxide' (13463-67-7/1317-70-0/1317-80-2) 限量 25%; EU Annex "
    "VI/27 'Titanium Dioxide' 25%* (sum with the nano form, VI/27a, also 25%)"
)
MENTHOL = (
    "EU Annex III/338 'Menthol' ((EU) 2023/1545): no maximum; Other: 'The presence of the "
    "substance shall be indicated in the list of ingredients ... when its concentration "
    "exceeds: 0,001 % in leave-on products, 0,01 % in rinse-off products'. TFDA 成分使用限制 "
    "編號16 'Menthol': 限量標準 none; 應刊載之注意事項 '可能使用於二歲以下孩童之產品...二歲以下"
    "孩童使用前請諮詢醫師或藥師'"
)

RED_TEAM: tuple[LawCase, ...] = (
    LawCase(
        "mercuric-chloride-name-and-cas",
        (item("Mercuric chloride", MERCURIC_CHLORIDE, 0.0001),),
        "leave_on_face",
        HG,
        want=(PROHIBITED,),
    ),
    LawCase(
        "mercuric-chloride-name-only",
        (item("Mercuric chloride", None, 0.0001),),
        "leave_on_face",
        HG,
        want=(PROHIBITED,),
    ),
    LawCase(
        "mercuric-chloride-cas-only",
        (item(None, MERCURIC_CHLORIDE, 0.0001),),
        "rinse_off_skin",
        HG,
        want=(PROHIBITED,),
    ),
    LawCase(
        "mercury-by-chinese-name-of-the-tfda-entry",
        (item("水銀", None, 0.0001),),
        "leave_on_face",
        HG + "; the entry itself names the metal 汞(水銀)",
        want=(PROHIBITED,),
    ),
    LawCase(
        "methylmercuric-chloride-2021-850",
        (item("Methylmercuric chloride", "115-09-3", 0.0001),),
        "leave_on_body",
        HG + "; EU Annex II/1647 'Methylmercuric chloride' (115-09-3), (EU) 2021/850",
        want=(PROHIBITED, eu("prohibited", "critical", "II/1647")),
    ),
    LawCase(
        "arsenic-trioxide",
        (item("Arsenic trioxide", ARSENIC_TRIOXIDE, 0.0001),),
        "leave_on_face",
        AS,
        want=(PROHIBITED,),
    ),
    LawCase(
        "arsenic-trioxide-name-only",
        (item("Arsenic trioxide", None, 0.0001),),
        "lip",
        AS,
        want=(PROHIBITED,),
    ),
    LawCase(
        "arsenic-by-chinese-name-xinshi",
        (item("信石", None, 0.0001),),
        "leave_on_face",
        AS + "; TFDA 禁止使用成分 編號93 'Arsenolite（信石）'",
        want=(PROHIBITED,),
    ),
    LawCase(
        "cadmium-chloride",
        (item("Cadmium chloride", CADMIUM_CHLORIDE, 0.0001),),
        "leave_on_face",
        CD,
        want=(PROHIBITED,),
    ),
    LawCase(
        "cadmium-chloride-name-only",
        (item("Cadmium chloride", None, 0.0001),),
        "eye_area",
        CD,
        want=(PROHIBITED,),
    ),
    LawCase(
        "cadmium-carbonate-listed-salt",
        (item("Cadmium carbonate", "513-78-0", 0.0001),),
        "leave_on_face",
        CD + "; EU Annex II/1598 'Cadmium carbonate' (513-78-0), (EU) 2019/831",
        want=(PROHIBITED, eu("prohibited", "critical", "II/1598")),
    ),
    LawCase(
        "phenylmercuric-acetate-in-eye-product-is-the-exception",
        (item("Phenyl mercuric acetate", "62-38-4", 0.005, "preservative"),),
        "eye_area",
        HG
        + "; the exception: TFDA 防腐劑 編號37 'Phenylmercuric salts' 眼部化粧品 0.007 % (以Hg計); "
        "EU Annex V/17 eye products 0.007% (of Hg)",
        never=ACCEPTED,
        on=("TFDA:preservative", "EU:Annex V/17"),
    ),
    LawCase(
        "phenylmercuric-acetate-outside-eye-products",
        (item("Phenyl mercuric acetate", "62-38-4", 0.005, "preservative"),),
        "leave_on_face",
        HG + "; TFDA 防腐劑 編號37 permits it only in 眼部化粧品 (EU Annex V/17: Eye products)",
        want=(tfda("product_type", "high", "preservative"),),
    ),
    LawCase(
        "estradiol-trace",
        (item("Estradiol", "50-28-2", 0.0001),),
        "leave_on_face",
        OESTROGENS,
        want=(PROHIBITED,),
    ),
    LawCase(
        "estradiol-whatever-its-declared-use",
        (item("Estradiol", None, 0.0001, "skin conditioning"),),
        "rinse_off_skin",
        OESTROGENS,
        want=(PROHIBITED,),
    ),
    LawCase(
        "ethinylestradiol-cas-only",
        (item(None, "57-63-6", 0.0001),),
        "leave_on_body",
        OESTROGENS,
        want=(PROHIBITED,),
    ),
    LawCase(
        "titanium-dioxide-uv-filter-30-pct",
        (item("Titanium dioxide", "13463-67-7", 30, "UV filter"),),
        "leave_on_face",
        TIO2_UV,
        want=(tfda("over_limit", "high", "uv_filter", 25.0),),
    ),
    LawCase(
        "titanium-dioxide-uv-filter-at-its-limit",
        (item("Titanium dioxide", "13463-67-7", 25, "UV filter"),),
        "leave_on_body",
        TIO2_UV,
        never=ACCEPTED,
        on=("TFDA:uv_filter", "EU:Annex VI/27"),
    ),
    LawCase(
        "titanium-dioxide-colorant-in-lip-product",
        (item("CI 77891", "13463-67-7", 10, "colorant"),),
        "lip",
        "EU Annex IV/143 'Titanium Dioxide/CI 77891' (no maximum; Annex III/321 applies "
        "to the powder form in (a) face products in loose powder form and (b) hair aerosol sprays "
        "only); TFDA 色素 編號142 'CI 77891' 使用範圍 1 (所有化粧品均可使用)",
        never=ACCEPTED,
        on=("TFDA:colorant", "EU:Annex IV/143"),
    ),
    LawCase(
        "titanium-dioxide-colorant-in-shampoo",
        (item("Titanium dioxide", "13463-67-7", 2, "colorant"),),
        "rinse_off_hair",
        "EU Annex III/321 (EU) 2021/850: (a) face products in loose powder "
        "form 25 %; (b) hair aerosol spray products 1,4 % / 1.1 %; (c) other products: no maximum. "
        "A shampoo is neither (a) nor (b); Annex IV/143 sets no maximum",
        never=NO_OVER_LIMIT,
        on=("EU:Annex IV/143",),
    ),
    LawCase(
        "menthol-12-pct-leave-on-is-a-disclosure-not-a-limit",
        (item("Menthol", None, 12),),
        "leave_on_face",
        MENTHOL,
        want=(
            eu("label_disclosure", "info", "III/338", 0.001),
            tfda("label_warning", "info", "restricted"),
        ),
        never=(*NO_OVER_LIMIT, *ACCEPTED),
    ),
    LawCase(
        "linalool-disclosure-only",
        (item("Linalool", "78-70-6", 2),),
        "rinse_off_skin",
        "EU Annex III/84 'Linalool': no maximum; 'The presence of the substance must be "
        "indicated ... when its concentration exceeds ... 0.01% in rinse-off products'; no TFDA "
        "entry",
        want=(eu("label_disclosure", "info", "III/84", 0.01),),
        never=ACCEPTED,
    ),
    LawCase(
        "furfural-comma-decimal-over",
        (item("Furfural", "98-01-1", 0.002),),
        "leave_on_face",
        "EU Annex III/312 '2-Furaldehyde' FURFURAL ((EU) 2019/831): maximum '0,001 %' = 0.001 %; "
        "no TFDA entry, so the EU limit binds",
        want=(eu("over_limit", "high", "III/312", 0.001),),
    ),
    LawCase(
        "furfural-comma-decimal-at-limit",
        (item("Furfural", "98-01-1", 0.001),),
        "leave_on_face",
        "EU Annex III/312 FURFURAL maximum '0,001 %'",
        never=NO_OVER_LIMIT,
        on=("EU:Annex III/312",),
    ),
    LawCase(
        "phmb-tfda-met-eu-stricter",
        (item("Polyaminopropyl biguanide", "32289-58-0", 0.2, "preservative"),),
        "leave_on_face",
        "TFDA 防腐劑 編號39 'Polyaminopropyl biguanide' 限量 0.3 %; EU Annex V/28 ((EU) 2019/831) "
        "0.1%: TFDA decides and is met, the stricter EU rule is advisory",
        want=(eu("stricter_eu_over_limit", "advisory", "V/28", 0.1),),
        never=ACCEPTED,
    ),
    LawCase(
        "phmb-over-the-tfda-limit",
        (item("Polyaminopropyl biguanide", "32289-58-0", 0.35, "preservative"),),
        "leave_on_face",
        "TFDA 防腐劑 編號39 限量 0.3 %",
        want=(tfda("over_limit", "high", "preservative", 0.3),),
    ),
    LawCase(
        "genistein-tfda-silent-eu-binds",
        (item("Genistein", "446-72-0", 0.01),),
        "leave_on_face",
        "EU Annex III/373 'Genistein' ((EU) 2024/996) maximum 0,007 %; no TFDA entry on any list, "
        "so the EU limit binds",
        want=(eu("over_limit", "high", "III/373", 0.007),),
    ),
)


def listed_case(
    case_id: str,
    name: str,
    cas: str | None,
    pct: float,
    product_type: str,
    source: str,
    *,
    function: str,
    list_type: str,
    over: float | None = None,
    where: bool = False,
) -> LawCase:
    """A row of a TFDA positive list used as ``function``: out of its product types
    (``where``) it is high, over ``over`` (the TFDA limit) it is high, otherwise accepted."""
    row = (item(name, cas, pct, function),)
    if where:
        return LawCase(
            case_id, row, product_type, source, want=(tfda("product_type", "high", list_type),)
        )
    if over is not None:
        want = (tfda("over_limit", "high", list_type, over),)
        return LawCase(case_id, row, product_type, source, want=want)
    return LawCase(case_id, row, product_type, source, never=ACCEPTED, on=(f"TFDA:{list_type}",))
