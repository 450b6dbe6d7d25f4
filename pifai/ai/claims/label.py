"""What a label says, read from its text: the fields Art 7 of the Act asks for, the
claims, and the lines that fit no field (kept, never dropped: they are claims or notes
a person should see).

A field starts at its heading (品名：, 全成分：, 批號： ...; one heading may name several
fields, 製造日期/批號：標示於瓶底) and runs on over the following lines until a blank
line or the next heading, so a value broken across lines is read whole."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from pifai.ai.ingredient_validator.names import has_cjk

# Heading words per field, longest first within a field (matching tries each in order).
HEADINGS: dict[str, tuple[str, ...]] = {
    "product_name": ("產品名稱", "商品名稱", "品名"),
    "use": ("用途",),
    "usage": ("使用方法", "使用方式", "用法"),
    "storage": ("保存方法", "保存方式", "儲存方法", "貯存方法", "保存條件", "保存"),
    "net_content": ("淨含量", "內容量", "淨重", "容量", "重量", "數量"),
    "ingredient_list": ("全成分", "成分", "ingredients"),
    "warnings": ("使用注意事項", "注意事項", "警語", "警告"),
    "manufacturer": ("製造廠商", "製造業者", "製造商", "製造廠", "製造者"),
    "importer": ("輸入業者", "輸入商", "進口商", "代理商", "輸入者"),
    "address": ("地址", "住址"),
    "phone": ("客服專線", "客服電話", "服務專線", "電話", "tel"),
    "origin": ("原產地", "原產國", "生產國", "產地", "made in"),
    "manufacture_date": ("製造日期", "生產日期", "mfd", "mfg"),
    "expiry_date": ("有效日期", "有效期限", "保存期限", "到期日", "exp"),
    "shelf_life": ("有效期間", "保存期間", "使用期限"),
    "batch": ("批號", "批次", "lot"),
    "claims": ("產品特色", "產品功效", "功效", "特色", "特點", "宣稱"),
}
LIST_FIELDS = ("ingredient_list", "warnings", "claims")
_HEADING = re.compile(r"^\s*(?P<head>[^：:]{1,24}?)\s*[：:]\s*(?P<value>.*)$")
_HEAD_SPLIT = re.compile(r"[/／、及與&]")
_DURATION = re.compile(r"\d+\s*(年|個月|月|年份)|[一二三四五]\s*年")
_INGREDIENT_SPLIT = re.compile(r"[、，;；]|,(?!\d)")
_LIST_SPLIT = re.compile(r"[；;]|(?<=[。！!])")


def _field_of(word: str) -> str | None:
    key = word.strip().lower()
    for name, words in HEADINGS.items():
        if key in words:
            return name
    return None


def _fields_of(head: str) -> list[str]:
    fields = [_field_of(w) for w in _HEAD_SPLIT.split(head) if w.strip()]
    if fields and all(fields):
        return [f for f in fields if f]
    return []


@dataclass
class LabelMark:
    """A mark on the label (a certification logo, a symbol): ``image_only`` when it has
    no text of its own, so only a person or the image reader can say what it is."""

    name: str
    image_only: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "image_only": self.image_only}


@dataclass
class LabelReading:
    label_text: str = ""
    product_name: str | None = None
    use: str | None = None
    usage: str | None = None
    storage: str | None = None
    net_content: str | None = None
    ingredient_list: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    manufacturer: str | None = None
    importer: str | None = None
    address: str | None = None
    phone: str | None = None
    origin: str | None = None
    manufacture_date: str | None = None
    expiry_date: str | None = None
    shelf_life: str | None = None
    batch: str | None = None
    marks: list[LabelMark] = field(default_factory=list)
    other_text: list[str] = field(default_factory=list)  # lines under no heading

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["marks"] = [m.to_dict() for m in self.marks]
        return out

    @property
    def chinese(self) -> bool:
        return has_cjk(self.label_text)


def _join(a: str, b: str) -> str:
    """A value continued on the next line: no space between Chinese characters."""
    if not a:
        return b
    if has_cjk(a[-1]) or has_cjk(b[:1]):
        return a + b
    return f"{a} {b}"


def split_ingredients(text: str) -> list[str]:
    """A label's ingredient list in its order: split at 、，; and at a comma not
    followed by a digit (1,2-Hexanediol is one name), never inside brackets."""
    depth, parts, current = 0, [], ""
    for i, ch in enumerate(text):
        depth += ch in "(（"
        depth -= ch in ")）"
        if depth == 0 and _INGREDIENT_SPLIT.match(text, i):
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip().strip("。.") for p in parts if p.strip().strip("。.")]


def read_label(text: str, *, marks: list[LabelMark] | None = None) -> LabelReading:
    reading = LabelReading(label_text=text, marks=list(marks or []))
    raw: dict[str, str] = {}
    current: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            current = []
            continue
        m = _HEADING.match(line)
        fields = _fields_of(m.group("head")) if m else []
        if m and fields:
            current = fields
            for name in fields:
                raw[name] = _join(raw.get(name, ""), m.group("value").strip())
        elif current:
            for name in current:
                raw[name] = _join(raw.get(name, ""), line.strip())
        else:
            reading.other_text.append(line.strip())
    for name, value in raw.items():
        if name == "ingredient_list":
            reading.ingredient_list = split_ingredients(value)
        elif name in LIST_FIELDS:
            setattr(reading, name, [p.strip() for p in _LIST_SPLIT.split(value) if p.strip()])
        elif name == "expiry_date" and _DURATION.search(value) and not re.search(r"\d{4}", value):
            reading.shelf_life = value  # 保存期限：三年 is a period, not a date
        else:
            setattr(reading, name, value or None)
    return reading
