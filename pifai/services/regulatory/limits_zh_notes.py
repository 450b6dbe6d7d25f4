"""Readers of the prohibited list's 備註 (and of "不得使用於染髮用途化粧品" written after a
name): exceptions as ``exempt`` product types where the text names them, residual
impurity limits as ``impurity_limit`` (never a limit of the substance), exceptions that
another list grants as ``except_where_permitted_by``; the rest stays text."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pifai.ai.regulatory import expand_scope
from pifai.domain import PRODUCT_TYPES
from pifai.services.regulatory.limits_zh_terms import (
    VALUE_RE,
    expressed_as,
    number,
    product_tags_zh,
    qualifiers,
    to_pct,
)
from pifai.services.regulatory.limits_zh_values import impurity

if TYPE_CHECKING:
    from pifai.services.regulatory.limits_zh import ZhParse

_ALL = frozenset(PRODUCT_TYPES)


def _exempt(parsed: ZhParse, phrase: str, clause: str) -> bool:
    tags = product_tags_zh(phrase)
    if not tags.tags or tags.other or tags.unmapped:
        return False
    parsed.exempt += [t for t in tags.tags if t not in parsed.exempt]
    if tags.approx:
        parsed.keep(
            clause, f"{'、'.join(tags.approx)}: the exemption is read as {', '.join(tags.tags)}"
        )
    return True


def _note_other_list(parsed: ZhParse, clause: str) -> bool:
    """ "化粧品防腐劑成分名稱及使用限制表中另有規定者除外" / "口腔製劑另有規定者除外"."""
    match = re.match(r"^(?P<where>.+?)另有規定者除外$", clause)
    if match is None:
        return False
    where = match.group("where").strip()
    if "表" in where:
        parsed.permitted_by.append(where.removesuffix("中"))
        parsed.keep(clause, "an exception granted by another list: not applied by the engine")
        return True
    return _exempt(parsed, where, clause)


def _note_use_except(parsed: ZhParse, clause: str) -> bool:
    """ "使用於染髮產品除外": exempt product types (not when a substance is named)."""
    match = re.match(r"^使用於(?P<where>.+?)除外$", clause)
    if match is None or re.search(r"之\s*[A-Za-z]", match.group("where")):
        return False
    return _exempt(parsed, re.sub(r"當.+$", "", match.group("where")), clause)


def _note_use_limit(parsed: ZhParse, clause: str) -> bool:
    """ "使用於染髮、燙髮產品中，用作Hydrogen peroxide 之安定劑不得超過0.03%(以base計)"."""
    match = re.match(
        r"^使用於(?P<where>.+?產品)中,\s*用作(?P<use>.+?)不得超過\s*(?P<v>.+)$", clause
    )
    if match is None or not (value := VALUE_RE.match(match.group("v"))):
        return False
    if not _exempt(parsed, match.group("where"), clause):
        return False
    quals, _ = qualifiers(match.group("v"), value.end())
    limit: dict[str, Any] = {
        "use": "用作" + match.group("use").strip(),
        "applies_to": list(parsed.exempt),
        "max_pct": round(to_pct(number(value.group("num")), value.group("unit")), 10),
        "text": clause,
    }
    for qual in quals:
        if (found := expressed_as(qual)) is not None:
            limit["expressed_as"] = found
    parsed.other_use_limits.append(limit)
    parsed.keep(clause, "the limit of the exempted use is recorded, not enforced")
    return True


def _note_only_banned_in(parsed: ZhParse, clause: str) -> bool:
    """ "不得使用於染髮用途化粧品" of a prohibited entry: prohibited there only."""
    match = re.match(r"^不得使用於(?P<what>.+?)(?:產品|化粧品)?$", clause)
    if match is None:
        return False
    tags = product_tags_zh(match.group("what"))
    if not tags.mapped or tags.other:
        return False
    banned = expand_scope(tags.tags)
    parsed.exempt += [pt for pt in PRODUCT_TYPES if pt not in banned and pt not in parsed.exempt]
    if tags.approx:
        parsed.keep(
            clause,
            f"{'、'.join(tags.approx)}: the prohibition is applied to every "
            f"{', '.join(tags.tags)} product",
        )
    return True


def _note_impurity(parsed: ZhParse, clause: str) -> bool:
    return impurity(parsed, clause, _ALL, clause)


NOTE_READERS: tuple[Callable[[ZhParse, str], bool], ...] = (
    _note_impurity,
    _note_other_list,
    _note_use_limit,
    _note_use_except,
    _note_only_banned_in,
)
