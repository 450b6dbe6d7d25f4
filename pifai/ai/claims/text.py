"""Chinese label text as written, made comparable with the determination rule's phrases.

Only what matching needs is folded: CJK compatibility ideographs (U+F900-FAFF, which
some fonts and PDF text layers produce for ordinary characters) to their unified forms
through each code point's canonical decomposition, the placeholder circles (○ 〇 ◯) to
one, full-width slash and brackets to their ASCII forms, and white space dropped so a
phrase broken across lines still reads as one. NFKC is not used: it would also rewrite
the label's punctuation and widths, which the reading keeps as written."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

PLACEHOLDER = "○"
_PLACEHOLDERS = frozenset("○〇◯◦")
_PUNCT = {"／": "/", "（": "(", "）": ")", "＊": "*"}


@lru_cache(maxsize=512)
def _compat(ch: str) -> str:
    """The unified ideograph a compatibility ideograph stands for (itself otherwise)."""
    decomposition = unicodedata.decomposition(ch)
    if not decomposition or decomposition.startswith("<"):
        return ch
    return "".join(chr(int(code, 16)) for code in decomposition.split())


def fold_char(ch: str) -> str:
    if "\uf900" <= ch <= "\ufaff":
        return _compat(ch)
    if ch in _PLACEHOLDERS:
        return PLACEHOLDER
    return _PUNCT.get(ch, ch)


def fold(text: str) -> str:
    """The comparable form of ``text`` (see the module's note)."""
    return "".join(fold_char(ch) for ch in text if not ch.isspace())


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded text with, per folded character, its offset in the original, so a match
    can be shown as the label wrote it (line breaks included)."""

    original: str
    text: str
    offsets: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> Folded:
        chars: list[str] = []
        offsets: list[int] = []
        for i, ch in enumerate(original):
            if ch.isspace():
                continue
            folded = fold_char(ch)
            chars.append(folded)
            offsets.extend([i] * len(folded))
        return cls(original, "".join(chars), tuple(offsets))

    def span(self, start: int, end: int) -> str:
        """The original text of the folded span [start, end)."""
        if start >= end or not self.offsets:
            return ""
        return self.original[self.offsets[start] : self.offsets[end - 1] + 1]
