"""The document as lines with their page, and what a found value carries with it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

# How sure a value is, by how it was found: next to its label, or guessed from the text.
LABELLED = 0.9
UNLABELLED = 0.6
WEAK = 0.5
# The quoted text in a field's source is kept short (FieldSource.source is 500 chars).
QUOTE_CHARS = 160


@dataclass(frozen=True, slots=True)
class Line:
    page: int  # 1-based
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """The text of one uploaded file, page by page, normalised for matching."""

    filename: str
    lines: tuple[Line, ...]

    @classmethod
    def from_pages(cls, pages: Sequence[str], filename: str = "document") -> Document:
        lines = []
        for number, page in enumerate(pages, start=1):
            for raw in normalise(page).splitlines():
                text = raw.strip()
                if text:
                    lines.append(Line(number, text))
        return cls(filename, tuple(lines))

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def source(self, line: Line, matched: str | None = None) -> str:
        quote = (matched or line.text).strip()
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1] + "…"
        return f"{self.filename[:200]}, page {line.page}: '{quote}'"


def normalise(text: str) -> str:
    """Full-width digits, letters and colons (common in Chinese reports) to ASCII forms."""
    text = unicodedata.normalize("NFKC", text)
    # NFKC keeps these: the ideographic space and a few dashes reports use between dates.
    return text.replace("\u3000", " ").replace("\u2013", "-").replace("\u2014", "-")


@dataclass(frozen=True, slots=True)
class Found:
    """A value read from the document: how sure, and where."""

    value: Any
    confidence: float
    source: str
    method: Literal["rule", "llm"] = "rule"


@dataclass(slots=True)
class Extraction:
    """An item's content as read: field values and each field's provenance."""

    item_number: int
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Found] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def put(self, name: str, found: Found | None, value: Any = None) -> None:
        """Record ``found`` as field ``name`` (its value, or ``value`` when given)."""
        if found is None or name in self.values:
            return
        self.values[name] = found.value if value is None else value
        self.sources[name] = found

    def provenance(self) -> dict[str, dict[str, Any]]:
        return {
            name: {
                "confidence": round(found.confidence, 2),
                "method": found.method,
                "source": found.source,
                "needs_review": found.method == "llm" or found.confidence < LABELLED,
            }
            for name, found in self.sources.items()
        }

    def content(self) -> dict[str, Any]:
        return {**self.values, "provenance": self.provenance()}

    @property
    def confidence(self) -> float | None:
        """Mean of the fields' confidences; None when nothing was read."""
        if not self.sources:
            return None
        return round(sum(f.confidence for f in self.sources.values()) / len(self.sources), 3)


# A label, then optional spaces, a colon and spaces: "測試日期：", "Report No.: ".
SEPARATOR = r"\s*(?:[:：]|\s-\s)?\s*"


# For text values: the label must be followed by a colon or a table cell ("site of ..."
# in a sentence is no label).
STRICT_SEPARATOR = r"\s*(?:[:：|]|\s-\s)\s*"


def label_pattern(labels: Sequence[str], *, strict: bool = False) -> re.Pattern[str]:
    """Labels as alternatives, longest first so "Test report No" wins over "Report No"."""
    ordered = sorted(labels, key=len, reverse=True)
    # Whole words only: "lab" is not the start of "Label".
    words = "(?<![A-Za-z])(?:" + "|".join(ordered) + ")(?![A-Za-z])"
    return re.compile(words + (STRICT_SEPARATOR if strict else SEPARATOR), re.IGNORECASE)


def after_label(doc: Document, labels: re.Pattern[str]) -> list[tuple[Line, str]]:
    """What follows each label on its line (or the next line when the label ends its line)."""
    found: list[tuple[Line, str]] = []
    for index, line in enumerate(doc.lines):
        for match in labels.finditer(line.text):
            rest = line.text[match.end() :].strip(" |\t")
            if not rest and index + 1 < len(doc.lines):
                nxt = doc.lines[index + 1]
                found.append((nxt, nxt.text))
            elif rest:
                found.append((line, rest))
    return found


def first_cell(text: str) -> str:
    """The value up to the next table cell or the next label-like "Word:" on the line."""
    cell = re.split(r"\s*\|\s*|\t|\s{3,}", text, maxsplit=1)[0]
    cell = re.split(r"\s+[A-Z][A-Za-z .]{1,30}[:：]|\s+\S{1,8}[:：]", cell, maxsplit=1)[0]
    return cell.strip(" ,;。")
