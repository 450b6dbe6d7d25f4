"""Names and CAS numbers of TFDA's open-data records: footnote markers ("(1)", "註",
"[2]") taken off names, several names in one cell split ("/", ";", line breaks, "(1) …
(2) …"), Chinese names in brackets ("Impatientis Semen（急性子）") given as names of their
own, and CAS numbers split and check-digit validated (a bad one is reported, not kept)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pifai.ai.ingredient_validator import find_cas_numbers, is_valid_cas

_CJK = re.compile(r"[\u3400-\u9fff]")
_FOOTNOTE_END = re.compile(r"\s*(?:\((\d)\)|(註))\s*$")
_BRACKET_MARK = re.compile(r"\s*\[(\d{1,2})\]")
_TAGS = re.compile(r"\s*[\[(](?:INN|INCI|ISO)[\])]", re.IGNORECASE)
_NUMBERED_ITEM = re.compile(r"\(\d{1,2}\)\s*")
_NUMBERED_START = re.compile(r"^\(\d{1,2}\)")
_MIXTURE_OF = re.compile(r"\s+is a mixture of.*$")
_PLACEHOLDER = re.compile(r"^[-‐˗—–\s]*$")


@dataclass(slots=True)
class Names:
    """The names read from one record, the footnote markers met, what was set aside."""

    names: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)

    def add(self, name: str) -> None:
        name = name.strip(" ,;:/")
        if name and not _PLACEHOLDER.match(name) and name not in self.names:
            self.names.append(name)


def fold(text: str | None) -> str:
    """NFKC (full-width brackets and punctuation folded), whitespace runs as one space."""
    if not text:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def strip_footnote(part: str, names: Names) -> str:
    """ "Salicylic acid(3)" -> "Salicylic acid", footnote "(3)" recorded."""
    while match := _FOOTNOTE_END.search(part):
        marker = f"({match.group(1)})" if match.group(1) else "註"
        names.footnotes.append(f"{marker} on {part[: match.start()].strip()}")
        part = part[: match.start()]
    return part.strip()


def display_name(text: str | None) -> str:
    """The name column as one line: markers off, separators kept readable."""
    folded = _BRACKET_MARK.sub("", fold(text))
    parts = [strip_footnote(p, Names()) for p in re.split(r"\s*/\s*", folded)]
    return " / ".join(p for p in parts if p)


def split_names(text: str | None, names: Names) -> None:
    """Every name of a cell: split on "/", ";", " + ", "[1] … [2] …" and "(1) … (2) …"
    items; the part before a numbered list ("Disperse Blue 377 is a mixture of three
    dyes:") is a name too, without its description."""
    folded = fold(text)
    marked = _BRACKET_MARK.sub(" / ", folded)
    # "… acid [1] and its sodium [2] and ammonium [3] salts" is one name, not four.
    folded = _BRACKET_MARK.sub("", folded) if re.search(r"/\s*and\b", marked) else marked
    for part in _split_top(folded):
        for piece in _items(part):
            piece = fold(_TAGS.sub(" ", piece))
            _add_with_brackets(strip_footnote(piece, names), names)


def _split_top(text: str) -> list[str]:
    """Split on "/", ";" and " + " outside brackets ("X (AETT; Versalide)" is one part)."""
    parts: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if depth == 0 and (char in "/;" or text.startswith(" + ", index)):
            parts.append(text[start:index])
            start = index + (3 if char == " " else 1)
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _items(part: str) -> list[str]:
    """ "head: (1) x (2) y" -> [head, x, y]; "(2) y" -> [y]; anything else -> [part]."""
    colon = re.search(r":\s*(?=\(1\))", part)
    if colon:
        head, body = part[: colon.start()], part[colon.end() :]
    elif _NUMBERED_START.match(part):
        head, body = "", part
    else:
        return [_MIXTURE_OF.sub("", part)]
    items = [item for item in _NUMBERED_ITEM.split(body) if item.strip()]
    head = _MIXTURE_OF.sub("", head).strip()
    return [head, *items] if head else items


def _add_with_brackets(part: str, names: Names) -> None:
    """A part wholly in brackets is a synonym; a trailing bracket holding Chinese is the
    Chinese name ("Safrole (Shikimol) (黃樟素)" -> itself, "Safrole (Shikimol)", "黃樟素")."""
    part = part.strip()
    if part.startswith("(") and part.endswith(")") and _balanced(part[1:-1]):
        part = part[1:-1].lstrip("=").strip()
    names.add(part)
    base, inner = _trailing_bracket(part)
    if inner and (_CJK.search(inner) or ";" in inner):
        names.add(base)
        for piece in re.split(r"\s*;\s*", inner):
            names.add(piece)
            nested = re.match(r"^(.+?)\((.+)\)$", piece)
            if nested:
                names.add(nested.group(1))
                names.add(nested.group(2))


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _trailing_bracket(part: str) -> tuple[str, str]:
    """("Impatientis Semen", "急性子") for "Impatientis Semen (急性子)": the name before a
    trailing bracket and what it holds when that is Chinese only, or synonyms separated
    by ";" ("(AETT; Versalide)"); ("", "") otherwise."""
    if not part.endswith(")"):
        return "", ""
    depth = 0
    for index in range(len(part) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(part[index], 0)
        if depth == 0:
            inner = part[index + 1 : -1].strip()
            chinese = _CJK.search(inner) and not re.search(r"[A-Za-z]{3,}", inner)
            if (chinese or ";" in inner) and index > 0:
                return part[:index].strip(" ,"), inner
            return "", ""
    return "", ""


def chinese_only(text: str) -> bool:
    return bool(_CJK.search(text)) and not re.search(r"[A-Za-z]", text)


def read_cas(text: str | None) -> tuple[list[str], list[str]]:
    """(valid CAS numbers, rejected ones) of a CAS cell. A space after a hyphen
    ("7778- 73-6") is closed first: the cell wraps, the number does not."""
    if not text:
        return [], []
    joined = re.sub(r"(\d)-\s+(\d)", r"\1-\2", unicodedata.normalize("NFKC", text))
    valid: list[str] = []
    rejected: list[str] = []
    for cas in find_cas_numbers(joined):
        target = valid if is_valid_cas(cas) else rejected
        if cas not in target:
            target.append(cas)
    return valid, rejected
