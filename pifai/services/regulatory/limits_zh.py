"""TFDA's Chinese limit text (the columns 產品類型／使用範圍, 限量標準, 限制規定 and, for the
prohibited list, 備註) read into the rule shape of ``limits.parse_conditions``.

What is read: lettered product types paired with lettered values ("(a)立即沖洗產品 ...
(a) 2.5 % (以acid計)"), "其他產品", scopes ("限使用於立即沖洗產品"), exclusions ("不得使用於
口腔與唇部產品"), the children-under-3 rule and its exceptions ("除洗髮產品外"), "以…計"
(expressed_as), "≤", ranges, ppm and mg/kg, summed limits (總量, 混合使用, "其氟總量不得超過
0.15%"), limits for another use ("作為保護劑用途，限量≤0.5%", not enforced) and residual
impurity limits ("殘留量不得超過1ppm": never a use limit). Everything else, and every
product type only a wider tag can name (hair dyes, perms, mouthwash...), is kept word for
word as ``conditions`` text. No value is ever derived that the text does not state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pifai.ai.regulatory import expand_scope
from pifai.domain import PRODUCT_TYPES
from pifai.services.regulatory import limits_zh_notes as notes
from pifai.services.regulatory import limits_zh_values as values
from pifai.services.regulatory.limits_zh_terms import (
    Part,
    Tags,
    has_letters,
    normalise,
    product_tags_zh,
    split_letters,
    types_minus,
)

_EMPTY_CELL = re.compile(r"^[-‐˗—–\s]*$")


@dataclass(slots=True)
class ZhParse:
    """A rule read from Chinese text; ``kept``: the clauses kept as conditions text."""

    limits: list[dict[str, Any]] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    exempt: list[str] = field(default_factory=list)
    children: set[str] | None = None  # product types where use for children <3 is banned
    function: str | None = None
    groups: list[dict[str, Any]] = field(default_factory=list)
    other_use_limits: list[dict[str, Any]] = field(default_factory=list)
    impurity_limit: list[dict[str, Any]] = field(default_factory=list)
    permitted_by: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_limit_text: bool = False
    read_code: bool = False  # a colorant's 使用範圍 code was read (code 1 sets no field)

    def keep(self, text: str, note: str | None = None) -> None:
        if text and text not in self.kept:
            self.kept.append(text)
        if note and note not in self.notes:
            self.notes.append(note)

    def parsed_anything(self) -> bool:
        return bool(
            self.read_code
            or self.limits
            or self.scope
            or self.excluded
            or self.exempt
            or self.children
            or self.groups
            or self.other_use_limits
            or self.impurity_limit
            or self.see_also
        )

    def status(self) -> str:
        """structured | partial (some read, some kept as text) | text_only | no_limit_text."""
        if not self.has_limit_text:
            return "no_limit_text"
        if not self.kept:
            return "structured"
        return "partial" if self.parsed_anything() else "text_only"

    def rule(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "limits": self.limits,
            "scope": self.scope,
            "excluded": self.excluded,
        }
        if self.exempt:
            out["exempt"] = self.exempt
        if self.children:
            allowed = [pt for pt in PRODUCT_TYPES if pt not in self.children]
            out["children_under_3"] = {"prohibited": True, "except": allowed}
        optional = (
            ("function", self.function),
            ("groups", self.groups),
            ("other_use_limits", self.other_use_limits),
            ("impurity_limit", self.impurity_limit),
            ("except_where_permitted_by", self.permitted_by),
            ("see_also", self.see_also),
        )
        out.update({key: value for key, value in optional if value})
        if self.kept:
            out["conditions"] = "; ".join(self.kept)
        if self.notes:
            out["parse_notes"] = self.notes
        return out


def _cell(text: str | None) -> str:
    normal = normalise(text)
    return "" if _EMPTY_CELL.match(normal) else normal


def parse_limits_zh(
    product_type_text: str | None = "",
    max_text: str | None = "",
    other_text: str | None = "",
    *,
    group_prefix: str = "TFDA",
    entry_no: str | None = None,
) -> ZhParse:
    """The rule of a restricted / preservative / UV-filter row (columns 產品類型／使用範圍,
    限量標準, 限制規定). ``group_prefix`` and ``entry_no`` name the summed-limit groups
    ("TFDA:preservative:32+33")."""
    types_text, limit_text, rules_text = (
        _cell(product_type_text),
        _cell(max_text),
        _cell(other_text),
    )
    parsed = ZhParse(has_limit_text=bool(types_text or limit_text or rules_text))
    types = _product_types(types_text, parsed)
    values.read_values(parsed, types, limit_text, group_prefix=group_prefix, entry_no=entry_no)
    _scope_from_types(parsed, types, bool(limit_text))
    for part in split_letters(rules_text) if rules_text else []:
        context = _context(types, part)
        for clause in clauses(part.text):
            _rule_clause(parsed, clause, context, part)
    _settle(parsed)
    return parsed


@dataclass(slots=True)
class Types:
    """The product-type column: one phrase (``common``) or lettered phrases."""

    common: Tags | None = None
    common_text: str = ""
    lettered: dict[str, tuple[Tags, str]] = field(default_factory=dict)


def _product_types(text: str, parsed: ZhParse) -> Types:
    types = Types()
    if not text:
        return types
    if not has_letters(text):
        types.common, types.common_text = product_tags_zh(text), text
        _note_types(parsed, types.common, text)
        return types
    for part in split_letters(text):
        tags = product_tags_zh(part.text)
        if not part.letters:
            parsed.keep(part.text, "product-type text before the first letter is kept as text")
            continue
        for letter in part.base_letters():
            types.lettered[letter] = (tags, part.text)
        _note_types(parsed, tags, part.text)
    return types


def _note_types(parsed: ZhParse, tags: Tags, text: str) -> None:
    """Keep the words of a product type the engine can only approximate or not name."""
    if tags.approx:
        words = "、".join(dict.fromkeys(tags.approx))
        parsed.keep(text, f"{words}: no product type of its own; read as {_show(tags.tags)}")
    if tags.unmapped or tags.except_unmapped:
        words = "、".join([*tags.unmapped, *tags.except_unmapped])
        parsed.keep(text, f"{words}: not a product type the engine knows; kept as text")


def _show(tags: list[str]) -> str:
    return ", ".join(tags) or "other products"


def _scope_from_types(parsed: ZhParse, types: Types, has_values: bool) -> None:
    """Where the substance may be used: the product types named, unless "其他產品" opens
    it to every product type (then exclusions inside the phrase still hold)."""
    phrases = [types.common] if types.common else [t for t, _ in types.lettered.values()]
    if not phrases:
        return
    for tags in phrases:
        if tags.other:
            parsed.excluded += [t for t in tags.except_tags if t not in parsed.excluded]
    if any(t.other for t in phrases) or not all(t.mapped for t in phrases):
        return
    if not has_values and types.common is None and not parsed.limits:
        return
    scope: list[str] = []
    for tags in phrases:
        scope += [t for t in types_minus(tags.tags, tags.except_tags) if t not in scope]
    if expand_scope(scope) != frozenset(PRODUCT_TYPES):
        parsed.scope = scope


def _context(types: Types, part: Part) -> frozenset[str] | None:
    """Product types a lettered clause of 限制規定 speaks of (None: unknown letter).
    Where the product types carry no letters, the letters are those of the values."""
    if not part.letters or not types.lettered:
        return frozenset(PRODUCT_TYPES)
    found: set[str] = set()
    for letter in part.base_letters():
        if letter not in types.lettered:
            return None
        tags, _ = types.lettered[letter]
        found |= (
            set(PRODUCT_TYPES) - _named_elsewhere(types, letter)
            if tags.other
            else set(expand_scope(tags.tags))
        )
    return frozenset(found)


def _named_elsewhere(types: Types, letter: str) -> set[str]:
    named: set[str] = set()
    for other, (tags, _) in types.lettered.items():
        if other != letter:
            named |= set(expand_scope(tags.tags))
    return named


_CLAUSE_SPLIT = re.compile(r"[。;]")
_ENUM_RE = re.compile(r"(?:(?<=^)|(?<=\s))(?:\d{1,2}\.|\(\d{1,2}\))(?=\s*\D)")
_CONDITIONAL_HEAD = re.compile(r"^屬.+?者\s*:")


def clauses(text: str) -> list[str]:
    """Sentences of a cell: split at "。" and ";" and at enumerators ("1." "(2)"), unless
    the cell opens with a condition for all of it ("屬奈米等級者：1. ... 2. ...")."""
    if _CONDITIONAL_HEAD.match(text):
        return [text.strip(" 。;")]
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    out: list[str] = []
    for sentence in _CLAUSE_SPLIT.split(text):
        for piece in _ENUM_RE.split(sentence):
            piece = piece.strip(" ,:")
            if piece.count("(") != piece.count(")"):
                piece = piece.strip("()")
            if piece:
                out.append(piece)
    return out


def _rule_clause(parsed: ZhParse, clause: str, context: frozenset[str] | None, part: Part) -> None:
    """One sentence of 限制規定: a rule this module reads, else kept as text."""
    verbatim = _labelled(part, clause)
    if context is None:
        parsed.keep(verbatim, f"{verbatim}: letter without a product type")
        return
    for reader in values.CLAUSE_READERS:
        if reader(parsed, clause, context, verbatim):
            return
    parsed.keep(verbatim)


def _labelled(part: Part, clause: str) -> str:
    if not part.letters:
        return clause
    return "&".join(f"({label})" for label in part.letters) + clause


def _settle(parsed: ZhParse) -> None:
    """An exclusion that would void a limit or the scope the same row gives is the
    engine's reading failing, not the law: drop it and keep its words."""
    limit_sets = [expand_scope(lim["applies_to"]) for lim in parsed.limits if lim["applies_to"]]
    if parsed.scope:
        limit_sets.append(expand_scope(parsed.scope))
    for tag in list(parsed.excluded):
        if any(s <= expand_scope([tag]) for s in limit_sets):
            parsed.excluded.remove(tag)
            parsed.notes.append(
                f"exclusion {tag} left out: it would void a limit or scope of the same row"
            )
    if parsed.scope and expand_scope(parsed.scope) | expand_scope(parsed.excluded) == frozenset(
        PRODUCT_TYPES
    ):
        parsed.scope = []  # "only in" every type not excluded says no more than the exclusion


def parse_prohibited_note(note_text: str | None, *, name_scope: str = "") -> ZhParse:
    """The 備註 of a prohibited-list row (and a "不得使用於染髮用途化粧品" written after the
    name, ``name_scope``). Exceptions become ``exempt`` product types where the text names
    them; residual-impurity limits go to ``impurity_limit``, never to ``limits``."""
    note = _cell(note_text)
    parsed = ZhParse(has_limit_text=bool(note or name_scope))
    for clause in ([name_scope] if name_scope else []) + (clauses(note) if note else []):
        for reader in notes.NOTE_READERS:
            if reader(parsed, clause):
                break
        else:
            parsed.keep(clause)
    return parsed


def parse_colorant_rules(rules_text: str | None, note_text: str | None) -> ZhParse:
    """限制規定 and 備註 of a colorant row (the 使用範圍 code is applied by the caller)."""
    parsed = ZhParse()
    everything = frozenset(PRODUCT_TYPES)
    whole = Part((), "")
    for text in (_cell(rules_text), _cell(note_text)):
        for clause in clauses(text) if text else []:
            _rule_clause(parsed, clause, everything, whole)
    _settle(parsed)
    return parsed
