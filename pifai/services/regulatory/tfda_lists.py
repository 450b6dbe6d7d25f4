"""TFDA's five open-data lists: which data set each is, its columns, what is known of
its announcement, and (colorants) what its 使用範圍 codes mean, each fact with its source
(../shared/data/PROVENANCE.md section 3, and the pages named below)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TfdaList:
    list_type: str
    info_id: int  # data.fda.gov.tw InfoId
    dataset_id: int  # data.gov.tw dataset
    title: str  # the table's official title
    title_en: str
    dataset: str  # the open-data set's name
    columns: dict[str, str]  # field -> official column name
    announcement: str
    file_words: tuple[str, ...]  # words of a download's file name that name the list

    @property
    def document(self) -> str:
        return (
            f"衛生福利部「{self.title}」 ({self.title_en}); TFDA open data (data.fda.gov.tw "
            f"InfoId {self.info_id}, data.gov.tw dataset {self.dataset_id})"
        )

    @property
    def dataset_text(self) -> str:
        return (
            f"TFDA open data 「{self.dataset}」 (data.fda.gov.tw InfoId {self.info_id}, "
            f"data.gov.tw dataset {self.dataset_id})"
        )

    @property
    def url(self) -> str:
        return f"https://data.gov.tw/dataset/{self.dataset_id}"

    @property
    def export_url(self) -> str:
        return f"https://data.fda.gov.tw/data/opendata/export/{self.info_id}/json"


_NOT_FOUND = (
    "Announcement number and date not found: the open data carries none, and none was "
    "found for this table (PROVENANCE.md, section 3)."
)
_TABLE_COLUMNS = {
    "no": "編號",
    "name": "成分名",
    "inci": "INCI名",
    "cas": "CAS_No.",
    "types": "產品類型／使用範圍",
    "max": "限量標準",
    "rules": "限制規定",
    "warnings": "應刊載之注意事項",
}

LISTS: dict[str, TfdaList] = {
    "prohibited": TfdaList(
        "prohibited",
        203,
        173684,
        "化粧品禁止使用成分表",
        "TFDA list of substances prohibited in cosmetics",
        "化粧品禁止使用成分",
        {"no": "編號", "name": "成分名稱", "cas": "CAS_Number", "note": "備註"},
        "Revised by 衛授食字第1131601051號 of 2024-03-21, in force 2025-01-01 (the entry "
        "'Cells, tissues or products of human origin' in force at once), as stated at "
        "https://cosmeticregulation.org.tw/files_info.php?ms=ZXFfSUQ9NDI%3D; the open data "
        "carries no announcement number or date, so whether this export follows a later "
        "amendment is not known.",
        ("禁止", "prohibited"),
    ),
    "restricted": TfdaList(
        "restricted",
        199,
        173685,
        "化粧品成分使用限制表",
        "TFDA list of restricted cosmetic ingredients",
        "化粧品成分使用限制",
        {**_TABLE_COLUMNS, "cas": "CAS_NO."},
        _NOT_FOUND,
        ("成分使用限制", "restricted"),
    ),
    "colorant": TfdaList(
        "colorant",
        200,
        173686,
        "化粧品色素成分使用限制表",
        "TFDA list of colorants in cosmetics",
        "化粧品色素成分使用限制",
        {
            "no": "編號",
            "name": "Color_Index_Number／成分名",
            "aliases": "別名",
            "code": "使用範圍",
            "rules": "限制規定",
            "note": "備註",
        },
        "Revised by 衛授食字第1091605373號 of 2020-09-29, in force 2021-07-01, as stated at "
        "https://www.fda.gov.tw/TC/newsContent.aspx?cid=3&id=26433; the open data carries "
        "no announcement number or date.",
        ("色素", "colorant", "colour"),
    ),
    "preservative": TfdaList(
        "preservative",
        201,
        173682,
        "化粧品防腐劑成分名稱及使用限制表",
        "TFDA list of preservatives in cosmetics",
        "化粧品防腐劑成分名稱及使用限制",
        _TABLE_COLUMNS,
        _NOT_FOUND,
        ("防腐", "preservative"),
    ),
    "uv_filter": TfdaList(
        "uv_filter",
        202,
        173683,
        "化粧品防曬劑成分使用限制表",
        "TFDA list of UV filters in cosmetics",
        "化粧品防曬劑成分使用限制",
        _TABLE_COLUMNS,
        _NOT_FOUND,
        ("防曬", "uv_filter", "sunscreen", "uv"),
    ),
}
BY_INFO_ID = {lst.info_id: lst for lst in LISTS.values()}

# The 使用範圍 codes of the colorant list, as the data set's own page describes them
# (data.gov.tw dataset 173686, 備註 「色素分類說明」): (scope, excluded, TFDA's words).
COLORANT_CODES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "1": ((), (), "第1類：所有化粧品均可使用 (Colorants allowed in all cosmetic products)"),
    "2": (
        (),
        ("eye_area",),
        "第2類：限用於非接觸眼部周圍之化粧品 (Colorants allowed in all cosmetic products "
        "except those intended to be applied in the vicinity of the eyes)",
    ),
    "3": (
        (),
        ("mucous",),
        "第3類：限用於非接觸黏膜之化粧品 (Colorants allowed exclusively in cosmetic products "
        "intended not to come into contact with the mucous membranes)",
    ),
    "4": (
        ("rinse_off",),
        (),
        "第4類：限用於用後立即洗去之化粧品 (Colorants allowed exclusively in cosmetic "
        "products intended to come into contact only briefly with the skin)",
    ),
}
COLORANT_CODE_SOURCE = (
    "The meaning of the 使用範圍 codes is the data set's own: data.gov.tw dataset 173686 "
    "(https://data.gov.tw/dataset/173686), 備註 「色素分類說明」 第1類 to 第4類, read in a "
    "stored copy of that page with the project's search tool on 2026-12-01. The same page "
    "notes that lakes and salts of the listed colorants with non-prohibited substances "
    "may also be used (附註 1)."
)


def column_key(name: str) -> str:
    """Column names compared as TFDA varies them ("CAS_NO." / "CAS_No.", "／" / "/")."""
    return unicodedata.normalize("NFKC", name).strip().lower()


def list_from_columns(columns: set[str]) -> TfdaList | None:
    """The list a record's columns name, where they name one: the prohibited and the
    colorant lists have columns of their own; the other three share theirs."""
    keys = {column_key(c) for c in columns}
    for list_type in ("prohibited", "colorant"):
        lst = LISTS[list_type]
        if {column_key(c) for c in lst.columns.values()} <= keys:
            return lst
    return None


def list_from_file_name(file_name: str | None) -> TfdaList | None:
    """A TFDA download's file name ("化粧品防腐劑成分名稱及使用限制資料集.csv")."""
    low = (file_name or "").lower()
    for list_type in ("prohibited", "colorant", "preservative", "uv_filter", "restricted"):
        if any(word in low for word in LISTS[list_type].file_words):
            return LISTS[list_type]
    return None
