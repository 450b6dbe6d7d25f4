"""The Art 7 label elements, each present / missing / unclear with the text found, and
the warnings the restricted-substance lists require for the formula's ingredients."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pifai.ai.claims.label import LabelReading
from pifai.ai.consistency.model import RequiredWarning
from pifai.ai.consistency.rules_formula import warning_statement
from pifai.ai.ingredient_validator.names import has_cjk, name_key

ELEMENTS_FILE = Path(__file__).resolve().parents[2] / "data" / "claims" / "label_elements.json"
Status = Literal["present", "missing", "unclear", "not_required"]

# A value that points elsewhere ("標示於瓶底") says where, not what: a person checks there.
_ELSEWHERE = re.compile(r"標示於|標於|印於|見|詳|參閱|如包裝|如瓶|另附")
_NET = re.compile(r"\d+(\.\d+)?\s*(ml|毫升|g|公克|克|l|公升|kg|公斤|oz|片|入|粒|支|個)", re.I)
_PHONE_DIGITS = 7
_IMPORTED = re.compile(r"輸入|進口|代理")


@dataclass(frozen=True, slots=True)
class ElementCheck:
    key: str
    article: str
    quote_zh: str
    title_en: str
    status: Status
    found: str | None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "article": self.article,
            "requirement": self.quote_zh,
            "title": self.title_en,
            "status": self.status,
            "found": self.found,
            "note": self.note,
        }


@lru_cache(maxsize=1)
def element_specs() -> tuple[dict[str, Any], ...]:
    data = json.loads(ELEMENTS_FILE.read_text(encoding="utf-8"))
    return tuple(data["elements"])


def _status(value: str | None) -> tuple[Status, str | None]:
    if not value or not value.strip():
        return "missing", None
    if _ELSEWHERE.search(value):
        return "unclear", value
    return "present", value


def _dates(reading: LabelReading) -> tuple[Status, str | None, str | None]:
    named = {
        "製造日期": reading.manufacture_date,
        "有效期間": reading.shelf_life,
        "保存期限": reading.expiry_date,
    }
    found = "；".join(f"{k}：{v}" for k, v in named.items() if v)
    states = [_status(v)[0] for v in named.values()]
    if states.count("present") >= 2:
        return "present", found, None
    if any(s != "missing" for s in states):
        return "unclear", found, "二者中只讀到一項，或標示於他處：請於容器上確認"
    return "missing", None, None


def _one(key: str, reading: LabelReading) -> tuple[Status, str | None, str | None]:
    company = reading.manufacturer or reading.importer
    if key == "dates":
        return _dates(reading)
    if key == "chinese":
        values = [reading.label_text, reading.product_name or "", reading.use or "",
                  reading.usage or "", *reading.warnings]  # fmt: skip
        if any(has_cjk(v) for v in values):
            return "present", None, None
        return "unclear", None, "未讀到中文：第7條第2項須以中文或國際通用符號標示"
    if key == "ingredients":
        listed = reading.ingredient_list
        return ("present", "、".join(listed), None) if listed else ("missing", None, None)
    if key == "warnings":
        text = "；".join(reading.warnings)
        return (*_status(text), None)
    if key == "company_name":
        return (*_status(company), None)
    if key == "net_content":
        status, found = _status(reading.net_content)
        if status == "present" and found and not _NET.search(found):
            return "unclear", found, "未讀到數字與單位"
        return status, found, None
    if key == "company_phone":
        status, found = _status(reading.phone)
        if status == "present" and found and sum(c.isdigit() for c in found) < _PHONE_DIGITS:
            return "unclear", found, "電話號碼位數不足"
        return status, found, None
    if key == "origin":
        status, found = _status(reading.origin)
        imported = bool(reading.importer) or bool(_IMPORTED.search(company or ""))
        if status == "missing" and reading.manufacturer and not imported:
            return (
                "not_required",
                None,
                "國內製造（標示製造業者，無輸入業者）：原產地僅輸入產品須標示",
            )
        return status, found, None
    value = getattr(reading, "address" if key == "company_address" else key)
    return (*_status(value), None)


def check_elements(reading: LabelReading) -> list[ElementCheck]:
    out = []
    for spec in element_specs():
        status, found, note = _one(spec["key"], reading)
        where = (
            f"第7條第1項第{spec['subparagraph']}款"
            if "subparagraph" in spec
            else f"第7條第{spec['paragraph']}項"
        )
        out.append(
            ElementCheck(
                key=spec["key"],
                article=f"化粧品衛生安全管理法{where}",
                quote_zh=spec["quote_zh"],
                title_en=spec["title_en"],
                status=status,
                found=found,
                note=note,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class WarningCheck:
    ingredient: str
    entry_ref: str
    required_text: str
    statement: str
    status: Status

    def to_dict(self) -> dict[str, Any]:
        return {
            "ingredient": self.ingredient,
            "entry": self.entry_ref,
            "required_text": self.required_text,
            "statement": self.statement,
            "status": self.status,
        }


def check_required_warnings(
    reading: LabelReading, required: Sequence[RequiredWarning]
) -> list[WarningCheck]:
    """Each TFDA-required warning for a formula ingredient, on the label or not (the
    list's conditions in brackets and its product scope before a colon are not words
    the label must carry)."""
    have = name_key(" ".join([reading.label_text, *reading.warnings]))
    out, seen = [], set()
    for item in required:
        statement = warning_statement(item.text)
        if (item.ingredient, statement) in seen:
            continue
        seen.add((item.ingredient, statement))
        want = name_key(statement)
        status: Status = "present" if not want or want in have else "missing"
        out.append(WarningCheck(item.ingredient, item.entry_ref, item.text, statement, status))
    return out
