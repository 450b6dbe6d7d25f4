"""The phrase corpus built from the stored text of the determination rule's four
appendices (``pifai/data/claims/sources/annex{1-4}.md``, see ``corpus_meta.json`` for
where each text was read). ``python -m pifai.ai.claims.corpus_source`` rewrites
``pifai/data/claims/corpus.json``; a test checks the shipped file equals a fresh build.

Each numbered item of an appendix becomes one or more phrases (an item joins phrases
with 、); star marks (*1 ... *5) become note references; a bracket opening with 如 / 非 /
皆 / 於 / 因 is a note or condition on the phrase, not part of it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "claims"
SOURCES = {n: DATA_DIR / "sources" / f"annex{n}.md" for n in (1, 2, 3, 4)}

_ITEM = re.compile(r"^(\d+)\.\s*(.+)$")
_STAR = re.compile(r"\*(\d)")
_CATEGORY = re.compile(r"^(十[一二三四五]|[一二三四五六七八九十])、(.*)$")
_SCOPE = re.compile(r"^\([一二三四五六七八九十]+\)")
_NOTE_LINE = re.compile(r"^註([一二三四五六])：(.+)$")
_BRACKET = re.compile(r"[(（]([^()（）]*)[)）]")
_NOTE_OPENERS = ("如", "非", "皆", "於", "因")
_SIMILAR = "其他類似之詞句"
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM |= {"十": 10, "十一": 11, "十二": 12, "十三": 13, "十四": 14, "十五": 15}
_NOTE_NUMBER = {"一": "*1", "二": "*2", "三": "*3", "四": "*4", "五": "*5", "六": "note6"}


@dataclass
class Phrase:
    id: str
    appendix: int
    item: int
    text: str  # the phrase as written, star marks and notes taken out
    raw: str  # the whole item as written
    category: dict[str, Any] | None = None
    note_refs: list[str] = field(default_factory=list)
    qualifiers: list[str] = field(default_factory=list)  # "(非指增加髮量)", "(如玫瑰)"
    conditions: list[str] = field(default_factory=list)
    ingredients: list[dict[str, Any]] = field(default_factory=list)


def _split_item(text: str) -> list[str]:
    """The phrases of an item joined by 、: kept whole when a part would be one character
    ("因冷、熱、碰觸"), and a part without a slash between two with one stays joined to the
    next (the 、 is inside a run of alternatives: "恢復、展現牙齒自然光澤")."""
    depth, parts, current = 0, [], ""
    for ch in text:
        depth += ch in "(（「"
        depth -= ch in ")）」"
        if ch == "、" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    parts = [p.strip() for p in parts]
    if any(len(_BRACKET.sub("", p)) < 2 for p in parts):
        return [text.strip()]
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        between = 0 < i < len(parts) - 1 and "/" in parts[i - 1] and "/" in parts[i + 1]
        if between and "/" not in part and "/" not in part.replace("／", "/"):
            parts[i + 1] = f"{part}、{parts[i + 1]}"
        else:
            merged.append(part)
        i += 1
    return merged


def _notes_out(text: str) -> tuple[str, list[str], list[str]]:
    """The phrase without its note brackets, the qualifiers and the conditions."""
    qualifiers: list[str] = []
    conditions: list[str] = []

    def take(m: re.Match[str]) -> str:
        inner = m.group(1)
        if inner.startswith(_NOTE_OPENERS) or len(inner) > 6:
            (conditions if inner.startswith("於") else qualifiers).append(inner)
            return ""
        return m.group(0)

    return _BRACKET.sub(take, text).strip(), qualifiers, conditions


def _phrases_of_item(
    appendix: int, group: int, number: int, raw: str, category: dict[str, Any] | None
) -> list[Phrase]:
    refs = [f"*{d}" for d in dict.fromkeys(_STAR.findall(raw))]
    out = []
    for k, part in enumerate(_split_item(raw), start=1):
        part_refs = [f"*{d}" for d in dict.fromkeys(_STAR.findall(part))] or (
            refs if appendix != 2 else []
        )
        text, qualifiers, conditions = _notes_out(_STAR.sub("", part))
        out.append(
            Phrase(
                id=f"A{appendix}-{group:02d}-{number:02d}-{k}",
                appendix=appendix,
                item=number,
                text=text,
                raw=raw,
                category=category,
                note_refs=part_refs,
                qualifiers=qualifiers,
                conditions=conditions,
            )
        )
    return out


def parse_numbered(appendix: int, source: str) -> tuple[list[Phrase], dict[str, str]]:
    """Appendix 1 or 4: one numbered item per line, and a closing note."""
    phrases: list[Phrase] = []
    notes: dict[str, str] = {}
    for line in source.splitlines():
        line = line.strip()
        if m := _ITEM.match(line):
            phrases += _phrases_of_item(appendix, 0, int(m.group(1)), m.group(2), None)
        elif line.startswith("註："):
            notes["*1"] = line.removeprefix("註：")
    return phrases, notes


def _pieces(line: str) -> list[tuple[int, str]]:
    """A line's pieces with their column (0 kind, 1 scope, 2 phrases): table cells and
    tab-separated columns split, <br> inside a cell too."""
    line = re.sub(r"<!--.*?-->", "", line).strip()
    if not line or re.fullmatch(r"[-|: ]+|\d+", line):
        return []
    if "|" in line:
        cells = line.strip("|").split("|")
        return [
            (col, piece.strip())
            for col, cell in enumerate(cells)
            for piece in cell.split("<br>")
            if piece.strip()
        ]
    if "\t" in line:
        return [(col, cell.strip()) for col, cell in enumerate(line.split("\t")) if cell.strip()]
    return [(-1, line)]  # a plain line: its kind tells its column


def parse_annex2(source: str) -> tuple[list[Phrase], dict[str, str]]:
    phrases: list[Phrase] = []
    notes: dict[str, str] = {}
    category: dict[str, Any] | None = None
    last: tuple[int, str] | None = None  # the open item (number, text)

    def close() -> None:
        nonlocal last
        if last is not None and category is not None and _SIMILAR not in last[1]:
            phrases.extend(_phrases_of_item(2, category["number"], last[0], last[1], category))
        last = None

    for line in source.splitlines():
        for col, piece in _pieces(line):
            if m := _NOTE_LINE.match(piece):
                close()
                notes[_NOTE_NUMBER[m.group(1)]] = m.group(2)
            elif m := _CATEGORY.match(piece):
                close()
                category = {"number": _CN_NUM[m.group(1)], "name_zh": m.group(2), "scope": []}
                category["conditions"] = []
            elif category is None:
                continue
            elif _SCOPE.match(piece) or col == 1:
                category["scope"].append(piece)
            elif col == 0:  # a kind's name carried over to the next page
                category["name_zh"] += piece
            elif piece.startswith("於註明"):
                category["conditions"].append(piece)
            elif m := _ITEM.match(piece):
                close()
                last = (int(m.group(1)), m.group(2))
            elif last is not None:  # an item carried over to the next page
                last = (last[0], last[1] + piece)
    close()
    for phrase in phrases:
        if phrase.category and phrase.category["conditions"]:
            phrase.conditions = [*phrase.category["conditions"], *phrase.conditions]
    return phrases, notes


_INGREDIENT = re.compile(
    r"^(?P<n>[一二三四五六七八九])、(?P<zh>[^（(]+?)(?:[（(](?P<paren>[^）)]+)[）)])?"
    r"\s*(?:(?P<pct>[\d.]+)%以下)?$"
)


def _ingredient(cell: str) -> dict[str, Any]:
    m = _INGREDIENT.match(cell.strip())
    if m is None:
        return {"row": cell, "name_zh": cell, "inci": None, "max_pct": None, "limit": None}
    paren = m.group("paren")
    inci = paren if paren and re.fullmatch(r"[A-Za-z ]+", paren) else None
    return {
        "row": _CN_NUM[m.group("n")],
        "name_zh": m.group("zh").strip(),
        "inci": inci,
        "max_pct": float(m.group("pct")) if m.group("pct") else None,
        "limit": paren if paren and inci is None else None,
    }


def parse_annex3(source: str) -> tuple[list[Phrase], dict[str, str]]:
    """Appendix 3's table: a row with an empty phrase cell shares the phrases of the row
    above (a merged cell in the PDF), a phrase cell starting past item 1 continues them."""
    groups: list[dict[str, Any]] = []
    notes: dict[str, str] = {}
    for line in source.splitlines():
        if line.startswith("註："):
            notes["note"] = line.removeprefix("註：")
            continue
        if not line.startswith("|") or re.fullmatch(r"[-|: ]+", line.strip()):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[1] or cells[1] == "成分":
            continue
        pieces = [p.strip() for p in cells[2].split("<br>") if p.strip()]
        items = [(int(m.group(1)), m.group(2)) for p in pieces if (m := _ITEM.match(p))]
        conditions = [p for p in pieces if p.startswith("於註明")]
        if (items and items[0][0] == 1) or not groups:
            groups.append({"ingredients": [], "items": [], "conditions": conditions})
        group = groups[-1]
        group["ingredients"].append(_ingredient(cells[1]))
        group["items"] += items
    phrases: list[Phrase] = []
    category = {"number": 0, "name_zh": "非藥用牙膏、漱口水類", "scope": [], "conditions": []}
    for number, group in enumerate(groups, start=1):
        for item, text in group["items"]:
            if _SIMILAR in text:
                continue
            for phrase in _phrases_of_item(3, number, item, text, category):
                phrase.conditions = [*group["conditions"], *phrase.conditions]
                phrase.ingredients = group["ingredients"]
                phrases.append(phrase)
    return phrases, notes


def _row(phrase: Phrase) -> dict[str, Any]:
    row = asdict(phrase)
    if phrase.category:  # the kind's scope and conditions are listed once, per appendix
        row["category"] = {k: phrase.category[k] for k in ("number", "name_zh")}
    return row


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build() -> dict[str, Any]:
    meta = json.loads((DATA_DIR / "corpus_meta.json").read_text(encoding="utf-8"))
    texts = {n: path.read_text(encoding="utf-8") for n, path in SOURCES.items()}
    parsed = {
        1: parse_numbered(1, texts[1]),
        2: parse_annex2(texts[2]),
        3: parse_annex3(texts[3]),
        4: parse_numbered(4, texts[4]),
    }
    appendices = []
    for n, (phrases, notes) in parsed.items():
        info = dict(meta["appendices"][str(n)])
        info |= {"number": n, "sha256": sha256_text(texts[n]), "phrases": len(phrases)}
        info["notes"] = notes
        kinds = {id(p.category): p.category for p in phrases if p.category}
        if kinds:
            info["kinds"] = list(kinds.values())
        appendices.append(info)
    combined = "".join(sha256_text(texts[n]) for n in sorted(texts))
    version = dict(meta["version"]) | {"sha256": sha256_text(combined)}
    return {
        "about": meta["about"],
        "version": version,
        "article_terms": meta["article_terms"],
        "appendices": appendices,
        "phrases": [_row(p) for n in sorted(parsed) for p in parsed[n][0]],
    }


def render() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":  # pragma: no cover - the maintainer's rebuild
    (DATA_DIR / "corpus.json").write_text(render(), encoding="utf-8")
