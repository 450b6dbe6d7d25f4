"""Ingredient names: display clean-up, the matching key and the parts of a compound name."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Names a label may use for one ingredient; the dictionary decides which one is canonical.
BUILTIN_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("Water", "Aqua", "Eau", "Aqua/Water", "Water/Aqua", "Aqua/Water/Eau", "Water/Aqua/Eau",
     "Purified Water", "Deionized Water", "Demineralized Water", "Distilled Water",
     "水", "純水", "純化水", "去離子水", "精製水", "蒸餾水"),
    ("Fragrance", "Parfum", "Perfume", "Fragrance/Parfum", "Parfum/Fragrance", "香料", "香精"),
    ("Glycerin", "Glycerine", "Glycerol", "甘油"),
    ("Alcohol", "Ethanol", "Alcohol Denat.", "乙醇", "酒精"),
    ("Tocopherol", "Vitamin E", "維生素E"),
    ("Niacinamide", "Nicotinamide", "Vitamin B3", "菸鹼醯胺", "煙醯胺"),
    ("Panthenol", "D-Panthenol", "Dexpanthenol", "Provitamin B5", "泛醇"),
    ("Mineral Oil", "Paraffinum Liquidum", "Liquid Paraffin", "礦物油"),
    ("Beeswax", "Cera Alba", "蜂蠟"),
)  # fmt: skip


def normalize_name(name: str) -> str:
    """Display-level clean-up: width, spacing, dashes, stray marks and trailing notes."""
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"[*†‡#]+", "", text)
    text = re.sub(r"\s*([/,()\-])\s*", r"\1", text)
    text = re.sub(r"\(\s*and\s*\)", " (and) ", text, flags=re.IGNORECASE)
    text = " ".join(text.split()).strip(" .;:。")
    return text


_NOT_ALNUM = re.compile(r"[\W_]+")


# Cached: every dictionary build (the validator's, the rule engine's snapshot) keys the
# same ~80,000 names of the full CosIng dictionary again.
@lru_cache(maxsize=1 << 17)
def name_key(name: str) -> str:
    """Matching key: lower case, letters, digits and CJK only ("PEG-40" == "peg 40")."""
    # \W is everything str.isalnum() rejects, plus "_": what is left is alphanumeric.
    return _NOT_ALNUM.sub("", normalize_name(name).lower())


_CJK = re.compile(r"[\u3400-\u9fff]")


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def name_variants(name: str) -> list[str]:
    """The name, then its parts: "Aqua (Water)", "Glycerin 甘油", "水 Water"."""
    text = normalize_name(name)
    variants = [text]
    inner = re.findall(r"\(([^()]+)\)", text)
    outer = re.sub(r"\([^()]*\)", " ", text).strip()
    variants += [outer, *inner]
    if has_cjk(text):
        latin = re.sub(r"[\u3400-\u9fff\uff00-\uffef（）]+", " ", text).strip(" ()/-")
        cjk = "".join(re.findall(r"[\u3400-\u9fff0-9,\-]+", text)).strip(",-")
        variants += [latin, cjk]
    if "/" in text:
        variants += text.split("/")
    return [v for v in dict.fromkeys(v.strip() for v in variants) if name_key(v)]
