"""The shipped phrase corpus (``pifai/data/claims/corpus.json``), loaded once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pifai.ai.claims.patterns import Pattern, compile_phrase

CORPUS_FILE = Path(__file__).resolve().parents[2] / "data" / "claims" / "corpus.json"


@dataclass(frozen=True, slots=True)
class Ingredient:
    """An ingredient an appendix 3 phrase is tied to."""

    name_zh: str
    inci: str | None
    max_pct: float | None
    limit: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name_zh": self.name_zh,
            "inci": self.inci,
            "max_pct": self.max_pct,
            "limit": self.limit,
        }


@dataclass(frozen=True, slots=True)
class CorpusPhrase:
    id: str
    appendix: int  # 0: a term of the rule's own Art 5(1) text
    item: int
    text: str
    kind: int | None  # appendix 2's product kind (一 ... 十五)
    kind_name: str | None
    notes: tuple[str, ...]  # the notes' text (*1 ... *5), in order
    note_refs: tuple[str, ...]
    qualifiers: tuple[str, ...]
    conditions: tuple[str, ...]
    ingredients: tuple[Ingredient, ...]
    pattern: Pattern

    def cite(self) -> str:
        if self.appendix == 0:
            return "認定準則第5條第1款"
        where = f"附件{'一二三四'[self.appendix - 1]}第{self.item}點"
        return f"{where}（{self.kind_name}）" if self.kind_name else where


@dataclass(frozen=True, slots=True)
class Corpus:
    version: dict[str, Any]
    appendices: tuple[dict[str, Any], ...]
    phrases: tuple[CorpusPhrase, ...]

    def version_record(self) -> dict[str, Any]:
        """What an acknowledgement stores of the corpus it was checked against."""
        return {
            "pcode": self.version["pcode"],
            "in_force": self.version["in_force"],
            "sha256": self.version["sha256"],
            "verified": self.version["verified"],
            "url": self.version["url"],
            "appendices": [
                {"number": a["number"], "sha256": a["sha256"], "read_via": a["read_via"]}
                for a in self.appendices
            ],
        }

    def counts(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for phrase in self.phrases:
            out[phrase.appendix] = out.get(phrase.appendix, 0) + 1
        return out


def _phrase(row: dict[str, Any], notes: dict[str, str]) -> CorpusPhrase:
    category = row.get("category") or {}
    refs = tuple(row.get("note_refs") or ())
    return CorpusPhrase(
        id=row["id"],
        appendix=row["appendix"],
        item=row["item"],
        text=row["text"],
        kind=category.get("number") if row["appendix"] == 2 else None,
        kind_name=category.get("name_zh"),
        notes=tuple(notes[r] for r in refs if r in notes),
        note_refs=refs,
        qualifiers=tuple(row.get("qualifiers") or ()),
        conditions=tuple(row.get("conditions") or ()),
        ingredients=tuple(
            Ingredient(i["name_zh"], i.get("inci"), i.get("max_pct"), i.get("limit"))
            for i in row.get("ingredients") or ()
        ),
        pattern=compile_phrase(row["text"]),
    )


@lru_cache(maxsize=1)
def load_corpus() -> Corpus:
    data = json.loads(CORPUS_FILE.read_text(encoding="utf-8"))
    notes = {a["number"]: a.get("notes") or {} for a in data["appendices"]}
    phrases = [_phrase(row, notes[row["appendix"]]) for row in data["phrases"]]
    terms = data["article_terms"]
    phrases += [
        CorpusPhrase(
            id=f"R5-{n:02d}", appendix=0, item=n, text=term, kind=None, kind_name=None,
            notes=(), note_refs=(), qualifiers=(), conditions=(), ingredients=(),
            pattern=compile_phrase(term),
        )
        for n, term in enumerate(terms["terms"], start=1)
    ]  # fmt: skip
    return Corpus(data["version"], tuple(data["appendices"]), tuple(phrases))
