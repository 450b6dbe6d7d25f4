"""The vocabulary of TFDA's Chinese limit text: normalisation, lettered parts, product
types and values. ``limits_zh`` reads whole columns with these.

Product types are mapped to the engine's scope tags. Where TFDA names a narrower kind of
product than any tag (hair dyes, perms, mouthwash, soap, deodorants...), the nearest tag is
used and the mapping is marked approximate, so that the caller keeps the words as
``conditions`` text beside the structured rule.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pifai.ai.regulatory import expand_scope
from pifai.domain import PRODUCT_TYPES


def normalise(text: str | None) -> str:
    """Full-width characters folded (NFKC: "（" "％" "：" "；"), ≦/≧ as ≤/≥, every run of
    whitespace (tabs, CRLF, ideographic spaces) one space."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text)
    folded = folded.replace("≦", "≤").replace("≧", "≥").replace("<=", "≤").replace(">=", "≥")
    return re.sub(r"\s+", " ", folded).strip()


# --- lettered parts -------------------------------------------------------------------

_LETTER = r"\(([a-h])(\d?)\)"
_LETTERS_RE = re.compile(rf"{_LETTER}(?:\s*&\s*{_LETTER})*")


@dataclass(frozen=True, slots=True)
class Part:
    """One lettered part of a column: ``letters`` ("a", "a1"...; empty for text before the
    first letter), and its text."""

    letters: tuple[str, ...]
    text: str

    def base_letters(self) -> set[str]:
        """ "a1" and "a2" are values of the product type "(a)"."""
        return {label[0] for label in self.letters}


def split_letters(text: str) -> list[Part]:
    """ "(a) x (b)&(c) y" -> [Part(("a",), "x"), Part(("b", "c"), "y")]; text before the
    first letter is a part without letters. Text without letters is one such part."""
    parts: list[Part] = []
    matches = list(_LETTERS_RE.finditer(text))
    head = text[: matches[0].start()] if matches else text
    if head.strip():
        parts.append(Part((), head.strip(" ;,。")))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        groups = [g for g in match.groups() if g is not None]
        labels = tuple(groups[i] + groups[i + 1] for i in range(0, len(groups), 2))
        parts.append(Part(labels, text[match.end() : end].strip(" ;,。:")))
    return parts


def has_letters(text: str) -> bool:
    return _LETTERS_RE.search(text) is not None


# --- product types --------------------------------------------------------------------

# (pattern, tags, exact). First match wins for a piece of text; order matters
# ("非立即沖洗" before "立即沖洗", "洗髮" and "染髮" before "髮").
_TERMS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    (r"其他(?:產品|用途)", (), True),
    (r"非立即沖洗之髮|用後不需沖洗之髮", ("leave_on_hair",), True),
    (r"立即沖洗之髮", ("rinse_off_hair",), True),
    (r"非立即沖洗之臉", ("leave_on_face",), True),
    (r"非立即沖洗|用後不需沖洗|不需沖洗", ("leave_on",), True),
    (r"立即沖洗|用後沖洗|立即洗去", ("rinse_off",), True),
    (r"洗髮", ("rinse_off_hair",), False),
    (r"髮用乳", ("leave_on_hair",), False),
    (r"染髮|燙髮|冷燙|熱燙|脫色|脫染", ("hair",), False),
    (r"髮用|髮類|頭髮", ("hair",), True),
    (r"口腔製劑|口腔", ("oral",), True),
    (r"漱口水|牙膏|牙齒", ("oral",), False),
    (r"眼部|眼睛|眼", ("eye_area",), True),
    (r"唇", ("lip",), True),
    (r"指甲角質", ("nail",), False),
    (r"指甲|趾甲", ("nail",), True),
    (r"黏膜", ("mucous",), True),
    (r"身體乳液|身體乳霜", ("leave_on_body",), False),
    (r"止汗|制臭", ("leave_on_body",), False),
    (r"香皂|沐浴|洗手", ("rinse_off_skin",), False),
    (r"粉餅|粉底|臉部|面部", ("leave_on_face",), False),
)
_TERMS_RE = tuple((re.compile(p), tags, exact) for p, tags, exact in _TERMS)
# Separators between product types in one phrase ("牙膏、洗手液、香皂/沐浴乳"); "及" and "和"
# are not among them: they also join words inside one product type ("氫氧化鈣和胍鹽之燙髮劑").
_PIECES_RE = re.compile(r"、|/|或")
_EXCEPT_RE = re.compile(r"\(([^()]*?)除外\)")
_ONLY_RE = re.compile(r"\(限([^()]*)\)")
# Kinds of product no tag can name: the words stay as conditions text.
_UNMAPPABLE_RE = re.compile(r"噴霧|尿布|吸入|專業|歲|pH")


@dataclass(slots=True)
class Tags:
    """Product types named by a phrase: ``tags``; ``other`` when the phrase is "其他產品";
    ``unmapped``: words no tag names; ``approx``: words only a wider tag names;
    ``except_tags``/``except_unmapped``: "(口腔製劑除外)" / "(噴霧劑型除外)" in the phrase."""

    tags: list[str] = field(default_factory=list)
    other: bool = False
    unmapped: list[str] = field(default_factory=list)
    approx: list[str] = field(default_factory=list)
    except_tags: list[str] = field(default_factory=list)
    except_unmapped: list[str] = field(default_factory=list)

    @property
    def mapped(self) -> bool:
        return not self.unmapped and (bool(self.tags) or self.other)


def product_tags_zh(phrase: str) -> Tags:
    """The engine's scope tags for a Chinese product-type phrase."""
    out = Tags()
    text = phrase
    for match in _EXCEPT_RE.finditer(phrase):
        inner = product_tags_zh(match.group(1))
        out.except_tags += inner.tags
        out.except_unmapped += inner.unmapped
        out.approx += inner.approx
        text = text.replace(match.group(0), " ")
    for match in _ONLY_RE.finditer(text):
        out.unmapped.append("限" + match.group(1))
        text = text.replace(match.group(0), " ")
    if re.match(r"\s*其他(?:產品|用途)", text):
        out.other = True
        return out
    for piece in (p.strip() for p in _PIECES_RE.split(text)):
        if piece:
            _scan_piece(piece, out)
    return out


def _scan_piece(piece: str, out: Tags) -> None:
    """Every product type a piece names, most specific words first."""
    work, found = piece, False
    for pattern, tags, exact in _TERMS_RE:
        for match in pattern.finditer(work):
            found = True
            out.tags += [t for t in tags if t not in out.tags]
            out.other = out.other or not tags
            if not exact:
                out.approx.append(match.group(0))
            work = work[: match.start()] + " " * len(match.group(0)) + work[match.end() :]
    if marker := _UNMAPPABLE_RE.search(piece):
        out.unmapped.append(piece if not found else marker.group(0))
    elif not found:
        out.unmapped.append(piece)


def types_minus(tags: list[str], removed: list[str]) -> list[str]:
    """Product types of ``tags`` without those of ``removed``, as tags where nothing was
    removed (keeps "rinse_off" readable), else as product types."""
    kept = expand_scope(tags) - expand_scope(removed)
    if kept == expand_scope(tags):
        return list(tags)
    return [pt for pt in PRODUCT_TYPES if pt in kept]


# --- values ---------------------------------------------------------------------------

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
VALUE_RE = re.compile(
    rf"(?P<cmp>[≤<≥>])?\s*(?:(?P<low>{NUM})\s*(?:~|至)\s*)?(?P<num>{NUM})\s*"
    r"(?P<unit>%|ppm|mg/kg|microgram/kg|µg/kg)(?P<bound>\s*以[下上])?",
    re.IGNORECASE,
)
_QUAL_RE = re.compile(r"\s*\(((?:[^()]|\([^()]*\))*)\)")


def number(text: str) -> float:
    """ "1,000" is a thousand: TFDA writes decimals with a point."""
    return float(text.replace(",", ""))


def to_pct(value: float, unit: str) -> float:
    unit = unit.lower()
    if unit in ("ppm", "mg/kg"):
        return value * 1e-4
    if unit in ("microgram/kg", "µg/kg"):
        return value * 1e-7
    return value


def to_ppm(value: float, unit: str) -> float:
    return round(to_pct(value, unit) * 1e4, 10)


def qualifiers(text: str, start: int) -> tuple[list[str], int]:
    """The parenthesised groups right after a value ("(以acid計)(總量)"), and where they end."""
    found: list[str] = []
    pos = start
    while match := _QUAL_RE.match(text, pos):
        found.append(match.group(1).strip())
        pos = match.end()
    return found, pos


_EXPRESSED_RE = re.compile(r"^以\s*(.+?)\s*(?:之重量)?計(?:算)?$|^含釋出之\s*(.+)$")


def expressed_as(qualifier: str) -> str | None:
    """ "以acid計" -> "acid"; "以無水物計算" -> "無水物"; "含釋出之H2O2" -> "H2O2"."""
    match = _EXPRESSED_RE.match(qualifier)
    if match is None:
        return None
    return (match.group(1) or match.group(2)).strip()
